"""The demand board (供需对接) and data disputes (数据异议), both on working-day deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit, numbering
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.workdays import add_workdays
from yiwang.exchange import clock, conf, errors
from yiwang.exchange.actions._common import clean_text, own_department, user_or_none
from yiwang.exchange.actions.alarms import resolve_alarms
from yiwang.exchange.choices import DemandStatus, DisputeOutcome, DisputeStatus, VersionStatus
from yiwang.exchange.models import DataDemand, DataDispute, Resource
from yiwang.exchange.permissions import acts_for_department, is_data_authority
from yiwang.regions.models import Department


def _lock_demand(demand: DataDemand) -> DataDemand:
    locked = (
        DataDemand.objects.select_for_update(of=("self",))
        .select_related("requester_department__region", "assigned_department__region")
        .filter(pk=demand.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def post_demand(
    *, actor: Any, department: Department, title: str, description: str, keywords: str = ""
) -> DataDemand:
    """A department posts a data need on the board."""
    if not acts_for_department(actor, department):
        raise PermissionDenied()
    today = clock.today()
    demand = DataDemand.objects.create(
        number=numbering.formatted(f"XQ{today:%Y}", f"exchange.demand.{today:%Y}", 6),
        requester_department=department,
        posted_by=user_or_none(actor),
        title=clean_text(title, "title", max_length=200),
        description=clean_text(description, "description", max_length=2000),
        keywords=clean_text(keywords, "keywords", max_length=300, required=False),
    )
    audit.record(
        "exchange.demand_posted",
        actor=actor,
        subject=demand,
        after={"number": demand.number, "title": demand.title},
    )
    return demand


@transaction.atomic
def match_demand(*, actor: Any, demand: DataDemand, resources: Iterable[Resource]) -> DataDemand:
    """Point a need at published catalogue entries that meet it."""
    locked = _lock_demand(demand)
    if not (
        is_data_authority(actor, locked.requester_department.region)
        or acts_for_department(actor, locked.requester_department)
    ):
        raise PermissionDenied()
    if locked.status not in {DemandStatus.OPEN, DemandStatus.MATCHED}:
        raise errors.wrong_status(locked.get_status_display(), str(_("匹配")))
    chosen = list(
        Resource.objects.filter(
            pk__in=[r.pk for r in resources], current_version__isnull=False
        ).order_by("code")
    )
    if not chosen:
        raise DomainError(
            "resources_required", _("请选择至少一个已发布的资源。"), field="resources"
        )
    locked.matched_resources.set(chosen)
    before = locked.status
    locked.status = DemandStatus.MATCHED
    locked.save(update_fields=["status"])
    audit.record(
        "exchange.demand_matched",
        actor=actor,
        subject=locked,
        before={"status": before},
        after={"status": locked.status, "resources": [r.code for r in chosen]},
    )
    return locked


@transaction.atomic
def assign_demand(
    *, actor: Any, demand: DataDemand, provider: Department, note: str = ""
) -> DataDemand:
    """The data administrator asks a provider to catalogue and publish (≤10 WD)."""
    locked = _lock_demand(demand)
    if not is_data_authority(actor, locked.requester_department.region):
        raise PermissionDenied()
    if locked.status not in {DemandStatus.OPEN, DemandStatus.MATCHED}:
        raise errors.wrong_status(locked.get_status_display(), str(_("交办")))
    if provider.pk == locked.requester_department_id:
        raise DomainError("assign_self", _("不能交办给需求部门自己。"), field="provider")
    today = clock.today()
    before = locked.status
    locked.status = DemandStatus.ASSIGNED
    locked.assigned_department = provider
    locked.assigned_on = today
    locked.due_date = add_workdays(today, conf.limit("demand"))
    locked.note = note.strip()
    locked.save()
    audit.record(
        "exchange.demand_assigned",
        actor=actor,
        subject=locked,
        before={"status": before},
        after={
            "status": locked.status,
            "provider": provider.uscc,
            "due_date": locked.due_date.isoformat(),
        },
    )
    return locked


@transaction.atomic
def fulfil_demand(*, actor: Any, demand: DataDemand, resource: Resource) -> DataDemand:
    """The assigned provider names the resource it catalogued; publishing it fulfils the need."""
    locked = _lock_demand(demand)
    if locked.assigned_department is None or not acts_for_department(
        actor, locked.assigned_department
    ):
        raise PermissionDenied()
    if locked.status != DemandStatus.ASSIGNED:
        raise errors.wrong_status(locked.get_status_display(), str(_("上架")))
    resource = Resource.objects.get(pk=resource.pk)
    if resource.provider_id != locked.assigned_department_id:
        raise DomainError("resource_not_yours", _("只能关联本部门的资源。"), field="resource")
    locked.fulfilled_resource = resource
    if resource.current_version_id is not None:
        locked.status = DemandStatus.FULFILLED
        resolve_alarms(locked)
    locked.save(update_fields=["fulfilled_resource", "status"])
    audit.record(
        "exchange.demand_resource_linked",
        actor=actor,
        subject=locked,
        after={"resource": resource.code, "status": locked.status},
    )
    return locked


@transaction.atomic
def close_demand(*, actor: Any, demand: DataDemand, reason: str) -> DataDemand:
    """Close a need (met elsewhere, no longer needed), with a reason."""
    locked = _lock_demand(demand)
    if not (
        acts_for_department(actor, locked.requester_department)
        or is_data_authority(actor, locked.requester_department.region)
    ):
        raise PermissionDenied()
    if locked.status in {DemandStatus.CLOSED, DemandStatus.FULFILLED}:
        raise errors.wrong_status(locked.get_status_display(), str(_("关闭")))
    if not reason.strip():
        raise errors.reason_required("reason")
    before = locked.status
    locked.status = DemandStatus.CLOSED
    locked.note = reason.strip()
    locked.save(update_fields=["status", "note"])
    resolve_alarms(locked)
    audit.record(
        "exchange.demand_closed",
        actor=actor,
        subject=locked,
        before={"status": before},
        after={"status": locked.status, "reason": locked.note},
    )
    return locked


@transaction.atomic
def raise_dispute(
    *,
    actor: Any,
    resource: Resource,
    item_code: str,
    description: str,
    record_reference: str = "",
) -> DataDispute:
    """数据异议: report a suspected error; it goes to the item's authoritative source, which
    must answer within the working-day limit (even when the resource holds only a copy)."""
    department = own_department(actor)
    resource = Resource.objects.select_related("current_version").get(pk=resource.pk)
    version = resource.current_version
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise DomainError("resource_not_published", _("该资源尚未发布。"), status=409)
    item = version.items.select_related("source_department").filter(code=item_code).first()
    if item is None:
        raise DomainError("item_unknown", _("该资源没有这个信息项。"), field="item_code")
    today = clock.today()
    dispute = DataDispute.objects.create(
        number=numbering.formatted(f"YY{today:%Y}", f"exchange.dispute.{today:%Y}", 6),
        resource=resource,
        item_code=item.code,
        item_name=item.name,
        record_reference=clean_text(
            record_reference, "record_reference", max_length=120, required=False
        ),
        description=clean_text(description, "description", max_length=2000),
        raised_by=user_or_none(actor),
        raised_by_department=department,
        source_department=item.source_department,
        source_system=item.source_system,
        opened_on=today,
        due_date=add_workdays(today, conf.limit("dispute")),
    )
    audit.record(
        "exchange.dispute_raised",
        actor=actor,
        subject=dispute,
        after={
            "number": dispute.number,
            "resource": resource.code,
            "item": item.code,
            "source": item.source_department.uscc,
            "due_date": dispute.due_date.isoformat(),
        },
    )
    return dispute


@transaction.atomic
def answer_dispute(*, actor: Any, dispute: DataDispute, outcome: str, answer: str) -> DataDispute:
    """The source checks and answers (corrected, confirmed correct, or other)."""
    locked = (
        DataDispute.objects.select_for_update(of=("self",))
        .select_related("source_department__region")
        .filter(pk=dispute.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    if not acts_for_department(actor, locked.source_department):
        raise PermissionDenied()
    if locked.status != DisputeStatus.OPEN:
        raise errors.wrong_status(locked.get_status_display(), str(_("答复")))
    if outcome not in DisputeOutcome.values:
        raise DomainError("choice_invalid", _("选项不正确。"), field="outcome")
    locked.answer = clean_text(answer, "answer", max_length=2000)
    locked.outcome = outcome
    locked.status = DisputeStatus.ANSWERED
    locked.answered_by = user_or_none(actor)
    locked.answered_at = clock.now()
    locked.save()
    resolve_alarms(locked)
    audit.record(
        "exchange.dispute_answered",
        actor=actor,
        subject=locked,
        before={"status": DisputeStatus.OPEN},
        after={"status": locked.status, "outcome": outcome},
    )
    return locked
