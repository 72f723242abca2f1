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
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases import clock, errors, gates, outbox, results, workflow
from yiwang.cases.choices import (
    AcceptanceMode,
    ApplyType,
    CaseStatus,
    Decision,
    DeliveryMethod,
    EventName,
    GetType,
    MaterialState,
    PauseKind,
    ReviewKind,
    ReviewOpinion,
    SpecialType,
    WarningLevel,
)
from yiwang.cases.models import (
    Case,
    CaseEscalation,
    CaseMaterial,
    CasePause,
    CaseProcess,
    CaseResult,
    CaseReviewTask,
    SpecialProcedure,
)
from yiwang.cases.permissions import is_applicant_side, may_perform, may_review
from yiwang.cases.reuse import find_reused
from yiwang.cases.uploads import CheckedFile, store
from yiwang.catalog.choices import REUSABLE_SOURCES, MaterialSource, ProjectType, ResultType
from yiwang.catalog.models import Material, TaskVersion
from yiwang.catalog.queries import version_for_application
from yiwang.core import audit, numbering
from yiwang.core.actors import is_system
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.workdays import local_date
from yiwang.identity.choices import ApplicantType, OperatorScope
from yiwang.identity.models import LegalPerson, Operator, Person
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Staff

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
        Case.objects.select_for_update()
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
    version = case.task_version
    result = CaseResult.objects.filter(case=case).values_list("result_type", flat=True).first()
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
    _process(actor, case, transition.event, str(transition.process_name), now, explain,
             before=before, started=started)  # fmt: skip
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
        handle_explain=explain,
        from_status=before,
        to_status=case.status,
    )


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
    path = store(f"cases/{now:%Y/%m}", checked)
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


# --- submission ----------------------------------------------------------------------------


def _applicant_for(actor: Any, legal_person: LegalPerson | None) -> dict[str, Any]:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录后再申请。"), code="not_authenticated")
    if legal_person is not None:
        posts = Operator.objects.filter(legal_person=legal_person, user=actor)
        if not any(post.may(OperatorScope.APPLY) for post in posts):
            raise PermissionDenied(_("您没有以该单位名义申报的授权。"))
        return {
            "applicant_legal_person": legal_person,
            "applyer_type": legal_person.applicant_type,
            "applyer_name": legal_person.name,
            "applyer_page_type": USCC_PAGE_TYPE,
            "applyer_page_code": legal_person.uscc,
            "legal": legal_person.legal_representative,
        }
    person = Person.objects.filter(user=actor).first()
    if person is None:
        raise PermissionDenied(_("只有实名登记的申请人才能提交申请。"), code="not_an_applicant")
    return {
        "applicant_person": person,
        "applyer_type": ApplicantType.NATURAL_PERSON,
        "applyer_name": person.name,
        "applyer_page_type": person.document_type,
        "applyer_page_code": person.document_masked,
    }


def _check_form(form_data: Mapping[str, Any] | None) -> dict[str, Any]:
    data = dict(form_data or {})
    if not all(isinstance(key, str) for key in data):
        raise DomainError("form_invalid", _("申请表内容格式不正确。"), field="form_data")
    if len(json.dumps(data, ensure_ascii=False, default=str).encode()) > MAX_FORM_BYTES:
        raise DomainError("form_too_large", _("申请表内容过长。"), field="form_data")
    return data


def _case_number(department: Department, day: dt.date) -> str:
    """<6-digit region><9-char department code from the USCC><yyyyMMdd><5-digit sequence>."""
    region6 = department.region.code[:6]
    dept_code = department.uscc[8:17]
    stem = f"{region6}{dept_code}{day:%Y%m%d}"
    return numbering.formatted(stem, f"case:{stem}", 5)


@transaction.atomic
def submit_case(
    *,
    actor: Any,
    version_id: int,
    project_name: str = "",
    form_data: Mapping[str, Any] | None = None,
    uploads: Mapping[int, CheckedFile] | None = None,
    legal_person: LegalPerson | None = None,
    contact_name: str = "",
    contact_mobile: str = "",
    address: str = "",
    zip_code: str = "",
    apply_type: str = ApplyType.ONLINE,
    draft: bool = False,
    now: dt.datetime | None = None,
) -> Case:
    """申报: apply for a published item with the materials (or save a draft, 暂存)."""
    now = _now(now)
    version = version_for_application(version_id)
    applicant = _applicant_for(actor, legal_person)
    served = version.server_type or []
    if served and applicant["applyer_type"] not in served:
        raise DomainError(
            "applicant_type_not_served", _("该事项不面向此类申请人。"), field="legal_person"
        )
    if apply_type not in ApplyType.values:
        raise DomainError("apply_type_invalid", _("申请类型不正确。"), field="apply_type")
    materials = _materials_of(version)
    uploads = dict(uploads or {})
    unknown = [key for key in uploads if key not in materials]
    if unknown:
        raise DomainError("material_unknown", _("提交的材料不属于该事项。"), field="materials")
    department = version.task.department
    name = (project_name or "").strip() or f"{applicant['applyer_name']}申请{version.task_name}"
    case = Case.objects.create(
        task_version=version,
        task_code=version.task.task_code,
        task_handle_item=version.task_handle_item,
        task_name=version.task_name,
        catalog_code=version.task.catalog_item.catalog_code,
        project_name=name[:200],
        project_type=version.project_type,
        apply_type=apply_type,
        applicant_user=actor,
        contact_name=(contact_name or applicant["applyer_name"])[:60],
        contact_mobile=(contact_mobile or getattr(actor, "phone", "") or "")[:11],
        address=address[:200],
        zip_code=zip_code[:6],
        form_data=_check_form(form_data),
        accepting_department=department,
        implementing_department=department,
        created_at=now,
        status=CaseStatus.DRAFT,
        **applicant,
    )
    applicant_obj = legal_person or applicant.get("applicant_person")
    missing: list[str] = []
    for material in materials.values():
        if material.pk in uploads:
            _attach(case, material, uploads[material.pk], now)
            continue
        if material.source_type in REUSABLE_SOURCES:
            reused = find_reused(applicant_obj, material)
            if reused is not None:
                CaseMaterial.objects.create(
                    case=case,
                    material=material,
                    material_name=material.material_name,
                    get_type=GetType.CERTIFICATE
                    if reused.source == "certificate"
                    else GetType.SHARED_DATA,
                    sha256=reused.digest[:64],
                    reuse_source=reused.source,
                    reuse_reference=reused.reference[:200],
                    reuse_label=reused.label[:200],
                    # From an authoritative source: nothing for the clerk to check.
                    state=MaterialState.ACCEPTED,
                    uploaded_at=now,
                    checked_at=now,
                )
                continue
        if material.is_need and material.source_type != MaterialSource.GOVERNMENT_ISSUED:
            missing.append(material.material_name)
    audit.record(
        "cases.case_created",
        actor=actor,
        subject=case,
        after={"task_code": case.task_code, "version": version.version, "at": now.isoformat()},
    )
    if draft:
        return case
    if missing:
        raise errors.materials_missing(missing)
    return _submit(actor, case, now)


def _submit(actor: Any, case: Case, now: dt.datetime) -> Case:
    case.project_no = _case_number(case.implementing_department, local_date(now))
    case.apply_date = now
    return _finish(actor, case, "submit", now, details={"project_no": case.project_no})


@transaction.atomic
def submit_draft(*, actor: Any, case: Case, now: dt.datetime | None = None) -> Case:
    """Submit a saved draft; the version must still be published."""
    now = _now(now)
    locked = _begin(actor, case, "submit")
    version_for_application(locked.task_version_id)
    present = set(locked.materials.values_list("material_id", flat=True))
    missing = [
        m.material_name
        for m in locked.task_version.materials.all()
        if m.is_need and m.pk not in present and m.source_type != MaterialSource.GOVERNMENT_ISSUED
    ]
    if missing:
        raise errors.materials_missing(missing)
    return _submit(actor, locked, now)


# --- receipt, correction, acceptance -------------------------------------------------------


@transaction.atomic
def receive_case(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """预审通过 / 窗口收件: starts the 5-working-day clock for a correction notice (§32)."""
    now = _now(now)
    locked = _begin(actor, case, "receive")
    locked.received_at = now
    staff = getattr(actor, "staff", None)
    if isinstance(staff, Staff) and staff.department_id != locked.implementing_department_id:
        # 跨域通办: the hall that takes the materials is the accepting side.
        locked.accepting_department = staff.department
    return _finish(actor, locked, "receive", now, explain=explain)


@transaction.atomic
def return_case(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """退件: pre-review sends the application back, or the applicant never corrected it."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "return_case")
    locked.closing_reason = reason
    locked.closed_at = now
    _close_pause(locked, PauseKind.CORRECTION, now)
    return _finish(actor, locked, "return_case", now, explain=reason, details={"reason": reason})


def _correction_deadline(case: Case) -> dt.date:
    assert case.received_at is not None
    return clock.add_days(local_date(case.received_at), clock.NOTICE_DAYS, [])


@transaction.atomic
def check_material(
    *,
    actor: Any,
    case: Case,
    material_id: int,
    accepted: bool,
    reason: str = "",
    now: dt.datetime | None = None,
) -> CaseMaterial:
    """Per-material check by the window clerk: accepted, or not (with the reason)."""
    now = _now(now)
    locked = _lock(case)
    if not may_perform(actor, locked, workflow.WINDOW_CLERK):
        raise PermissionDenied()
    row = CaseMaterial.objects.filter(case=locked, pk=material_id).first()
    if row is None:
        raise NotFound()
    checkable = locked.status == CaseStatus.RECEIVED or (
        locked.status in clock.DECISION_STATES and row.deferred_due_date is not None
    )
    if not checkable or row.state not in {MaterialState.PENDING, MaterialState.ACCEPTED,
                                          MaterialState.REJECTED}:  # fmt: skip
        raise errors.transition_not_allowed(locked.get_status_display(), str(_("核验材料")))
    if not accepted:
        reason = _require_text(reason)
    row.state = MaterialState.ACCEPTED if accepted else MaterialState.REJECTED
    row.reject_reason = "" if accepted else reason
    row.checked_at = now
    row.checked_by = _user(actor)
    row.save(update_fields=["state", "reject_reason", "checked_at", "checked_by"])
    locked.row_version += 1
    locked.save(update_fields=["row_version"])
    _process(actor, locked, EventName.CHECK_MATERIAL, str(_("材料核验")), now,
             f"{row.material_name}：{row.get_state_display()} {row.reject_reason}".strip(),
             before=locked.status)  # fmt: skip
    _side_effect(actor, locked, "material_checked", now,
                 {"material": row.material_name, "state": row.state, "reason": row.reject_reason})  # fmt: skip
    return row


def _missing_required(case: Case) -> list[Material]:
    present = set(case.materials.values_list("material_id", flat=True))
    return [
        m
        for m in case.task_version.materials.all()
        if m.is_need and m.pk not in present and m.source_type != MaterialSource.GOVERNMENT_ISSUED
    ]


@transaction.atomic
def request_correction(
    *,
    actor: Any,
    case: Case,
    rejections: Mapping[int, str] | None = None,
    explain: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """一次性告知补正: every missing or unfit material at once, within 5 working days.

    `rejections` maps case-material ids to reasons, for items not yet marked unfit.
    """
    now = _now(now)
    locked = _begin(actor, case, "request_correction")
    if local_date(now) > _correction_deadline(locked):
        raise DomainError(
            "correction_too_late",
            _("收件已超过 5 个工作日，依法视为受理，不能再告知补正。"),
            status=409,
        )
    for material_id, reason in (rejections or {}).items():
        row = CaseMaterial.objects.filter(case=locked, pk=material_id).first()
        if row is None:
            raise NotFound()
        row.state = MaterialState.REJECTED
        row.reject_reason = _require_text(reason)
        row.checked_at = now
        row.checked_by = _user(actor)
        row.save(update_fields=["state", "reject_reason", "checked_at", "checked_by"])
    items = [
        {"material_id": row.material_id, "name": row.material_name, "reason": row.reject_reason}
        for row in locked.materials.filter(state=MaterialState.REJECTED)
    ]
    items += [
        {"material_id": m.pk, "name": m.material_name, "reason": str(_("未提交"))}
        for m in _missing_required(locked)
    ]
    if not items:
        raise DomainError(
            "nothing_to_correct",
            _("没有需要补正的材料：请先标出不符合要求的材料，或直接受理。"),
        )
    locked.correction_items = items
    locked.correction_requested_at = now
    _open_pause(locked, PauseKind.CORRECTION, now, explain)
    summary = "；".join(f"{i['name']}：{i['reason']}" for i in items)
    return _finish(actor, locked, "request_correction", now, explain=summary,
                   details={"items": items})  # fmt: skip


@transaction.atomic
def upload_material(
    *,
    actor: Any,
    case: Case,
    material_id: int,
    checked: CheckedFile,
    now: dt.datetime | None = None,
) -> CaseMaterial:
    """The applicant adds or replaces a material: before receipt, during 补正, or 容缺后补."""
    now = _now(now)
    locked = _lock(case)
    if not is_applicant_side(actor, locked):
        raise PermissionDenied()
    material = locked.task_version.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound()
    existing = CaseMaterial.objects.filter(case=locked, material=material).first()
    deferred = existing is not None and existing.state == MaterialState.DEFERRED
    open_states = {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED}
    if locked.status not in open_states and not (
        deferred and locked.status in clock.DECISION_STATES
    ):
        raise errors.transition_not_allowed(locked.get_status_display(), str(_("提交材料")))
    if existing is not None and existing.state == MaterialState.ACCEPTED and not deferred:
        raise DomainError("material_already_accepted", _("该材料已核验通过，无需重新提交。"))
    due = existing.deferred_due_date if existing is not None else None
    row = _attach(locked, material, checked, now)
    if deferred:
        row.deferred_due_date = due
        row.save(update_fields=["deferred_due_date"])
    locked.row_version += 1
    locked.save(update_fields=["row_version"])
    if deferred:
        _process(actor, locked, EventName.SUPPLY_MATERIAL, str(_("容缺补齐")), now,
                 row.material_name, before=locked.status)  # fmt: skip
    _side_effect(actor, locked, "material_uploaded", now,
                 {"material": row.material_name, "sha256": row.sha256, "size": row.size})  # fmt: skip
    return row


@transaction.atomic
def submit_correction(
    *,
    actor: Any,
    case: Case,
    uploads: Mapping[int, CheckedFile] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """补正提交: every item of the notice answered; the clerk checks again (back to 已收件)."""
    now = _now(now)
    locked = _begin(actor, case, "submit_correction")
    materials = _materials_of(locked.task_version)
    for material_id, checked in (uploads or {}).items():
        if material_id not in materials:
            raise DomainError("material_unknown", _("提交的材料不属于该事项。"), field="materials")
        _attach(locked, materials[material_id], checked, now)
    outstanding = [
        item["name"]
        for item in locked.correction_items
        if not locked.materials.filter(
            material_id=item["material_id"], state=MaterialState.PENDING
        ).exists()
    ]
    if outstanding:
        raise errors.materials_missing(outstanding)
    _close_pause(locked, PauseKind.CORRECTION, now)
    return _finish(actor, locked, "submit_correction", now)


def _review_tasks(
    case: Case, version: TaskVersion, departments: list[Department], now: dt.datetime
) -> None:
    steps = [s for s in version.steps.all() if s.role == Role.REVIEWER]
    names = [s.name for s in steps] or [str(_("审查"))]
    CaseReviewTask.objects.bulk_create(
        [
            CaseReviewTask(
                case=case,
                department=department,
                step_name=name,
                role=Role.REVIEWER,
                created_at=now,
                due_date=case.promise_date,
            )  # fmt: skip
            for department in departments
            for name in names
        ]
    )


def _accept_number(department: Department, day: dt.date) -> str:
    stem = f"SL{day:%Y}{department.uscc[8:17]}"
    return numbering.formatted(stem, f"accept:{stem}", 6)


def _set_accepted(case: Case, accepted_at: dt.datetime, mode: str, actor: Any) -> None:
    case.accept_date = accepted_at
    case.acceptance_mode = mode
    case.accept_doc_no = _accept_number(case.implementing_department, local_date(accepted_at))
    case.handle_user_name = _user_name(actor)
    case.promise_date = clock.promise_date(case, _pauses(case))


@transaction.atomic
def accept_case(
    *,
    actor: Any,
    case: Case,
    mode: str = AcceptanceMode.NORMAL,
    deferred: Mapping[int, dt.date] | None = None,
    joint_departments: Iterable[Department] = (),
    explain: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """受理: materials complete (or 容缺 with due dates, or 告知承诺); the decision clock starts.

    `deferred` maps catalogue material ids to the date by which they must be supplied.
    """
    now = _now(now)
    locked = _begin(actor, case, "accept")
    if mode not in {AcceptanceMode.NORMAL, AcceptanceMode.TOLERANCE, AcceptanceMode.NOTIFY_COMMIT}:
        raise DomainError("acceptance_mode_invalid", _("受理方式不正确。"), field="mode")
    deferred = dict(deferred or {})
    if mode == AcceptanceMode.TOLERANCE and not deferred:
        raise DomainError(
            "deferred_required", _("容缺受理须列明后补的材料及补齐期限。"), field="deferred"
        )
    if mode != AcceptanceMode.TOLERANCE and deferred:
        raise DomainError("deferred_not_allowed", _("只有容缺受理才能后补材料。"), field="deferred")
    today = local_date(now)
    materials = _materials_of(locked.task_version)
    for material_id, due in deferred.items():
        if material_id not in materials:
            raise DomainError("material_unknown", _("提交的材料不属于该事项。"), field="deferred")
        if due <= today:
            raise DomainError("deferred_due_invalid", _("补齐期限须晚于今天。"), field="deferred")
        CaseMaterial.objects.update_or_create(
            case=locked,
            material=materials[material_id],
            defaults={"material_name": materials[material_id].material_name,
                      "get_type": GetType.UPLOAD, "state": MaterialState.DEFERRED,
                      "deferred_due_date": due, "uploaded_at": now, "reject_reason": ""},
        )  # fmt: skip
    if mode != AcceptanceMode.NOTIFY_COMMIT:
        unfit = list(locked.materials.filter(state=MaterialState.REJECTED))
        missing = _missing_required(locked)
        if unfit or missing:
            names = [m.material_name for m in unfit] + [m.material_name for m in missing]
            raise DomainError(
                "materials_incomplete",
                _("以下材料不齐或不符合要求：%(names)s。请一次性告知补正，或容缺受理。"),
                params={"names": "、".join(names)},
            )
    gates.check_gates("before_acceptance", locked)
    locked.materials.filter(state=MaterialState.PENDING).update(
        state=MaterialState.ACCEPTED, checked_at=now, checked_by=_user(actor)
    )
    joint = [d for d in joint_departments if d.pk != locked.implementing_department_id]
    locked.is_joint = bool(joint)
    _set_accepted(locked, now, mode, actor)
    version = locked.task_version
    if mode == AcceptanceMode.NOTIFY_COMMIT:
        days = int(settings.YIWANG_CASE_POST_VERIFICATION_DAYS)
        locked.post_verification_due = clock.add_days(today, days, [])
        CaseReviewTask.objects.create(
            case=locked, department=locked.implementing_department,
            kind=ReviewKind.POST_VERIFICATION, step_name=str(_("承诺事项核查")),
            role=Role.REVIEWER, created_at=now, due_date=locked.post_verification_due,
        )  # fmt: skip
    elif version.project_type != ProjectType.IMMEDIATE:
        _review_tasks(locked, version, [locked.implementing_department, *joint], now)
    return _finish(actor, locked, "accept", now, explain=explain, details={
        "mode": mode, "accept_doc_no": locked.accept_doc_no,
        "promise_date": str(locked.promise_date), "joint": [d.uscc for d in joint],
    })  # fmt: skip


@transaction.atomic
def deem_accept(*, actor: Any, case: Case, now: dt.datetime | None = None) -> Case:
    """视为受理 (§32): no correction notice within 5 working days; accepted as of receipt."""
    now = _now(now)
    locked = _begin(actor, case, "deem_accept")
    if locked.correction_requested_at is not None or locked.received_at is None:
        raise errors.transition_not_allowed(locked.get_status_display(), str(_("视为受理")))
    if local_date(now) <= _correction_deadline(locked):
        raise DomainError("not_yet_deemed", _("告知补正的期限尚未届满。"), status=409)
    locked.materials.filter(state=MaterialState.PENDING).update(state=MaterialState.ACCEPTED)
    _set_accepted(locked, locked.received_at, AcceptanceMode.DEEMED, actor)
    if locked.task_version.project_type != ProjectType.IMMEDIATE:
        _review_tasks(locked, locked.task_version, [locked.implementing_department], now)
    explain = str(_("收件后 5 个工作日内未告知补正，依法自收件之日起视为受理。"))
    return _finish(actor, locked, "deem_accept", now, explain=explain,
                   details={"accept_date": locked.received_at.isoformat()})  # fmt: skip


@transaction.atomic
def not_accept(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理 (B4): not this body's matter, no permit needed, or not eligible."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "not_accept")
    locked.closing_reason = reason
    locked.closed_at = now
    return _finish(actor, locked, "not_accept", now, explain=reason, details={"reason": reason})


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
    return _finish(actor, locked, "review", now, explain=text, started=task.created_at,
                   details={"department": task.department.uscc, "opinion": opinion})  # fmt: skip


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
    _process(actor, locked, EventName.REVIEW, str(_("承诺事项核查")), now,
             f"{task.get_opinion_display()} {explain}".strip(), before=locked.status)  # fmt: skip
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
    """特别程序 (§45: 听证、检验、鉴定、专家评审 …): the clock stops; the applicant is told how long."""
    now = _now(now)
    if special_type not in SpecialType.values:
        raise DomainError("special_type_invalid", _("请选择特别程序种类。"), field="special_type")
    reason = _require_text(reason)
    duration_explain = _require_text(duration_explain, "duration_explain")
    locked = _begin(actor, case, "start_special")
    SpecialProcedure.objects.create(
        case=locked, special_type=special_type, special_name=SpecialType(special_type).label,
        special_reason=reason, special_time=now, special_explain=duration_explain,
        handle_user=_user(actor), applyer_user_name=locked.applyer_name,
    )  # fmt: skip
    _open_pause(locked, PauseKind.SPECIAL, now, reason)
    return _finish(actor, locked, "start_special", now, explain=f"{SpecialType(special_type).label}：{reason}",
                   details={"special_type": special_type})  # fmt: skip


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
    return _finish(actor, locked, "end_special", now, explain=result, started=started,
                   details={"promise_date": str(locked.promise_date)})  # fmt: skip


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
    return _finish(actor, locked, "resume", now, explain=explain, started=started,
                   details={"promise_date": str(locked.promise_date)})  # fmt: skip


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
    return _finish(actor, locked, "extend", now, explain=reason,
                   details={"days": days, "promise_date": str(locked.promise_date)})  # fmt: skip


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
    return _finish(actor, locked, "decide", now, explain=f"{label} {reason}".strip(),
                   details={"granted": granted})  # fmt: skip


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
    return _finish(actor, locked, "issue_result", now, explain=identifier or "",
                   details={"result_cetr_no": identifier or ""})  # fmt: skip


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
    return _finish(actor, locked, "start_delivery", now, explain=DeliveryMethod(method).label,
                   details={"method": method})  # fmt: skip


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
    return _finish(actor, locked, "complete", now, explain=explain,
                   details={"result": result.result_type})  # fmt: skip


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


# --- the periodic tick ---------------------------------------------------------------------

TICK_STATES = frozenset({CaseStatus.RECEIVED}) | clock.DECISION_STATES | clock.DELIVERY_STATES


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
        Case.objects.select_for_update()
        .select_related("task_version", "implementing_department__region")
        .get(pk=case.pk)
    )
    state = clock.stage_clock(locked, _pauses(locked), local_date(now))
    level = state.warning() if state is not None else WarningLevel.NONE
    due = state.due if state is not None else None
    if state is not None and state.paused:
        due = locked.due_date
    if (locked.warning_level, locked.due_date) != (level, due):
        # Derived data: no row_version bump, so a clerk's open form stays valid.
        Case.objects.filter(pk=locked.pk).update(warning_level=level, due_date=due)
    if (
        level
        and state is not None
        and not CaseEscalation.objects.filter(case=locked, level=level).exists()
    ):
        _escalate(actor, locked, level, state, now)
    return level


def _escalate(
    actor: Any, case: Case, level: str, state: clock.ClockState, now: dt.datetime
) -> None:
    department = case.implementing_department
    recipients = _department_heads(department)
    if level == WarningLevel.RED:
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
    }
    escalation = CaseEscalation.objects.create(
        case=case, level=level, department=department, created_at=now, message=text,
        recipients=recipients,
    )  # fmt: skip
    audit.record("cases.escalated", actor=actor, subject=escalation,
                 after={"case": case.project_no, "level": level, "recipients": recipients})  # fmt: skip
    outbox.emit("case.escalated", case=case, occurred_at=now, payload={
        "project_no": case.project_no, "level": level, "department": department.uscc,
        "recipients": recipients, "message": text,
    })  # fmt: skip


def refresh_warnings(*, actor: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Run `refresh_clock` over every case whose clock runs; returns counts per level."""
    if not is_system(actor):
        raise PermissionDenied()
    counts = {WarningLevel.NONE.value: 0, WarningLevel.YELLOW.value: 0, WarningLevel.RED.value: 0}
    cases = Case.objects.filter(status__in=TICK_STATES).only("pk").order_by("pk")
    for case in cases.iterator():
        counts[refresh_clock(actor=actor, case=case, now=now)] += 1
    stale = Case.objects.exclude(status__in=TICK_STATES).exclude(warning_level="")
    stale.update(warning_level="", due_date=None)
    return counts


Action = Callable[..., Any]
