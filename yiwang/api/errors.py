"""One error body everywhere: {"code": stable machine code, "message": translated text}."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yiwang.core.errors import DomainError


def install(api: NinjaAPI) -> None:
    """Register handlers so no domain or input error escapes as a 500."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: list[dict[str, Any]] = []
        for error in exc.errors:
            location = [str(part) for part in error.get("loc", []) if part not in {"body"}]
            fields.append({"field": ".".join(location), "problem": error.get("type", "")})
        body = {"code": "invalid_input", "message": _("提交的数据格式不正确。"), "errors": fields}
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"code": "not_authenticated", "message": _("请先登录或提供有效的访问令牌。")}
        return api.create_response(request, body, status=401)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        body = {"code": "not_found", "message": _("未找到该记录，或您无权查看。")}
        return api.create_response(request, body, status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        body = {"code": f"http_{exc.status_code}", "message": str(exc)}
        return api.create_response(request, body, status=exc.status_code)
