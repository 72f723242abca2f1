from django.urls import path

from yiwang.ratings import views

app_name = "ratings"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("rate/<int:pk>/", views.rate, name="rate"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("supervision/", views.supervision, name="supervision"),
]
