"""Django authentication backend: phone, ID number or staff user name, with lock-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from yiwang.core.errors import DomainError
from yiwang.identity.actions import attempt_login
from yiwang.identity.models import User


class PhoneOrIdNumberBackend(ModelBackend):
    """Every log-in path (portal, admin) goes through attempt_login, so lock-out holds."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        try:
            return attempt_login(username, password)
        except DomainError as error:
            if request is not None:
                request.yiwang_login_error = error  # type: ignore[attr-defined]
            return None
