from django.urls import path

from yiwang.core import views

app_name = "core"
urlpatterns = [
    path("", views.overrides, name="calendar"),
    path("<str:date>/remove/", views.remove_override, name="calendar_remove"),
]
