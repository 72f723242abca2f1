"""Core write path: the city's calendar overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.actors import is_system
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.models import CalendarOverride
from yiwang.core.workdays import invalidate_calendar


def _require_catalog_admin(actor: Any) -> None:
    # Imported here: core sits below regions, which owns roles.
    from yiwang.regions.choices import Role
    from yiwang.regions.permissions import has_role

    if not is_system(actor) and not has_role(actor, Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN):
        raise PermissionDenied()


@transaction.atomic
def set_calendar_override(
    *, actor: Any, date: dt.date, is_workday: bool, reason: str
) -> CalendarOverride:
    """Declare a local holiday or an extra working day (事项管理员)."""
    _require_catalog_admin(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", _("请说明调整原因。"), field="reason")
    existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
    before = {"is_workday": existing.is_workday, "reason": existing.reason} if existing else None
    override, _created = CalendarOverride.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "reason": reason}
    )
    audit.record(
        "core.calendar_override_set",
        actor=actor,
        subject=override,
        before=before,
        after={"date": date.isoformat(), "is_workday": is_workday, "reason": reason},
    )
    transaction.on_commit(invalidate_calendar)
    return override


@transaction.atomic
def remove_calendar_override(*, actor: Any, date: dt.date) -> None:
    """Return a date to the national calendar."""
    _require_catalog_admin(actor)
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        raise NotFound()
    audit.record(
        "core.calendar_override_removed",
        actor=actor,
        subject=override,
        before={"is_workday": override.is_workday, "reason": override.reason},
    )
    override.delete()
    transaction.on_commit(invalidate_calendar)
