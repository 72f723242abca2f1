"""The django-ninja API instance; each domain app contributes a router."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI

from yiwang.api import errors
from yiwang.api.auth import API_AUTH
from yiwang.api.schemas import HealthOut

api = NinjaAPI(
    title="Yiwang API",
    version="1",
    description="一网 (Yiwang) digital-government platform: catalogue, cases, certificates, "
    "ledger and data exchange. Errors are {code, message}; codes are stable.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


@api.get("/health", auth=None, response=HealthOut, tags=["system"], operation_id="health")
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: answers without touching the database."""
    return {"status": "ok"}


@api.get("/ping", auth=None, include_in_schema=False)
def ping(request: HttpRequest) -> dict[str, str]:
    """The empty endpoint benchmarks use as the framework's baseline."""
    return {}


def _mount_routers() -> None:
    from yiwang.appointments.api import router as appointments_router
    from yiwang.cases.api import router as cases_router
    from yiwang.cases.bundle_api import router as bundles_router
    from yiwang.catalog.api import router as catalog_router
    from yiwang.certificates.api import router as certificates_router
    from yiwang.certificates.api import vc_router
    from yiwang.exchange.api import router as exchange_router
    from yiwang.identity.api import router as identity_router
    from yiwang.ledger.api import router as ledger_router
    from yiwang.notifications.api import router as notifications_router
    from yiwang.payments.api import router as payments_router
    from yiwang.ratings.api import router as ratings_router
    from yiwang.regions.api import router as regions_router

    api.add_router("/cases/", cases_router)
    api.add_router("/bundles/", bundles_router)
    api.add_router("/identity/", identity_router)
    api.add_router("/ledger/", ledger_router)
    api.add_router("/regions/", regions_router)
    api.add_router("/certificates/", certificates_router)
    # The W3C VC API's /credentials/verify and /credentials/issue, under /api/v1/vc/.
    api.add_router("/vc/", vc_router)
    api.add_router("/catalog/", catalog_router)
    api.add_router("/payments/", payments_router)
    api.add_router("/appointments/", appointments_router)
    api.add_router("/ratings/", ratings_router)
    api.add_router("/notifications/", notifications_router)
    api.add_router("/exchange/", exchange_router)


_mount_routers()
