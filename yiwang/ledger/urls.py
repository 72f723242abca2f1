from django.urls import path

from yiwang.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.search, name="search"),
    path("entries/<int:index>/", views.entry_detail, name="entry"),
    path("entries/<int:index>/data", views.entry_data, name="entry_data"),
    path("receipt/<str:digest>", views.receipt, name="receipt"),
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.log_key, name="key"),
    path("witness-key", views.witness_key, name="witness_key"),
    path("tile/<path:path>", views.tile, name="tile"),
]
