"""Intake: submission (申报), receipt (收件), the one-time correction notice, acceptance."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.cases import clock, errors, gates, workflow
from yiwang.cases.actions.base import (
    MAX_FORM_BYTES,
    USCC_PAGE_TYPE,
    _attach,
    _begin,
    _close_pause,
    _finish,
    _lock,
    _materials_of,
    _now,
    _open_pause,
    _pauses,
    _process,
    _require_text,
    _side_effect,
    _user,
    _user_name,
)
from yiwang.cases.choices import (
    AcceptanceMode,
    ApplyType,
    CaseStatus,
    EventName,
    GetType,
    MaterialState,
    PauseKind,
    ReviewKind,
)
from yiwang.cases.crossarea import check_acceptable
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    CaseReviewTask,
)
from yiwang.cases.permissions import is_applicant_side, may_perform
from yiwang.cases.prefill import filled_form
from yiwang.cases.reuse import find_reused
from yiwang.cases.uploads import CheckedFile
from yiwang.catalog.choices import REUSABLE_SOURCES, MaterialSource, ProjectType
from yiwang.catalog.models import Material, TaskVersion
from yiwang.catalog.queries import version_for_application
from yiwang.core import audit, numbering
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.workdays import local_date
from yiwang.identity.choices import ApplicantType, OperatorScope
from yiwang.identity.models import LegalPerson, Operator, Person
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Staff

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
    bundle_case: Any = None,
    bundle_stage: int | None = None,
) -> Case:
    """申报: apply for a published item with the materials (or save a draft, 暂存).

    `bundle_case`/`bundle_stage` make the case a sub-case (子件) of a 一件事 application;
    only `actions.bundles.submit_bundle` passes them.
    """
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
    data = _check_form(form_data)
    form_fields = list(version.form_fields.all())
    if form_fields:
        # An item with an application form: its fields are checked, empty ones pre-filled.
        holder = legal_person or applicant.get("applicant_person")
        data = filled_form(actor, holder, form_fields, data)
    name = (project_name or "").strip() or f"{applicant['applyer_name']}申请{version.task_name}"
    case = Case.objects.create(
        **item_fields(version),
        project_name=name[:200],
        apply_type=apply_type,
        applicant_user=actor,
        contact_name=(contact_name or applicant["applyer_name"])[:60],
        contact_mobile=(contact_mobile or getattr(actor, "phone", "") or "")[:11],
        address=address[:200],
        zip_code=zip_code[:6],
        form_data=data,
        accepting_department=department,
        implementing_department=department,
        created_at=now,
        status=CaseStatus.DRAFT,
        bundle_case=bundle_case,
        bundle_stage=bundle_stage,
        **applicant,
    )
    holder = legal_person or applicant.get("applicant_person")
    missing = attach_materials(case, materials, uploads, holder, now)
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


def item_fields(version: TaskVersion) -> dict[str, Any]:
    """What a case copies from the item version it applies for (the national table keeps
    them on the case)."""
    return {
        "task_version": version,
        "task_code": version.task.task_code,
        "task_handle_item": version.task_handle_item,
        "task_name": version.task_name,
        "catalog_code": version.task.catalog_item.catalog_code,
        "project_type": version.project_type,
    }


def attach_materials(
    case: Case,
    materials: Mapping[int, Material],
    uploads: Mapping[int, CheckedFile],
    holder: Any,
    now: dt.datetime,
) -> list[str]:
    """Attach the uploaded files and what certificates or shared data stand in for (免提交);
    return the names of required materials still missing."""
    missing: list[str] = []
    for material in materials.values():
        if material.pk in uploads:
            _attach(case, material, uploads[material.pk], now)
            continue
        if reuse_material(case, material, holder, now):
            continue
        if material.is_need and material.source_type != MaterialSource.GOVERNMENT_ISSUED:
            missing.append(material.material_name)
    return missing


def reuse_material(case: Case, material: Material, applicant: Any, now: dt.datetime) -> bool:
    """免提交: attach the material from a certificate or shared data when a provider has it."""
    if material.source_type not in REUSABLE_SOURCES:
        return False
    reused = find_reused(applicant, material)
    if reused is None:
        return False
    CaseMaterial.objects.create(
        case=case,
        material=material,
        material_name=material.material_name,
        get_type=GetType.CERTIFICATE if reused.source == "certificate" else GetType.SHARED_DATA,
        sha256=reused.digest[:64],
        reuse_source=reused.source,
        reuse_reference=reused.reference[:200],
        reuse_label=reused.label[:200],
        # From an authoritative source: nothing for the clerk to check.
        state=MaterialState.ACCEPTED,
        uploaded_at=now,
        checked_at=now,
    )
    return True


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
    # 跨域通办 (actions/crossarea.py): a 代收 case's clocks start when its materials arrived.
    from yiwang.cases.actions.crossarea import record_arrival

    arrived = record_arrival(locked, now)
    locked.received_at = arrived or now
    staff = getattr(actor, "staff", None)
    if (
        arrived is None
        and isinstance(staff, Staff)
        and staff.department_id != locked.implementing_department_id
    ):
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
    if not checkable or row.state not in {
        MaterialState.PENDING,
        MaterialState.ACCEPTED,
        MaterialState.REJECTED,
    }:
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
    _process(
        actor,
        locked,
        EventName.CHECK_MATERIAL,
        str(_("材料核验")),
        now,
        f"{row.material_name}：{row.get_state_display()} {row.reject_reason}".strip(),
        before=locked.status,
    )
    _side_effect(
        actor,
        locked,
        "material_checked",
        now,
        {"material": row.material_name, "state": row.state, "reason": row.reject_reason},
    )
    return row


def missing_required(case: Case) -> list[Material]:
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
        for m in missing_required(locked)
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
    return _finish(
        actor, locked, "request_correction", now, explain=summary, details={"items": items}
    )


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
        _process(
            actor,
            locked,
            EventName.SUPPLY_MATERIAL,
            str(_("容缺补齐")),
            now,
            row.material_name,
            before=locked.status,
        )
    _side_effect(
        actor,
        locked,
        "material_uploaded",
        now,
        {"material": row.material_name, "sha256": row.sha256, "size": row.size},
    )
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
            )
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
    joint = [d for d in joint_departments if d.pk != locked.implementing_department_id]
    for department in joint:
        # 联办 parts go where the item's 通办 area allows (as `assign_joint_part`).
        check_acceptable(
            department, locked.implementing_department, locked.task_version.handle_area
        )
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
            defaults={
                "material_name": materials[material_id].material_name,
                "get_type": GetType.UPLOAD,
                "state": MaterialState.DEFERRED,
                "deferred_due_date": due,
                "uploaded_at": now,
                "reject_reason": "",
            },
        )
    if mode != AcceptanceMode.NOTIFY_COMMIT:
        unfit = list(locked.materials.filter(state=MaterialState.REJECTED))
        missing = missing_required(locked)
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
    locked.is_joint = bool(joint)
    _set_accepted(locked, now, mode, actor)
    version = locked.task_version
    if mode == AcceptanceMode.NOTIFY_COMMIT:
        days = int(settings.YIWANG_CASE_POST_VERIFICATION_DAYS)
        locked.post_verification_due = clock.add_days(today, days, [])
        CaseReviewTask.objects.create(
            case=locked,
            department=locked.implementing_department,
            kind=ReviewKind.POST_VERIFICATION,
            step_name=str(_("承诺事项核查")),
            role=Role.REVIEWER,
            created_at=now,
            due_date=locked.post_verification_due,
        )
    elif version.project_type != ProjectType.IMMEDIATE:
        _review_tasks(locked, version, [locked.implementing_department, *joint], now)
    return _finish(
        actor,
        locked,
        "accept",
        now,
        explain=explain,
        details={
            "mode": mode,
            "accept_doc_no": locked.accept_doc_no,
            "promise_date": str(locked.promise_date),
            "joint": [d.uscc for d in joint],
        },
    )


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
    return _finish(
        actor,
        locked,
        "deem_accept",
        now,
        explain=explain,
        details={"accept_date": locked.received_at.isoformat()},
    )


@transaction.atomic
def not_accept(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理 (B4): not this body's matter, no permit needed, or not eligible."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "not_accept")
    locked.closing_reason = reason
    locked.closed_at = now
    return _finish(actor, locked, "not_accept", now, explain=reason, details={"reason": reason})
