"""Root URL map: portal pages, accounts, the JSON API, language switch, operators' admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from yiwang.api.main import api

urlpatterns = [
    path("", include("yiwang.portal.urls")),
    path("accounts/", include("yiwang.identity.urls")),
    path("calendar/", include("yiwang.core.urls")),
    path("exchange/", include("yiwang.exchange.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
