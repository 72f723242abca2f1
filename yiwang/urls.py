"""Root URL map: portal pages, accounts, the JSON API, language switch, operators' admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from yiwang.api.main import api
from yiwang.cases.govstack import api as govstack_api

urlpatterns = [
    path("", include("yiwang.portal.urls")),
    path("", include("yiwang.catalog.urls")),
    path("accounts/", include("yiwang.identity.urls")),
    path("calendar/", include("yiwang.core.urls")),
    path("certificates/", include("yiwang.certificates.urls")),
    path("ledger/", include("yiwang.ledger.urls")),
    path("payments/", include("yiwang.payments.urls")),
    path("appointments/", include("yiwang.appointments.urls")),
    path("ratings/", include("yiwang.ratings.urls")),
    path("notifications/", include("yiwang.notifications.urls")),
    path("exchange/", include("yiwang.exchange.urls")),
    path("api/v1/", api.urls),
    path("cases/", include("yiwang.cases.urls")),
    path("govstack/registration/", govstack_api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
