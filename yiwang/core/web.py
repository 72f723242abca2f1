"""Web helpers: domain errors as friendly pages, access decorators for portal views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.core.errors import DomainError, PermissionDenied

View = Callable[..., HttpResponse]


class DomainErrorMiddleware:
    """Renders a DomainError raised by a page view as a page with its status and message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/error.html",
            {"code": exception.code, "message": exception.message},
            status=exception.status,
        )


def login_required_page(view: View) -> View:
    """Anonymous visitors go to the log-in page and come back afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: View) -> View:
    """Only staff accounts; others logged in get a 403 page, anonymous visitors log in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from yiwang.regions.queries import staff_of

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if staff_of(request.user) is None:
            raise PermissionDenied()
        return view(request, *args, **kwargs)

    return wrapper
