"""API authentication: bearer tokens for systems, the session for the portal's own pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from yiwang.identity.actions import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer yw_…` issued to another government system."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class PortalSessionAuth(SessionAuth):
    """The logged-in portal user (CSRF-checked on writes, like the pages)."""


API_AUTH = [TokenAuth(), PortalSessionAuth()]
