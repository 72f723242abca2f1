"""Request id for the audit trail, and the visitor's language and elder-mode preference."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from yiwang.core.audit import current_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tags each request with an id (from X-Request-ID when sane) and echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionIdleMiddleware:
    """Keeps an active session alive (idle expiry) with at most one write per minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("_yiwang_seen", 0)
            if now - int(seen) >= settings.YIWANG_SESSION_REFRESH_SECONDS:
                # Modifying the session makes Django save it with a fresh expiry date.
                request.session["_yiwang_seen"] = now
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Chinese unless the visitor chose English; the API follows Accept-Language.

    Browsers send their own UI language (often en-US even for Chinese users), which must not
    switch a city's portal away from Chinese. Systems calling the API, though, legitimately
    ask for English messages with Accept-Language.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PreferenceMiddleware:
    """Reads the elder-friendly mode cookie so templates can enlarge and simplify pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.elder_mode = request.COOKIES.get(settings.YIWANG_ELDER_MODE_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
