"""The write path of cases: submission, every transition of the state machine, materials.

Each action takes the acting user (`actor=`), an optional `now=` (the demo and tests replay
history with it; everything else uses the real time), locks the case row, checks the
transition against `workflow.TRANSITIONS` and the actor's role and jurisdiction, and writes
in one transaction: the change, a process record (过程信息), an audit entry and an outbox
event. A case object the caller read earlier carries its `row_version`; if someone else
changed the case in between, the action refuses with `case_changed` instead of acting on a
state the caller never saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases import clock, errors, outbox, workflow
from yiwang.cases.choices import (
    Decision,
    GetType,
    MaterialState,
    ReviewKind,
)
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    CasePause,
    CaseProcess,
    CaseResult,
)
from yiwang.cases.permissions import may_perform
from yiwang.cases.uploads import CheckedFile, store
from yiwang.catalog.choices import ProjectType, ResultType
from yiwang.catalog.models import Material, TaskVersion
from yiwang.core import audit
from yiwang.core.actors import is_system
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.regions.queries import staff_of

USCC_PAGE_TYPE = "001"  # 证件类型 for a unified social credit code (local code set)
MAX_FORM_BYTES = 64 * 1024


# --- helpers -------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    return now


def _user_name(actor: Any) -> str:
    if is_system(actor):
        return str(_("系统"))
    return str(getattr(actor, "display_name", "") or actor.get_username())


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock(case: Case) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "task_version",
            "implementing_department__region",
            "accepting_department__region",
        )
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    if locked.row_version != case.row_version:
        raise errors.case_changed(locked.get_status_display())
    return locked


def facts_for(case: Case) -> workflow.CaseFacts:
    """The workflow's view of a case (a few small queries)."""
    from yiwang.cases.crossarea import proxy_of

    version = case.task_version
    result = CaseResult.objects.filter(case=case).values_list("result_type", flat=True).first()
    proxy = proxy_of(case)
    return workflow.CaseFacts(
        status=case.status,
        is_immediate=version.project_type == ProjectType.IMMEDIATE,
        acceptance_mode=case.acceptance_mode,
        granted=None if result is None else result == Decision.GRANTED,
        issues_certificate=_issues_certificate(version),
        open_reviews=case.review_tasks.filter(kind=ReviewKind.REVIEW, done_at__isnull=True).count(),
        correction_requested=case.correction_requested_at is not None,
        extended=case.extension_days > 0,
        deferred_outstanding=case.materials.filter(state=MaterialState.DEFERRED).count(),
        handoff_stage=proxy.stage if proxy else "",
        return_to_hall=bool(proxy and proxy.return_to_hall),
    )


def _issues_certificate(version: TaskVersion) -> bool:
    return version.result_type == ResultType.CERTIFICATE and bool(
        version.result_certificate_type_code
    )


def _begin(actor: Any, case: Case, name: str) -> Case:
    """Lock the case, check who may act, then whether the state allows the transition."""
    transition = workflow.TRANSITIONS[name]
    locked = _lock(case)
    if not any(may_perform(actor, locked, who) for who in transition.performers):
        raise PermissionDenied()
    if not workflow.can(name, facts_for(locked)):
        raise errors.transition_not_allowed(locked.get_status_display(), str(transition.label))
    return locked


def _finish(
    actor: Any,
    case: Case,
    name: str,
    now: dt.datetime,
    *,
    explain: str = "",
    started: dt.datetime | None = None,
    details: Mapping[str, Any] | None = None,
    target: str | None = None,
) -> Case:
    """Move to the transition's target and write process record, audit entry and event."""
    transition = workflow.TRANSITIONS[name]
    before = case.status
    case.status = target or transition.target or case.status
    case.row_version += 1
    case.save()
    _process(
        actor,
        case,
        transition.event,
        str(transition.process_name),
        now,
        explain,
        before=before,
        started=started,
    )
    after = {"status": case.status, "at": now.isoformat(), **(details or {})}
    audit.record(f"cases.{name}", actor=actor, subject=case, before={"status": before}, after=after)
    outbox.emit(
        f"case.{name}",
        case=case,
        occurred_at=now,
        payload={
            "project_no": case.project_no,
            "task_code": case.task_code,
            "from": before,
            "to": case.status,
            "actor": audit._actor_label(actor),
            **(details or {}),
        },
    )
    return case


def _process(
    actor: Any,
    case: Case,
    event: str,
    process_name: str,
    now: dt.datetime,
    explain: str,
    *,
    before: str,
    started: dt.datetime | None = None,
) -> CaseProcess:
    return CaseProcess.objects.create(
        case=case,
        process_name=process_name,
        event_name=event,
        event_start_time=started or now,
        event_end_time=now,
        handle_user=_user(actor),
        handle_user_name=_user_name(actor),
        handle_department=_department_of(actor),
        handle_explain=explain,
        from_status=before,
        to_status=case.status,
    )


def _department_of(actor: Any) -> Any:
    """The acting staff member's department: which side did the step (跨域通办)."""
    staff = staff_of(actor)
    return staff.department if staff is not None else None


def _side_effect(
    actor: Any, case: Case, name: str, now: dt.datetime, details: dict[str, Any]
) -> None:
    """Audit and outbox for a change that is not a state transition (materials, 核查)."""
    audit.record(
        f"cases.{name}", actor=actor, subject=case, after={"at": now.isoformat(), **details}
    )
    outbox.emit(
        f"case.{name}",
        case=case,
        occurred_at=now,
        payload={"project_no": case.project_no, "status": case.status, **details},
    )


def _pauses(case: Case) -> list[tuple[dt.date, dt.date | None]]:
    return clock.pause_dates(case.pauses.all())


def _open_pause(case: Case, kind: str, now: dt.datetime, reason: str) -> None:
    CasePause.objects.create(case=case, kind=kind, started_at=now, reason=reason)


def _close_pause(case: Case, kind: str, now: dt.datetime) -> None:
    CasePause.objects.filter(case=case, kind=kind, ended_at__isnull=True).update(ended_at=now)


def _require_text(value: str, field: str = "reason") -> str:
    value = (value or "").strip()
    if not value:
        raise errors.reason_required(field)
    return value


def _attach(case: Case, material: Material, checked: CheckedFile, now: dt.datetime) -> CaseMaterial:
    # A file already stored (one 一件事 upload shared by several sub-cases) is not copied.
    path = getattr(checked, "stored_path", "") or store(f"cases/{now:%Y/%m}", checked)
    row, _created = CaseMaterial.objects.update_or_create(
        case=case,
        material=material,
        defaults={
            "material_name": material.material_name,
            "get_type": GetType.UPLOAD,
            "material_attach_name": checked.name,
            "file": path,
            "content_type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
            "reuse_source": "",
            "reuse_reference": "",
            "reuse_label": "",
            "state": MaterialState.PENDING,
            "reject_reason": "",
            "uploaded_at": now,
            "checked_at": None,
            "checked_by": None,
        },
    )
    return row


def _materials_of(version: TaskVersion) -> dict[int, Material]:
    return {m.pk: m for m in version.materials.all()}
