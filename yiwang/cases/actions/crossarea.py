"""跨域通办 actions (DOMAIN §3.10): 异地代收代办 and 多地联办.

异地代收代办: a window clerk of hall A registers an application for an item implemented by
department B (`receive_on_behalf`: 代收收件), checks the materials' form (`proxy_check`:
形式审查) or hands them back (`proxy_return`), forwards them (`proxy_forward`: 电子流转 or
寄递 with a tracking number); B's clerk records their arrival with the ordinary `receive`
(属地收件) and processes the case as usual. When the applicant chose to collect the result at
A, B sends it back (`return_result`) and A hands it over (`hall_handover`).

多地联办: the implementing department hands a part of the review to a department elsewhere
(`assign_joint_part`); that department's reviewers do their part with `review_case`.

Every step locks the case, writes a process record naming the acting department, an audit
entry and an outbox event, like every other case action.

The clock (see docs/cases.md): the application date is A's 收件; the statutory clocks of
the implementing department (§32 补正告知 and deemed acceptance, then the decision limit)
start when the materials reach B: at forwarding for 电子流转, at B's 收件 for 寄递. The hall's
own limit is `crossarea.FORWARD_DAYS` working days from 收件 to forwarding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.cases import errors, gates
from yiwang.cases.actions.base import (
    USCC_PAGE_TYPE,
    _begin,
    _finish,
    _materials_of,
    _now,
    _require_text,
    _user_name,
)
from yiwang.cases.actions.intake import _case_number, _check_form, attach_materials, item_fields
from yiwang.cases.choices import (
    ApplyType,
    CaseStatus,
    DeliveryMethod,
    HandoffChannel,
    HandoffMode,
    HandoffStage,
    ReviewKind,
)
from yiwang.cases.crossarea import check_acceptable, proxy_of
from yiwang.cases.models import Case, CaseHandoff, CaseReviewTask
from yiwang.cases.uploads import CheckedFile
from yiwang.catalog.queries import version_for_application
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.workdays import local_date
from yiwang.identity.choices import ApplicantType, OperatorScope
from yiwang.identity.models import LegalPerson, Operator, Person
from yiwang.regions.choices import Role
from yiwang.regions.models import Department
from yiwang.regions.permissions import has_role
from yiwang.regions.queries import staff_of

TRACKING_NO = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def receiving_hall(actor: Any) -> Department:
    """The department whose hall the acting window clerk serves."""
    staff = staff_of(actor)
    if staff is None or not has_role(actor, Role.WINDOW_CLERK):
        raise PermissionDenied(_("只有窗口受理人员可以代收申请。"))
    if not staff.jurisdiction.contains(staff.department.region):
        raise PermissionDenied()
    return staff.department


@transaction.atomic
def receive_on_behalf(
    *,
    actor: Any,
    version_id: int,
    person: Person,
    uploads: Mapping[int, CheckedFile] | None = None,
    project_name: str = "",
    form_data: Mapping[str, Any] | None = None,
    contact_mobile: str = "",
    address: str = "",
    return_to_hall: bool = False,
    legal_person: LegalPerson | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """代收收件: the hall registers, on the implementing department's behalf, an application
    the applicant brought in person; the case starts with the hall's 形式审查 pending.

    With `legal_person`, the unit applies and `person` is its 经办人 at the window: they must
    hold an account with the unit's 申报 authorisation in force, as online (intake.submit_case).
    """
    now = _now(now)
    hall = receiving_hall(actor)
    version = version_for_application(version_id)
    implementing = version.task.department
    if hall.pk == implementing.pk:
        raise DomainError(
            "not_cross_area",
            _("该事项由本部门实施，请由申请人网上申报或按本部门窗口收件办理。"),
            field="version_id",
        )
    check_acceptable(hall, implementing, version.handle_area)
    if person.user_id is None:
        raise DomainError(
            "applicant_not_registered",
            _("申请人尚未实名注册，请先协助其完成实名注册。"),
            field="applicant",
        )
    applicant = _hall_applicant(person, legal_person)
    served = version.server_type or []
    if served and applicant["applyer_type"] not in served:
        raise DomainError(
            "applicant_type_not_served", _("该事项不面向此类申请人。"), field="applicant"
        )
    materials = _materials_of(version)
    uploads = dict(uploads or {})
    if any(key not in materials for key in uploads):
        raise DomainError("material_unknown", _("提交的材料不属于该事项。"), field="materials")
    name = (project_name or "").strip() or f"{applicant['applyer_name']}申请{version.task_name}"
    case = Case.objects.create(
        **item_fields(version),
        project_name=name[:200],
        apply_type=ApplyType.WINDOW,
        applicant_user_id=person.user_id,
        contact_name=person.name[:60],
        contact_mobile=(contact_mobile or "")[:11],
        address=(address or "")[:200],
        form_data=_check_form(form_data),
        accepting_department=hall,
        implementing_department=implementing,
        created_at=now,
        status=CaseStatus.DRAFT,
        **applicant,
    )
    missing = attach_materials(case, materials, uploads, legal_person or person, now)
    if missing:
        raise errors.materials_missing(missing)
    handoff = CaseHandoff.objects.create(
        case=case,
        mode=HandoffMode.PROXY,
        stage=HandoffStage.RECEIVED,
        from_department=hall,
        to_department=implementing,
        received_at=now,
        return_to_hall=return_to_hall,
    )
    case._proxy_handoff = handoff  # type: ignore[attr-defined]
    case.project_no = _case_number(implementing, local_date(now))
    case.apply_date = now
    explain = str(_("%(hall)s代收，实施部门：%(implementing)s")) % {
        "hall": hall.name,
        "implementing": implementing.name,
    }
    return _finish(
        actor,
        case,
        "proxy_receive",
        now,
        explain=explain,
        details={
            "project_no": case.project_no,
            "accepting_department": hall.uscc,
            "implementing_department": implementing.uscc,
            "return_to_hall": return_to_hall,
            "legal_person": legal_person.uscc if legal_person else "",
        },
    )


def _hall_applicant(person: Person, legal_person: LegalPerson | None) -> dict[str, Any]:
    """The applicant fields of a case registered at the hall (the rule of `_applicant_for`)."""
    if legal_person is None:
        return {
            "applicant_person": person,
            "applyer_type": ApplicantType.NATURAL_PERSON,
            "applyer_name": person.name,
            "applyer_page_type": person.document_type,
            "applyer_page_code": person.document_masked,
        }
    posts = Operator.objects.filter(legal_person=legal_person, user=person.user)
    if not any(post.may(OperatorScope.APPLY) for post in posts):
        raise DomainError(
            "operator_not_authorised",
            _(
                "%(person)s不是%(unit)s授权申报的经办人（或授权已过期）。请单位的法定代表人"
                "或经办人管理员在本平台为其授予申报权限后再来办理，或由单位网上申报。"
            ),
            params={"person": person.name, "unit": legal_person.name},
            field="applicant_uscc",
            status=409,
        )
    return {
        "applicant_legal_person": legal_person,
        "applyer_type": legal_person.applicant_type,
        "applyer_name": legal_person.name,
        "applyer_page_type": USCC_PAGE_TYPE,
        "applyer_page_code": legal_person.uscc,
        "legal": legal_person.legal_representative,
    }


def register_at_hall(
    *,
    actor: Any,
    version_id: int,
    document_type: str,
    document_number: str,
    applicant_uscc: str = "",
    **details: Any,
) -> Case:
    """代收收件 as the hall page and the API call it: the applicant named by an identity
    document (and the unit by its USCC, when a unit applies), then `receive_on_behalf`.

    Outsiders are refused before anything reveals whether the applicant is registered.
    """
    from yiwang.identity.actions import find_legal_person, find_person

    receiving_hall(actor)
    person = find_person(document_type, document_number)
    if person is None:
        raise DomainError(
            "applicant_not_found",
            _("未找到该证件号码的实名注册申请人。"),
            field="applicant_document_number",
            status=404,
        )
    unit = None
    if (applicant_uscc or "").strip():
        unit = find_legal_person(applicant_uscc, field="applicant_uscc")
        if unit is None:
            raise unregistered_unit()
    return receive_on_behalf(
        actor=actor, version_id=version_id, person=person, legal_person=unit, **details
    )


def unregistered_unit() -> DomainError:
    """A walk-in unit with no account here: the hall cannot register it on its own word."""
    return DomainError(
        "legal_person_not_registered",
        _(
            "该统一社会信用代码的单位尚未在本平台注册。请指导其法定代表人先网上注册单位并为"
            "经办人授权申报，再来窗口办理；窗口不能代未注册的单位登记申请。"
        ),
        field="applicant_uscc",
        status=404,
    )


def _proxy(case: Case) -> CaseHandoff:
    handoff = proxy_of(case)
    assert handoff is not None  # the workflow's facts only allow these steps with one
    return handoff


@transaction.atomic
def proxy_check(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """形式审查: the receiving hall finds the materials complete and in legal form."""
    now = _now(now)
    locked = _begin(actor, case, "proxy_check")
    handoff = _proxy(locked)
    handoff.stage = HandoffStage.CHECKED
    handoff.checked_at = now
    handoff.save(update_fields=["stage", "checked_at"])
    text = (explain or "").strip() or str(_("材料齐全，符合法定形式"))
    return _finish(actor, locked, "proxy_check", now, explain=text, started=handoff.received_at)


@transaction.atomic
def proxy_return(*, actor: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """代收退回: the materials fail the hall's check; they go back to the applicant on the spot."""
    now = _now(now)
    reason = _require_text(reason)
    locked = _begin(actor, case, "proxy_return")
    handoff = _proxy(locked)
    handoff.stage = HandoffStage.RETURNED
    handoff.save(update_fields=["stage"])
    locked.closing_reason = reason
    locked.closed_at = now
    return _finish(actor, locked, "proxy_return", now, explain=reason, details={"reason": reason})


@transaction.atomic
def proxy_forward(
    *,
    actor: Any,
    case: Case,
    channel: str,
    tracking_no: str = "",
    explain: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """转递: the checked materials go to the implementing department, electronically or by post."""
    now = _now(now)
    if channel not in HandoffChannel.values:
        raise DomainError("channel_invalid", _("请选择转递方式。"), field="channel")
    tracking_no = (tracking_no or "").strip()
    if channel == HandoffChannel.POST and not TRACKING_NO.match(tracking_no):
        raise DomainError(
            "tracking_no_required",
            _("寄递转递须填写寄递单号（6 至 40 位字母、数字或连字符）。"),
            field="tracking_no",
        )
    if channel == HandoffChannel.ELECTRONIC:
        tracking_no = ""
    locked = _begin(actor, case, "proxy_forward")
    handoff = _proxy(locked)
    handoff.stage = HandoffStage.FORWARDED
    handoff.forwarded_at = now
    handoff.channel = channel
    handoff.tracking_no = tracking_no
    handoff.save(update_fields=["stage", "forwarded_at", "channel", "tracking_no"])
    label = str(HandoffChannel(channel).label)
    text = f"{label} → {handoff.to_department.name} {tracking_no} {explain.strip()}".strip()
    return _finish(
        actor,
        locked,
        "proxy_forward",
        now,
        explain=text,
        started=handoff.checked_at,
        details={"channel": channel, "tracking_no": tracking_no},
    )


def record_arrival(case: Case, now: dt.datetime) -> dt.datetime | None:
    """属地收件 of a 代收 case (called by `receive_case` under its lock): the moment the
    statutory clocks start, or None for a case without a 代收 hand-off.

    Electronically forwarded materials were in the implementing department's system from
    the moment of forwarding; posted ones arrive when its clerk signs for them.
    """
    handoff = proxy_of(case)
    if handoff is None:
        return None
    handoff.stage = HandoffStage.ARRIVED
    handoff.arrived_at = now
    handoff.save(update_fields=["stage", "arrived_at"])
    if handoff.channel == HandoffChannel.ELECTRONIC and handoff.forwarded_at is not None:
        return handoff.forwarded_at
    return now


@transaction.atomic
def return_result(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """结果回传: the implementing department sends the result to the receiving hall, where
    the applicant chose to collect it."""
    now = _now(now)
    locked = _begin(actor, case, "return_result")
    gates.check_gates("before_delivery", locked)
    handoff = _proxy(locked)
    result = locked.result
    result.delivery_method = DeliveryMethod.WINDOW
    result.is_delivery_results = False
    result.save(update_fields=["delivery_method", "is_delivery_results"])
    handoff.stage = HandoffStage.RETURNING
    handoff.result_returned_at = now
    handoff.save(update_fields=["stage", "result_returned_at"])
    text = str(_("结果回传至%(hall)s，由代收窗口送达")) % {"hall": handoff.from_department.name}
    return _finish(
        actor,
        locked,
        "return_result",
        now,
        explain=f"{text} {explain.strip()}".strip(),
        details={"method": DeliveryMethod.WINDOW, "hall": handoff.from_department.uscc},
    )


@transaction.atomic
def hall_handover(
    *, actor: Any, case: Case, explain: str = "", now: dt.datetime | None = None
) -> Case:
    """代收窗口送达: the receiving hall hands the result to the applicant; the case is 办结."""
    now = _now(now)
    locked = _begin(actor, case, "hall_handover")
    gates.check_gates("before_completion", locked)
    handoff = _proxy(locked)
    result = locked.result
    result.result_date = now
    result.save(update_fields=["result_date"])
    handoff.stage = HandoffStage.DELIVERED
    handoff.delivered_at = now
    handoff.save(update_fields=["stage", "delivered_at"])
    locked.closed_at = now
    return _finish(
        actor,
        locked,
        "hall_handover",
        now,
        explain=explain.strip(),
        started=handoff.result_returned_at,
        details={"result": result.result_type},
    )


@transaction.atomic
def assign_joint_part(
    *,
    actor: Any,
    case: Case,
    department: Department,
    step_name: str = "",
    explain: str = "",
    now: dt.datetime | None = None,
) -> CaseReviewTask:
    """多地联办: the implementing department hands one part of the review to a department
    elsewhere (within the item's 通办 area); that department's reviewers do their part."""
    now = _now(now)
    locked = _begin(actor, case, "assign_joint")
    implementing = locked.implementing_department
    if department.pk == implementing.pk:
        raise DomainError(
            "joint_department_invalid", _("联办部门不能是实施部门本身。"), field="department"
        )
    check_acceptable(department, implementing, locked.task_version.handle_area)
    open_part = locked.review_tasks.filter(
        department=department, kind=ReviewKind.REVIEW, done_at__isnull=True
    )
    if open_part.exists():
        raise DomainError(
            "joint_part_exists", _("该部门已有未完成的联办环节。"), field="department"
        )
    step = (step_name or "").strip()[:100] or str(_("联办审查"))
    task = CaseReviewTask.objects.create(
        case=locked,
        department=department,
        step_name=step,
        role=Role.REVIEWER,
        created_at=now,
        due_date=locked.promise_date,
    )
    CaseHandoff.objects.update_or_create(
        case=locked,
        mode=HandoffMode.JOINT,
        to_department=department,
        defaults={
            "from_department": implementing,
            "stage": HandoffStage.ASSIGNED,
            "received_at": now,
        },
    )
    locked.is_joint = True
    text = f"{department.name}：{step} {explain.strip()}".strip()
    _finish(
        actor,
        locked,
        "assign_joint",
        now,
        explain=text,
        details={"department": department.uscc, "step": step, "by": _user_name(actor)},
    )
    return task
