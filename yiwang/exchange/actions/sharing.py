"""Sharing requests (共享申请) through their statutory stages, and authorisations.

COMPLIANCE_REVIEW (data administrator, ≤2 WD)
  ├─ returned with a reason → RETURNED → resubmitted → COMPLIANCE_REVIEW
  ├─ 无条件共享 → AUTHORIZED
  └─ 有条件共享 → PROVIDER_REVIEW (≤5 WD if the resource is published, ≤10 WD if not)
        ├─ AUTHORIZED
        └─ REFUSED (a reason is required) → NEGOTIATION (≤5 WD; the provider may still
           authorise) → COORDINATION (data administrator, ≤5 WD) → AUTHORIZED | CLOSED
The requester may withdraw while the request is open, or accept a refusal (CLOSED).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit, numbering
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.workdays import add_workdays
from yiwang.exchange import clock, conf, errors, integration
from yiwang.exchange.actions._common import actor_label, clean_text, user_or_none
from yiwang.exchange.actions.alarms import resolve_alarms
from yiwang.exchange.choices import (
    OPEN_SHARING_STATES,
    AuthorisationStatus,
    SharingStatus,
    SharingType,
    VersionStatus,
)
from yiwang.exchange.models import (
    Authorisation,
    DataDemand,
    Resource,
    ResourceVersion,
    SharingEvent,
    SharingRequest,
)
from yiwang.exchange.permissions import acts_for_department, is_data_authority
from yiwang.regions.models import Department

# 1000 calls a second under one authorisation: above the city-wide peak of DOMAIN §5.
MAX_RATE_PER_MINUTE = 60_000


def _lock(request: SharingRequest) -> SharingRequest:
    locked = (
        SharingRequest.objects.select_for_update(of=("self",))
        .select_related(
            "requester_department__region", "provider_department__region", "resource", "version"
        )
        .filter(pk=request.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


def _move(
    actor: Any,
    request: SharingRequest,
    target: str,
    action: str,
    *,
    note: str = "",
    due: dt.date | None = None,
) -> SharingRequest:
    before = request.status
    request.status = target
    request.stage_started_on = clock.today()
    request.due_date = due
    request.save()
    resolve_alarms(request)
    SharingEvent.objects.create(
        request=request,
        action=action,
        actor_label=actor_label(actor),
        from_status=before,
        to_status=target,
        note=note,
    )
    audit.record(
        f"exchange.sharing_{action}",
        actor=actor,
        subject=request,
        before={"status": before},
        after={"status": target, "due_date": due.isoformat() if due else None, "note": note},
    )
    return request


def _resource_version(
    resource: Resource, department: Department, demand: DataDemand | None
) -> tuple[ResourceVersion, bool]:
    """The version asked for, and whether the resource is already published."""
    if resource.current_version is not None:
        return resource.current_version, True
    # Not yet published: only through the demand board, where the provider was asked to
    # catalogue it for this department (so the longer provider limit applies).
    draft = resource.versions.filter(status=VersionStatus.DRAFT).order_by("-version").first()
    linked = demand is not None and (
        demand.requester_department_id == department.pk
        and (
            demand.fulfilled_resource_id == resource.pk
            or demand.matched_resources.filter(pk=resource.pk).exists()
        )
    )
    if draft is None or not linked:
        raise DomainError(
            "resource_not_published",
            _("该资源尚未发布。未发布的资源只能通过供需对接中交办给您的需求申请。"),
            status=409,
        )
    return draft, False


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise DomainError(
            "period_invalid", _("使用期限的结束日期早于开始日期。"), field="period_end"
        )
    if end < clock.today():
        raise DomainError("period_past", _("使用期限已经结束。"), field="period_end")
    if (end - start).days > conf.max_period_days():
        raise DomainError(
            "period_too_long",
            _("使用期限最长 %(days)s 天。"),
            params={"days": conf.max_period_days()},
            field="period_end",
        )


def _check_items(version: ResourceVersion, items: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(str(code) for code in items))
    if not wanted:
        raise DomainError("items_required", _("请至少选择一个信息项。"), field="items")
    known = set(version.items.values_list("code", flat=True))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise DomainError(
            "items_unknown",
            _("该资源没有这些信息项：%(items)s"),
            params={"items": "、".join(unknown)},
            field="items",
        )
    return wanted


@transaction.atomic
def submit_sharing_request(
    *,
    actor: Any,
    department: Department,
    resource: Resource,
    items: Iterable[str],
    purpose: str,
    scenario: str,
    period_start: dt.date,
    period_end: dt.date,
    rate_limit_per_minute: int = 60,
    legal_basis: str = "",
    demand: DataDemand | None = None,
) -> SharingRequest:
    """Ask for data items of a resource; the data administrator reviews within 2 WD."""
    if not acts_for_department(actor, department):
        raise PermissionDenied()
    resource = Resource.objects.select_related("provider", "current_version").get(pk=resource.pk)
    if resource.provider_id == department.pk:
        raise DomainError("own_resource", _("本部门的资源无需申请共享。"), status=409)
    version, published = _resource_version(resource, department, demand)
    if version.sharing_type == SharingType.NOT_SHARED:
        raise DomainError(
            "resource_not_shared",
            _("该资源为不予共享类（依据：%(basis)s），如确有需要请在供需对接中提出。"),
            params={"basis": version.not_shared_basis},
            status=409,
        )
    wanted = _check_items(version, items)
    purpose = clean_text(purpose, "purpose", max_length=500)
    scenario = clean_text(scenario, "scenario", max_length=1000)
    _check_period(period_start, period_end)
    if not 1 <= rate_limit_per_minute <= MAX_RATE_PER_MINUTE:
        raise DomainError(
            "rate_invalid",
            _("调用频率上限须在 1 至 %(max)s 次/分钟之间。"),
            params={"max": MAX_RATE_PER_MINUTE},
            field="rate_limit",
        )
    today = clock.today()
    number = numbering.formatted(f"GX{today:%Y}", f"exchange.request.{today:%Y}", 6)
    request = SharingRequest.objects.create(
        number=number,
        requester_department=department,
        requested_by=user_or_none(actor),
        resource=resource,
        version=version,
        provider_department=resource.provider,
        demand=demand,
        items=wanted,
        purpose=purpose,
        scenario=scenario,
        legal_basis=legal_basis.strip(),
        period_start=period_start,
        period_end=period_end,
        rate_limit_per_minute=rate_limit_per_minute,
        resource_was_published=published,
        stage_started_on=today,
        due_date=add_workdays(today, conf.limit("compliance")),
    )
    SharingEvent.objects.create(
        request=request,
        action="submitted",
        actor_label=actor_label(actor),
        to_status=request.status,
        note=purpose,
    )
    audit.record(
        "exchange.sharing_submitted",
        actor=actor,
        subject=request,
        after={
            "number": number,
            "resource": resource.code,
            "items": wanted,
            "due_date": request.due_date.isoformat() if request.due_date else None,
        },
    )
    return request


def _require_authority(actor: Any, request: SharingRequest) -> None:
    if not is_data_authority(actor, request.requester_department.region):
        raise PermissionDenied()


def _require_state(request: SharingRequest, allowed: set[str], verb: str) -> None:
    if request.status not in allowed:
        raise errors.wrong_status(request.get_status_display(), verb)


@transaction.atomic
def review_compliance(
    *, actor: Any, request: SharingRequest, approve: bool, note: str = ""
) -> SharingRequest:
    """The data administrator's compliance review (≤2 WD)."""
    locked = _lock(request)
    _require_authority(actor, locked)
    _require_state(locked, {SharingStatus.COMPLIANCE_REVIEW}, str(_("合规审核")))
    if not approve:
        if not note.strip():
            raise errors.reason_required("note")
        return _move(actor, locked, SharingStatus.RETURNED, "returned", note=note.strip())
    if locked.version.sharing_type == SharingType.UNCONDITIONAL:
        return _authorise(actor, locked, note=note.strip() or str(_("无条件共享，合规审核通过")))
    days = conf.limit(
        "provider_published" if locked.resource_was_published else "provider_unpublished"
    )
    return _move(
        actor,
        locked,
        SharingStatus.PROVIDER_REVIEW,
        "compliance_passed",
        note=note.strip(),
        due=add_workdays(clock.today(), days),
    )


@transaction.atomic
def resubmit_sharing_request(
    *,
    actor: Any,
    request: SharingRequest,
    purpose: str,
    scenario: str,
    items: Iterable[str],
    period_start: dt.date,
    period_end: dt.date,
) -> SharingRequest:
    """Correct a returned request and send it back to compliance review."""
    locked = _lock(request)
    if not acts_for_department(actor, locked.requester_department):
        raise PermissionDenied()
    _require_state(locked, {SharingStatus.RETURNED}, str(_("重新提交")))
    locked.items = _check_items(locked.version, items)
    locked.purpose = clean_text(purpose, "purpose", max_length=500)
    locked.scenario = clean_text(scenario, "scenario", max_length=1000)
    _check_period(period_start, period_end)
    locked.period_start, locked.period_end = period_start, period_end
    return _move(
        actor,
        locked,
        SharingStatus.COMPLIANCE_REVIEW,
        "resubmitted",
        due=add_workdays(clock.today(), conf.limit("compliance")),
    )


@transaction.atomic
def review_as_provider(
    *, actor: Any, request: SharingRequest, authorise: bool, reason: str = ""
) -> SharingRequest:
    """The provider's answer: authorise, or refuse WITH a reason (a bare refusal is refused)."""
    locked = _lock(request)
    if not acts_for_department(actor, locked.provider_department):
        raise PermissionDenied()
    _require_state(
        locked, {SharingStatus.PROVIDER_REVIEW, SharingStatus.NEGOTIATION}, str(_("审核"))
    )
    if authorise:
        return _authorise(actor, locked, note=reason.strip())
    if locked.status != SharingStatus.PROVIDER_REVIEW:
        raise errors.wrong_status(locked.get_status_display(), str(_("不予共享")))
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "refusal_reason_required",
            _("不予共享必须说明理由（法律、行政法规或政策依据）。"),
            field="reason",
        )
    locked.refusal_reason = reason
    locked.decided_at = clock.now()
    return _move(actor, locked, SharingStatus.REFUSED, "refused", note=reason)


@transaction.atomic
def object_to_refusal(*, actor: Any, request: SharingRequest, note: str) -> SharingRequest:
    """The requester disagrees with a refusal: the two departments negotiate (≤5 WD)."""
    locked = _lock(request)
    if not acts_for_department(actor, locked.requester_department):
        raise PermissionDenied()
    _require_state(locked, {SharingStatus.REFUSED}, str(_("提出协商")))
    if not note.strip():
        raise errors.reason_required("note")
    locked.objection = note.strip()
    return _move(
        actor,
        locked,
        SharingStatus.NEGOTIATION,
        "negotiation_started",
        note=note.strip(),
        due=add_workdays(clock.today(), conf.limit("negotiation")),
    )


@transaction.atomic
def escalate_to_coordination(*, actor: Any, request: SharingRequest, note: str) -> SharingRequest:
    """Negotiation failed: the data administrator coordinates (≤5 WD)."""
    locked = _lock(request)
    allowed = (
        acts_for_department(actor, locked.requester_department)
        or acts_for_department(actor, locked.provider_department)
        or is_data_authority(actor, locked.requester_department.region)
    )
    if not allowed:
        raise PermissionDenied()
    _require_state(locked, {SharingStatus.NEGOTIATION}, str(_("提请协调")))
    if not note.strip():
        raise errors.reason_required("note")
    return _move(
        actor,
        locked,
        SharingStatus.COORDINATION,
        "coordination_started",
        note=note.strip(),
        due=add_workdays(clock.today(), conf.limit("coordination")),
    )


@transaction.atomic
def coordinate(
    *, actor: Any, request: SharingRequest, authorise: bool, note: str
) -> SharingRequest:
    """The data administrator's decision after coordination: authorised or closed."""
    locked = _lock(request)
    _require_authority(actor, locked)
    _require_state(locked, {SharingStatus.COORDINATION}, str(_("协调决定")))
    if not note.strip():
        raise errors.reason_required("note")
    if authorise:
        return _authorise(actor, locked, note=note.strip())
    locked.closing_reason = note.strip()
    locked.decided_at = clock.now()
    return _move(actor, locked, SharingStatus.CLOSED, "closed_by_coordination", note=note.strip())


@transaction.atomic
def withdraw_sharing_request(*, actor: Any, request: SharingRequest, reason: str) -> SharingRequest:
    """The requester withdraws an open request or accepts a refusal."""
    locked = _lock(request)
    if not acts_for_department(actor, locked.requester_department):
        raise PermissionDenied()
    _require_state(
        locked,
        {*OPEN_SHARING_STATES, SharingStatus.RETURNED, SharingStatus.REFUSED},
        str(_("撤回")),
    )
    if not reason.strip():
        raise errors.reason_required("reason")
    locked.closing_reason = reason.strip()
    return _move(actor, locked, SharingStatus.CLOSED, "withdrawn", note=reason.strip())


def _authorise(actor: Any, request: SharingRequest, *, note: str) -> SharingRequest:
    today = clock.today()
    number = numbering.formatted(f"SQ{today:%Y}", f"exchange.authorisation.{today:%Y}", 6)
    authorisation = Authorisation.objects.create(
        number=number,
        request=request,
        consumer_department=request.requester_department,
        provider_department=request.provider_department,
        resource=request.resource,
        items=list(request.items),
        purpose=request.purpose,
        period_start=request.period_start,
        period_end=request.period_end,
        rate_limit_per_minute=request.rate_limit_per_minute,
    )
    request.decided_at = clock.now()
    payload = authorisation_payload(authorisation)
    integration.anchor("exchange.authorisation", number, payload)
    audit.record(
        "exchange.authorisation_granted",
        actor=actor,
        subject=authorisation,
        after={**payload, "digest": integration.payload_digest(payload)},
    )
    return _move(actor, request, SharingStatus.AUTHORIZED, "authorised", note=note)


def authorisation_payload(authorisation: Authorisation) -> dict[str, Any]:
    """What an authorisation grants, as anchored in the ledger."""
    return {
        "v": 1,
        "type": "yiwang.exchange.authorisation",
        "number": authorisation.number,
        "request": authorisation.request.number,
        "consumer": authorisation.consumer_department.uscc,
        "provider": authorisation.provider_department.uscc,
        "resource": authorisation.resource.code,
        "items": list(authorisation.items),
        "period": [authorisation.period_start.isoformat(), authorisation.period_end.isoformat()],
        "rate_limit_per_minute": authorisation.rate_limit_per_minute,
    }


@transaction.atomic
def revoke_authorisation(*, actor: Any, authorisation: Authorisation, reason: str) -> Authorisation:
    """Stop an authorisation at once (provider or data administrator), with a reason."""
    locked = (
        Authorisation.objects.select_for_update(of=("self",))
        .select_related("provider_department__region", "consumer_department__region")
        .get(pk=authorisation.pk)
    )
    allowed = acts_for_department(actor, locked.provider_department) or is_data_authority(
        actor, locked.consumer_department.region
    )
    if not allowed:
        raise PermissionDenied()
    if locked.status != AuthorisationStatus.ACTIVE:
        raise errors.wrong_status(locked.get_status_display(), str(_("撤销")))
    if not reason.strip():
        raise errors.reason_required("reason")
    locked.status = AuthorisationStatus.REVOKED
    locked.revoked_reason = reason.strip()
    locked.save(update_fields=["status", "revoked_reason"])
    integration.anchor(
        "exchange.authorisation_revoked",
        locked.number,
        {
            "v": 1,
            "type": "yiwang.exchange.authorisation_revoked",
            "number": locked.number,
            "reason": locked.revoked_reason,
        },  # fmt: skip
    )
    audit.record(
        "exchange.authorisation_revoked",
        actor=actor,
        subject=locked,
        before={"status": AuthorisationStatus.ACTIVE},
        after={"status": AuthorisationStatus.REVOKED, "reason": locked.revoked_reason},
    )
    return locked
