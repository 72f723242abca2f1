from django.urls import path

from yiwang.certificates import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("keys/<str:uscc>", views.issuer_keys, name="keys"),
    path("status/<str:uscc>/<str:purpose>/<int:number>", views.status_list, name="status_list"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/credential.json", views.shared_credential, name="shared_credential"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/shares/<int:pk>/revoke", views.wallet_share_revoke, name="share_revoke"),
    path("wallet/<str:identifier>/", views.wallet_detail, name="wallet_detail"),
    path("wallet/<str:identifier>/pdf", views.wallet_pdf, name="wallet_pdf"),
    path(
        "wallet/<str:identifier>/credential.json",
        views.wallet_credential,
        name="wallet_credential",
    ),
    path("wallet/<str:identifier>/share", views.wallet_share, name="wallet_share"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:identifier>/", views.manage_detail, name="manage_detail"),
    path("manage/<str:identifier>/status", views.manage_status, name="manage_status"),
    # The credential id: https://<host>/certificates/<identifier> (the QR code leads here).
    path("<str:identifier>", views.public_certificate, name="public"),
]
