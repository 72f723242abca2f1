from django.urls import path

from yiwang.payments import views

app_name = "yiwang_payments"
urlpatterns = [
    path("", views.my_orders, name="orders"),
    path("staff/", views.department_orders, name="department_orders"),
    path("sandbox/cashier/<str:trade_no>/", views.sandbox_cashier, name="sandbox_cashier"),
    path("<str:order_no>/", views.order_detail, name="order"),
    path("<str:order_no>/return/", views.payment_return, name="return"),
    path("<str:order_no>/receipt.pdf", views.receipt, name="receipt"),
    path("<str:order_no>/refund/", views.refund, name="refund"),
]
