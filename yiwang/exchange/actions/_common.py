"""Small helpers shared by the exchange's actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.core.actors import is_system
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.regions.models import Department
from yiwang.regions.queries import staff_of


def user_or_none(actor: Any) -> Any:
    """The account to store as author (None for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    return str(actor.get_username()) if getattr(actor, "is_authenticated", False) else "anonymous"


def own_department(actor: Any) -> Department:
    """The department a staff member works in; others may not act here."""
    staff = staff_of(actor)
    if staff is None:
        raise PermissionDenied()
    return staff.department


def clean_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("field_required", _("请填写此项。"), field=field)
    if len(text) > max_length:
        raise DomainError(
            "field_too_long",
            _("内容过长（最多 %(max)s 个字）。"),
            params={"max": max_length},
            field=field,
        )
    return text
