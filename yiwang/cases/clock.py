"""The case clock: deadlines in working days (行政许可法 §82) with pauses subtracted.

Three clocks run one after another, each from its own trigger:
- acceptance (§32): 5 working days from receipt to tell the applicant what is missing;
- decision (§42): the item's promised limit (承诺时限, never above the statutory one) from
  acceptance, plus an approved extension, with 补正/特别程序/中止 intervals not counting;
- delivery (§44): 10 working days from the decision.
All dates are Asia/Shanghai calendar dates; pauses follow core.workdays' (start, end] rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from yiwang.cases.choices import CaseStatus, WarningLevel
from yiwang.catalog.choices import LimitUnit, ProjectType
from yiwang.core.workdays import Pause, get_calendar, local_date

if TYPE_CHECKING:
    from yiwang.cases.models import Case, CasePause

NOTICE_DAYS = 5  # §32: 补正 must be told within 5 days of receipt
DELIVERY_DAYS = 10  # §44
EXTENSION_DAYS = 10  # §42: +10 with the head's approval
JOINT_EXTENSION_DAYS = 15  # §42: 统一/联合/集中办理 +15

DECISION_STATES = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.SPECIAL_PROCEDURE,
        CaseStatus.SUSPENDED,
    }
)
DELIVERY_STATES = frozenset({CaseStatus.DECIDED, CaseStatus.CERT_ISSUING, CaseStatus.DELIVERING})


def pause_dates(pauses: Iterable[CasePause]) -> list[Pause]:
    """Pause rows as date intervals (an open pause has end None)."""
    return [
        (local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None) for p in pauses
    ]


def _natural_add(start: dt.date, n: int, pauses: list[Pause]) -> dt.date:
    day, remaining = start, n
    while remaining > 0:
        day += dt.timedelta(days=1)
        if not any(a < day and (b is None or day <= b) for a, b in pauses):
            remaining -= 1
    return day


def _natural_between(start: dt.date, end: dt.date, pauses: list[Pause]) -> int:
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if not any(a < day and (b is None or day <= b) for a, b in pauses):
            count += 1
    return count


def add_days(start: dt.date, n: int, pauses: list[Pause], *, natural: bool = False) -> dt.date:
    """The deadline `n` counted days after `start`, pauses left out."""
    if natural:
        return _natural_add(start, n, pauses)
    return get_calendar().add_workdays(start, n, pauses=pauses)


def days_between(
    start: dt.date, end: dt.date, pauses: list[Pause], *, natural: bool = False
) -> int:
    """Counted days after `start` up to and including `end`, pauses (open ones too) left out."""
    if end <= start:
        return 0
    if natural:
        return _natural_between(start, end, pauses)
    return get_calendar().workdays_between(start, end, excluding=pauses)


def decision_limit(case: Case) -> tuple[int | None, bool]:
    """The decision limit in days (promised, else statutory) plus extension; and its unit."""
    version = case.task_version
    if version.project_type == ProjectType.IMMEDIATE:
        return 0, False
    if version.promise_day is not None:
        days, unit = version.promise_day, version.promise_type
    elif version.anticipate_day is not None:
        days, unit = version.anticipate_day, version.anticipate_type
    else:
        return None, False
    return days + case.extension_days, unit == LimitUnit.NATURAL_DAYS


def promise_date(case: Case, pauses: list[Pause]) -> dt.date | None:
    """承诺办结时间: acceptance date + limit, closed pauses added; unknown while paused."""
    if case.accept_date is None:
        return None
    limit, natural = decision_limit(case)
    if limit is None:
        return None
    if any(end is None for _, end in pauses):
        return case.promise_date
    return add_days(local_date(case.accept_date), limit, pauses, natural=natural)


def max_extension(case: Case) -> int:
    """How many days the head may add (§42), once."""
    return JOINT_EXTENSION_DAYS if case.is_joint else EXTENSION_DAYS


@dataclass(frozen=True)
class ClockState:
    """Where the clock of the case's current stage stands on a given day."""

    stage: str
    start: dt.date
    limit: int
    used: int
    due: dt.date | None
    paused: bool

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    @property
    def overdue(self) -> bool:
        return self.used > self.limit

    def warning(self, yellow_share: float | None = None) -> str:
        """黄牌 at `yellow_share` of the limit used, 红牌 once the due day has passed."""
        share = settings.YIWANG_CASE_YELLOW_SHARE if yellow_share is None else yellow_share
        if self.overdue:
            return WarningLevel.RED
        if self.limit == 0 or self.used / self.limit >= share:
            return WarningLevel.YELLOW if self.limit else WarningLevel.NONE
        return WarningLevel.NONE


def stage_clock(case: Case, pauses: list[Pause], today: dt.date) -> ClockState | None:
    """The running clock of the case's stage, or None when no clock runs (drafts, closed)."""
    status = case.status
    paused = any(end is None for _, end in pauses)
    if status == CaseStatus.RECEIVED and case.correction_requested_at is None:
        if case.received_at is None:
            return None
        start = local_date(case.received_at)
        notice_due = add_days(start, NOTICE_DAYS, [])
        return ClockState(
            "acceptance", start, NOTICE_DAYS, days_between(start, today, []), notice_due, False
        )
    if status in DECISION_STATES and case.accept_date is not None:
        limit, natural = decision_limit(case)
        if limit is None:
            return None
        start = local_date(case.accept_date)
        used = days_between(start, today, pauses, natural=natural)
        due: dt.date | None = None if paused else add_days(start, limit, pauses, natural=natural)
        return ClockState("decision", start, limit, used, due, paused)
    if status in DELIVERY_STATES and case.decided_at is not None:
        start = local_date(case.decided_at)
        used = days_between(start, today, [])
        return ClockState(
            "delivery", start, DELIVERY_DAYS, used, add_days(start, DELIVERY_DAYS, []), False
        )
    return None
