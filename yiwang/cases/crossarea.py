"""跨域通办 rules and reads (DOMAIN §3.10): where an item may be accepted, and who sees what.

An item's `handle_area` decides which halls may take an application for it:
- 本级: only inside the implementing department's own county (its region subtree at county
  level; a city department's "county" is the whole city);
- 全市通办: anywhere in the implementing department's city;
- 跨市通办（省内）: anywhere in its province; 跨省通办 and 全国通办: anywhere.

A case registered at another department's hall (异地代收代办) carries a `CaseHandoff`; the
receiving side and the implementing side then act in their own roles (see permissions.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from yiwang.cases.choices import ApplyType, CaseStatus, HandoffChannel, HandoffMode, HandoffStage
from yiwang.cases.clock import NOTICE_DAYS, ClockState, add_days, days_between
from yiwang.cases.models import Case, CaseHandoff
from yiwang.catalog.choices import HandleArea
from yiwang.core.errors import DomainError
from yiwang.core.workdays import get_calendar, local_date
from yiwang.regions.choices import RegionLevel
from yiwang.regions.models import Department, Region, Staff

# The receiving hall forwards the checked materials within this many working days of 收件.
FORWARD_DAYS = 1
# Posted (寄递) materials are signed for by the implementing department within this many
# working days of forwarding (a 政务专递 parcel inside the province takes one to three days).
ARRIVAL_DAYS = 3
# Stages in which the case still lies with the receiving hall (not yet the implementing side's).
AT_HALL = (HandoffStage.RECEIVED, HandoffStage.CHECKED)


def home_prefix(region: Region, area: str) -> str:
    """The region-code prefix inside which an item of `area` may be accepted ("" = anywhere)."""
    code = region.code
    if area == HandleArea.LOCAL:
        return code[:6] if region.level >= RegionLevel.COUNTY else region.prefix
    if area == HandleArea.CITY_WIDE:
        return code[:4]
    if area == HandleArea.PROVINCE_WIDE:
        return code[:2]
    return ""


def may_accept_at(hall: Department, implementing: Department, area: str) -> bool:
    """True when a hall (or department) of `hall` may take an application for the item."""
    if hall.pk == implementing.pk:
        return True
    return hall.region.code.startswith(home_prefix(implementing.region, area or "1"))


def check_acceptable(hall: Department, implementing: Department, area: str) -> None:
    """Refuse (changing nothing) when the item is not open to handling at `hall`."""
    if may_accept_at(hall, implementing, area):
        return
    raise DomainError(
        "not_open_for_cross_area",
        _("该事项的通办范围为「%(area)s」，%(hall)s不能受理%(implementing)s实施的此事项。"),
        params={
            "area": str(HandleArea(area or "1").label),
            "hall": hall.name,
            "implementing": implementing.name,
        },
        status=409,
    )


def is_open(area: str) -> bool:
    """The item may be handled outside its own county."""
    return bool(area) and area != HandleArea.LOCAL


def proxy_of(case: Case) -> CaseHandoff | None:
    """The 代收 hand-off of a case (cached on the instance for the permission checks)."""
    if hasattr(case, "_proxy_handoff"):
        cached: CaseHandoff | None = case._proxy_handoff
        return cached
    row = (
        CaseHandoff.objects.filter(case_id=case.pk, mode=HandoffMode.PROXY)
        .select_related("from_department", "to_department")
        .first()
    )
    case._proxy_handoff = row  # type: ignore[attr-defined]
    return row


def mode_of(case: Case, handoffs: list[CaseHandoff] | None = None) -> str:
    """全程网办, 异地代收代办, 多地联办 or "" (an ordinary window case of the county)."""
    rows = list(case.handoffs.all()) if handoffs is None else handoffs
    modes = {row.mode for row in rows}
    if HandoffMode.PROXY in modes:
        return HandoffMode.PROXY
    if HandoffMode.JOINT in modes:
        return HandoffMode.JOINT
    if case.apply_type in {ApplyType.ONLINE, ApplyType.API}:
        return HandoffMode.ONLINE
    return ""


def forward_due(handoff: CaseHandoff) -> dt.date:
    """The day by which the receiving hall must have forwarded the materials."""
    return get_calendar().add_workdays(local_date(handoff.received_at), FORWARD_DAYS)


@dataclass(frozen=True)
class HandoffClock:
    """The clock of a 代收 case before the implementing department has signed for it, and the
    department that answers for it (the hall until forwarding, then the implementing one)."""

    state: ClockState
    department: Department
    at_hall: bool


def handoff_clock(case: Case, today: dt.date) -> HandoffClock | None:
    """The running clock of a submitted 代收 case, or None (not 代收, or already signed for).

    - At the hall (代收, 形式审查): `FORWARD_DAYS` working days from 收件 to forwarding.
    - Forwarded electronically: the §32 five-day clock of the implementing department runs
      from the forwarding moment (the materials are in its system), as after its 收件.
    - Forwarded by post: `ARRIVAL_DAYS` working days from forwarding to its 收件.
    """
    if case.status != CaseStatus.SUBMITTED:
        return None
    handoff = proxy_of(case)
    if handoff is None:
        return None
    if handoff.stage in AT_HALL:
        start, limit, stage = local_date(handoff.received_at), FORWARD_DAYS, "forward"
        department, at_hall = handoff.from_department, True
    elif handoff.stage == HandoffStage.FORWARDED and handoff.forwarded_at is not None:
        start = local_date(handoff.forwarded_at)
        department, at_hall = handoff.to_department, False
        if handoff.channel == HandoffChannel.POST:
            limit, stage = ARRIVAL_DAYS, "arrival"
        else:
            limit, stage = NOTICE_DAYS, "acceptance"
    else:
        return None
    due = add_days(start, limit, [])
    state = ClockState(stage, start, limit, days_between(start, today, []), due, False)
    return HandoffClock(state, department, at_hall)


# --- reads ---------------------------------------------------------------------------------


def staff_department_ids(staff: Staff) -> list[int]:
    """The departments a staff member works for (theirs, or all in the jurisdiction)."""
    if staff.department_only:
        in_area = staff.jurisdiction.contains(staff.department.region)
        return [staff.department_id] if in_area else []
    return list(
        Department.objects.filter(region__prefix__startswith=staff.jurisdiction.prefix).values_list(
            "pk", flat=True
        )
    )


def not_yours_to_work(staff: Staff, departments: list[int] | None = None) -> Q:
    """Cases that lie in a role queue's states but are not this staff member's to work on:

    those still at another side's hall (not forwarded yet), those this staff member only
    received on behalf (their 代收 queue shows them instead), and results sent back to
    another hall for hand-over.
    """
    departments = staff_department_ids(staff) if departments is None else departments
    proxy = CaseHandoff.objects.filter(case=OuterRef("pk"), mode=HandoffMode.PROXY)
    only_receiving = proxy.filter(from_department_id__in=departments).exclude(
        to_department_id__in=departments
    )
    # A result on its way back to another hall is that hall's to hand over.
    returning_elsewhere = proxy.filter(stage=HandoffStage.RETURNING).exclude(
        from_department_id__in=departments
    )
    return (
        Q(Exists(proxy.filter(stage__in=AT_HALL)))
        | Q(Exists(only_receiving))
        | Q(Exists(returning_elsewhere))
    )


PROXY_QUEUE_STATUSES: list[str] = [CaseStatus.SUBMITTED, CaseStatus.DELIVERING]


def proxy_queue_filter(staff: Staff, departments: list[int] | None = None) -> Q:
    """代收 queue: cases this hall received and must check/forward, or must hand over."""
    departments = staff_department_ids(staff) if departments is None else departments
    rows = CaseHandoff.objects.filter(
        case=OuterRef("pk"),
        mode=HandoffMode.PROXY,
        from_department_id__in=departments,
        stage__in=[*AT_HALL, HandoffStage.RETURNING],
    )
    return Q(Exists(rows))


def handoffs_for(case: Case) -> list[CaseHandoff]:
    return list(case.handoffs.select_related("from_department", "to_department"))


def describe(case: Case, handoffs: list[CaseHandoff]) -> dict[str, Any]:
    """What the case page and API show about the hand-off."""
    proxy = next((h for h in handoffs if h.mode == HandoffMode.PROXY), None)
    mode = mode_of(case, handoffs)
    return {
        "mode": mode,
        "mode_label": str(HandoffMode(mode).label) if mode else "",
        "proxy": proxy,
        "forward_due": forward_due(proxy) if proxy and proxy.stage in AT_HALL else None,
        "joint": [h for h in handoffs if h.mode == HandoffMode.JOINT],
    }
