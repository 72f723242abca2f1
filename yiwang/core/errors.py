"""Domain errors: a stable machine code for systems and a translated message for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can act on; views and the API turn it into a 4xx answer."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int | None = None,
        params: Mapping[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        self.code = code
        self.message_template = message
        self.params = dict(params or {})
        self.field = field
        if status is not None:
            self.status = status
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language, with its parameters filled in."""
        text = str(self.message_template)
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class PermissionDenied(DomainError):
    """The actor may not do this; the code says why without revealing what exists."""

    status = 403

    def __init__(self, message: str | Promise | None = None, code: str = "permission_denied"):
        super().__init__(code, message or _("您没有执行此操作的权限。"))


class NotFound(DomainError):
    """Not there, or not visible to this actor: the two look the same from outside."""

    status = 404

    def __init__(self, message: str | Promise | None = None, code: str = "not_found"):
        super().__init__(code, message or _("未找到该记录，或您无权查看。"))


class Conflict(DomainError):
    """Someone else changed the record first, or the request repeats a used key differently."""

    status = 409
