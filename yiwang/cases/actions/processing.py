"""Processing: review (联办 too), special procedures, suspension, extension, decision,
issuing, delivery, completion, withdrawal and termination."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.cases import clock, errors, gates, results, workflow
from yiwang.cases.actions.base import (
    _begin,
    _close_pause,
    _finish,
    _issues_certificate,
    _lock,
    _now,
    _open_pause,
    _pauses,
    _process,
    _require_text,
    _side_effect,
    _user,
    facts_for,
)
from yiwang.cases.choices import (
    CaseStatus,
    Decision,
    DeliveryMethod,
    EventName,
    MaterialState,
    PauseKind,
    ReviewKind,
    ReviewOpinion,
    SpecialType,
)
from yiwang.cases.models import (
    Case,
    CaseResult,
    CaseReviewTask,
    SpecialProcedure,
)
from yiwang.cases.permissions import may_perform, may_review
from yiwang.core.errors import DomainError, NotFound, PermissionDenied

# --- review --------------------------------------------------------------------------------


@transaction.atomic
def review_case(
    *,
    actor: Any,
    case: Case,
    opinion: str,
    explain: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """审查: the reviewer's department gives its opinion (one task of possibly several)."""
    now = _now(now)
    if opinion not in ReviewOpinion.values:
        raise DomainError("opinion_invalid", _("请选择审查意见。"), field="opinion")
    locked = _lock(case)
    transition = workflow.TRANSITIONS["review"]
    tasks = locked.review_tasks.filter(kind=ReviewKind.REVIEW, done_at__isnull=True)
    task = next(
        (t for t in tasks.select_related("department__region") if may_review(actor, t)), None
    )
    if task is None:
        if not may_perform(actor, locked, workflow.REVIEWER):
            raise PermissionDenied()
        raise errors.transition_not_allowed(locked.get_status_display(), str(transition.label))
    if not workflow.can("review", facts_for(locked)):
        raise errors.transition_not_allowed(locked.get_status_display(), str(transition.label))
    if opinion == ReviewOpinion.DISAGREE:
        explain = _require_text(explain, "explain")
    task.opinion = opinion
    task.explain = explain
    task.done_at = now
    task.handled_by = _user(actor)
    task.save(update_fields=["opinion", "explain", "done_at", "handled_by"])
    text = (
        f"{task.department.name} {task.step_name}：{task.get_opinion_display()} {explain}".strip()
    )
    return _finish(
        actor,
        locked,
        "review",
        now,
        explain=text,
        started=task.created_at,
        details={"department": task.department.uscc, "opinion": opinion},
    )


@transaction.atomic
def verify_commitment(
    *, actor: Any, case: Case, opinion: str, explain: str = "", now: dt.datetime | None = None
) -> CaseReviewTask:
    """告知承诺 后核查: check afterwards that what the applicant promised is true."""
    now = _now(now)
    locked = _lock(case)
    task = (
        locked.review_tasks.filter(kind=ReviewKind.POST_VERIFICATION, done_at__isnull=True)
        .select_related("department__region")
        .first()
    )
    if task is None:
        raise NotFound()
    if not may_review(actor, task):
        raise PermissionDenied()
    if opinion not in ReviewOpinion.values:
        raise DomainError("opinion_invalid", _("请选择核查结论。"), field="opinion")
    if opinion == ReviewOpinion.DISAGREE:
        explain = _require_text(explain, "explain")
    task.opinion, task.explain, task.done_at, task.handled_by = opinion, explain, now, _user(actor)
    task.save(update_fields=["opinion", "explain", "done_at", "handled_by"])
    locked.row_version += 1
    locked.save(update_fields=["row_version"])
    _process(
        actor,
        locked,
        EventName.REVIEW,
        str(_("承诺事项核查")),
        now,
        f"{task.get_opinion_display()} {explain}".strip(),
        before=locked.status,
    )
    _side_effect(actor, locked, "commitment_verified", now, {"opinion": opinion})
    return task


@transaction.atomic
def start_special_procedure(
    *,
    actor: Any,
    case: Case,
    special_type: str,
    reason: str,
    duration_explain: str,
    now: dt.datetime | None = None,
) -> Case:
    """特别程序 (§45: 听证、检验、鉴定、专家评审 …): the clock stops; the applicant is told."""
    now = _now(now)
    if special_type not in SpecialType.values:
        raise DomainError("special_type_invalid", _("请选择特别程序种类。"), field="special_type")
    reason = _require_text(reason)
    duration_explain = _require_text(duration_explain, "duration_explain")
    locked = _begin(actor, case, "start_special")
    SpecialProcedure.objects.create(
        case=locked,
        special_type=special_type,
        special_name=str(SpecialType(special_type).label),
        special_reason=reason,
        special_time=now,
        special_explain=duration_explain,
        handle_user=_user(actor),
        applyer_user_name=locked.applyer_name,
    )
    _open_pause(locked, PauseKind.SPECIAL, now, reason)
    return _finish(
        actor,
        locked,
        "start_special",
        now,
        explain=f"{SpecialType(special_type).label}：{reason}",
        details={"special_type": special_type},
    )


@transaction.atomic
def end_special_procedure(
    *, actor: Any, case: Case, result: str, now: dt.datetime | None = None
) -> Case:
    """特别程序结束: the clock runs again and the promise date moves by the paused days."""
    now = _now(now)
    result = _require_text(result, "result")
    locked = _begin(actor, case, "end_special")
    procedure = locked.special_procedures.filter(end_time__isnull=True).last()
    started = None
    if procedure is not None:
        procedure.end_time, procedure.result = now, result
        procedure.save(update_fields=["end_time", "result"])
        started = procedure.special_time
    _close_pause(locked, PauseKind.SPECIAL, now)
    locked.promise_date = clock.promise_date(locked, _pauses(locked))
    return _finish(
        actor,
        locked,
        "end_special",
        now,
        explain=result,
        started=started,
        details={"promise_date": str(locked.promise_date)},
    )


@transaction.atomic
def suspend_case(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """中止（挂起, approved by the approver): the clock stops until resumed."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "suspend")
    _open_pause(locked, PauseKind.SUSPENSION, now, reason)
    return _finish(actor, locked, "suspend", now, explain=reason, details={"reason": reason})


@transaction.atomic
def resume_case(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """恢复办理: the clock runs again; the promise date moves by the paused days."""
    now = _now(now)
    locked = _begin(actor, case, "resume")
    started = (
        locked.pauses.filter(kind=PauseKind.SUSPENSION, ended_at__isnull=True)
        .values_list("started_at", flat=True)
        .first()
    )
    _close_pause(locked, PauseKind.SUSPENSION, now)
    locked.promise_date = clock.promise_date(locked, _pauses(locked))
    return _finish(
        actor,
        locked,
        "resume",
        now,
        explain=explain,
        started=started,
        details={"promise_date": str(locked.promise_date)},
    )


@transaction.atomic
def extend_case(
    *, actor: Any, case: Case, reason: str, days: int | None = None, now: dt.datetime | None = None
) -> Case:
    """延期 (§42): once, approved by the head; +10 working days, +15 for joint handling."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "extend")
    limit = clock.max_extension(locked)
    days = limit if days is None else days
    if not 1 <= days <= limit:
        raise DomainError(
            "extension_beyond_law",
            _("依法最多延长 %(limit)s 个工作日。"),
            params={"limit": limit},
            field="days",
        )
    if clock.decision_limit(locked)[0] is None:
        raise DomainError("no_time_limit", _("该事项没有办理时限，无需延期。"))
    locked.extension_days = days
    locked.extension_reason = reason
    locked.promise_date = clock.promise_date(locked, _pauses(locked))
    return _finish(
        actor,
        locked,
        "extend",
        now,
        explain=reason,
        details={"days": days, "promise_date": str(locked.promise_date)},
    )


# --- decision, issuing, delivery, completion -----------------------------------------------


@transaction.atomic
def decide_case(
    *,
    actor: Any,
    case: Case,
    granted: bool,
    reason: str = "",
    remedy_notice: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """作出决定: grant, or refuse with the reasons and the remedies open to the applicant."""
    now = _now(now)
    locked = _begin(actor, case, "decide")
    if not granted:
        reason = _require_text(reason)
        remedy_notice = _require_text(remedy_notice, "remedy_notice")
    elif locked.materials.filter(state=MaterialState.DEFERRED).exists():
        raise DomainError(
            "deferred_materials_outstanding",
            _("容缺受理的材料尚未补齐，不能作出准予决定。"),
            status=409,
        )
    gates.check_gates("before_decision", locked)
    CaseResult.objects.create(
        case=locked,
        result_type=Decision.GRANTED if granted else Decision.REFUSED,
        result_explain=reason.strip(),
        remedy_notice=remedy_notice.strip(),
        decided_by=_user(actor),
        result_cetr_name=locked.task_version.result_name if granted else "",
    )
    locked.decided_at = now
    label = Decision.GRANTED.label if granted else Decision.REFUSED.label
    return _finish(
        actor,
        locked,
        "decide",
        now,
        explain=f"{label} {reason}".strip(),
        details={"granted": granted},
    )


@transaction.atomic
def issue_result(*, actor: Any, case: Case, now: dt.datetime | None = None) -> Case:
    """制证签章: a certificate item's issuers are called and the identifier stored."""
    now = _now(now)
    locked = _begin(actor, case, "issue_result")
    result = locked.result
    identifier = None
    if _issues_certificate(locked.task_version):
        identifier = results.issue_results(locked, actor)
        if identifier:
            result.result_cetr_no = identifier[:120]
            result.save(update_fields=["result_cetr_no"])
    return _finish(
        actor,
        locked,
        "issue_result",
        now,
        explain=identifier or "",
        details={"result_cetr_no": identifier or ""},
    )


@transaction.atomic
def start_delivery(
    *, actor: Any, case: Case, method: str = DeliveryMethod.WINDOW, now: dt.datetime | None = None
) -> Case:
    """送达: by hand at the window, by post, or electronically (within 10 days, §44)."""
    now = _now(now)
    if method not in DeliveryMethod.values:
        raise DomainError("delivery_method_invalid", _("请选择送达方式。"), field="method")
    locked = _begin(actor, case, "start_delivery")
    gates.check_gates("before_delivery", locked)
    result = locked.result
    result.delivery_method = method
    result.is_delivery_results = method == DeliveryMethod.POST
    result.save(update_fields=["delivery_method", "is_delivery_results"])
    return _finish(
        actor,
        locked,
        "start_delivery",
        now,
        explain=str(DeliveryMethod(method).label),
        details={"method": method},
    )


@transaction.atomic
def complete_case(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """办结 (B13): delivered, or a 即办件 finished on the spot."""
    now = _now(now)
    locked = _begin(actor, case, "complete")
    gates.check_gates(
        "before_delivery" if locked.status == CaseStatus.DECIDED else "before_completion", locked
    )
    result = locked.result
    result.result_date = now
    result.save(update_fields=["result_date"])
    locked.closed_at = now
    return _finish(
        actor, locked, "complete", now, explain=explain, details={"result": result.result_type}
    )


@transaction.atomic
def withdraw_case(
    *, actor: Any, case: Case, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """撤回: the applicant takes the application back before a decision."""
    now = _now(now)
    locked = _begin(actor, case, "withdraw")
    reason = (reason or "").strip() or str(_("申请人主动撤回"))
    return _close(actor, locked, "withdraw", reason, now)


@transaction.atomic
def terminate_case(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """依法终止 (e.g. the applicant died or was dissolved), approved by the approver."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "terminate")
    return _close(actor, locked, "terminate", reason, now)


def _close(actor: Any, case: Case, name: str, reason: str, now: dt.datetime) -> Case:
    case.closing_reason = reason
    case.closed_at = now
    for pause in case.pauses.filter(ended_at__isnull=True):
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    case.special_procedures.filter(end_time__isnull=True).update(end_time=now)
    return _finish(actor, case, name, now, explain=reason, details={"reason": reason})
