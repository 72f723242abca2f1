"""电子监察: deemed acceptance, yellow/red warnings and escalations (the periodic tick)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from yiwang.cases import clock, crossarea, outbox
from yiwang.cases.actions.base import (
    _now,
    _pauses,
)
from yiwang.cases.actions.intake import deem_accept
from yiwang.cases.choices import (
    CaseStatus,
    HandoffMode,
    HandoffStage,
    WarningLevel,
)
from yiwang.cases.models import (
    Case,
    CaseEscalation,
    CaseHandoff,
)
from yiwang.core import audit
from yiwang.core.actors import is_system
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.workdays import local_date
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Staff

# --- the periodic tick ---------------------------------------------------------------------

TICK_STATES = frozenset({CaseStatus.RECEIVED}) | clock.DECISION_STATES | clock.DELIVERY_STATES


def _ticked() -> Q:
    """Cases whose clock runs: the states above, and submitted 代收 cases not yet signed for
    by the implementing department (the hall's 转递 limit, then the forwarding's)."""
    handed = CaseHandoff.objects.filter(
        case=OuterRef("pk"),
        mode=HandoffMode.PROXY,
        stage__in=[*crossarea.AT_HALL, HandoffStage.FORWARDED],
    )
    return Q(status__in=TICK_STATES) | (Q(status=CaseStatus.SUBMITTED) & Q(Exists(handed)))


def deem_overdue_receipts(*, actor: Any, now: dt.datetime | None = None) -> list[int]:
    """Deem accepted every case received with no correction notice for 5 working days."""
    if not is_system(actor):
        raise PermissionDenied()
    now = _now(now)
    today = local_date(now)
    accepted: list[int] = []
    candidates = Case.objects.filter(
        status=CaseStatus.RECEIVED, correction_requested_at__isnull=True
    ).only("pk", "received_at", "row_version")
    for case in candidates.iterator():
        if case.received_at is None:
            continue
        if today <= clock.add_days(local_date(case.received_at), clock.NOTICE_DAYS, []):
            continue
        try:
            deem_accept(actor=actor, case=case, now=now)
        except DomainError:  # a clerk acted meanwhile: nothing to deem
            continue
        accepted.append(case.pk)
    return accepted


def _department_heads(department: Department) -> list[str]:
    region = department.region
    admins = Staff.objects.filter(roles__role=Role.DEPARTMENT_ADMIN).select_related(
        "user", "jurisdiction"
    )
    names = [
        s.user.get_username()
        for s in admins.filter(Q(department=department) | Q(department_only=False))
        if s.jurisdiction.contains(region)
        and (not s.department_only or s.department_id == department.pk)
    ]
    return sorted(set(names))


@transaction.atomic
def refresh_clock(*, actor: Any, case: Case, now: dt.datetime | None = None) -> str:
    """Recompute the stage deadline and warning of one case; escalate once per level."""
    if not is_system(actor):
        raise PermissionDenied()
    now = _now(now)
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("task_version", "implementing_department__region")
        .get(pk=case.pk)
    )
    today = local_date(now)
    state = clock.stage_clock(locked, _pauses(locked), today)
    department = locked.implementing_department
    at_hall = False
    handed = crossarea.handoff_clock(locked, today) if state is None else None
    if handed is not None:
        state, department, at_hall = handed.state, handed.department, handed.at_hall
    level = state.warning() if state is not None else WarningLevel.NONE
    due = state.due if state is not None else None
    if state is not None and state.paused:
        due = locked.due_date
    if (locked.warning_level, locked.due_date) != (level, due):
        # Derived data: no row_version bump, so a clerk's open form stays valid.
        Case.objects.filter(pk=locked.pk).update(warning_level=level, due_date=due)
    # Once per level and answering department: the hall's late 转递 does not use up the
    # implementing department's own warnings.
    if (
        level
        and state is not None
        and not CaseEscalation.objects.filter(
            case=locked, level=level, department=department
        ).exists()
    ):
        _escalate(actor, locked, level, state, now, department=department, at_hall=at_hall)
    return level


def _escalate(
    actor: Any,
    case: Case,
    level: str,
    state: clock.ClockState,
    now: dt.datetime,
    *,
    department: Department,
    at_hall: bool = False,
) -> None:
    recipients = _department_heads(department)
    if at_hall and level == WarningLevel.RED:
        message = _(
            "督办：代收办件 %(no)s（%(item)s）已超过转递期限 %(days)s 个工作日，"
            "请立即完成形式审查并转递实施部门。"
        )
        days = -state.remaining
    elif at_hall:
        message = _(
            "预警：代收办件 %(no)s（%(item)s）的转递期限为 %(due)s，请及时完成形式审查并转递。"
        )
        days = state.remaining
    elif level == WarningLevel.RED:
        message = _("督办：办件 %(no)s（%(item)s）已超过期限 %(days)s 个工作日，请立即督促办理。")
        days = -state.remaining
    else:
        message = _(
            "预警：办件 %(no)s（%(item)s）已用去时限的 %(share)s%%，剩余 %(days)s 个工作日。"
        )
        days = state.remaining
    share = round(100 * state.used / state.limit) if state.limit else 100
    text = str(message) % {
        "no": case.project_no,
        "item": case.task_name,
        "days": days,
        "share": share,
        "due": state.due.isoformat() if state.due else "",
    }
    escalation = CaseEscalation.objects.create(
        case=case,
        level=level,
        department=department,
        created_at=now,
        message=text,
        recipients=recipients,
    )
    audit.record(
        "cases.escalated",
        actor=actor,
        subject=escalation,
        after={"case": case.project_no, "level": level, "recipients": recipients},
    )
    outbox.emit(
        "case.escalated",
        case=case,
        occurred_at=now,
        payload={
            "project_no": case.project_no,
            "level": level,
            "department": department.uscc,
            "stage": state.stage,
            "recipients": recipients,
            "message": text,
        },
    )


def refresh_warnings(*, actor: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Run `refresh_clock` over every case whose clock runs; returns counts per level."""
    if not is_system(actor):
        raise PermissionDenied()
    counts = {WarningLevel.NONE.value: 0, WarningLevel.YELLOW.value: 0, WarningLevel.RED.value: 0}
    cases = Case.objects.filter(_ticked()).only("pk").order_by("pk")
    for case in cases.iterator():
        counts[refresh_clock(actor=actor, case=case, now=now)] += 1
    stale = Case.objects.exclude(_ticked()).exclude(warning_level="")
    stale.update(warning_level="", due_date=None)
    return counts
