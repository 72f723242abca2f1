"""The working-day calendar (行政许可法 §82): every legal time limit counts working days.

National holidays and make-up working days (调休) come from the chinese-calendar package; a
city's administrator can override single dates (CalendarOverride). Years the package does
not know yet fall back to Monday–Friday plus the overrides, and say so in the log, because a
deadline must still be computable the day a case is accepted.

Pauses (补正, 特别程序, 中止) are half-open date intervals (start, end]: the day a pause starts
still counts, the days after it up to and including the day the clock resumes do not; this
mirrors the convention that a clock starts on the day after its trigger.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERRIDE_CACHE_SECONDS = 60
# A statutory limit is at most a few hundred working days; anything beyond is a caller bug.
MAX_WORKDAYS = 3660

Pause = tuple[dt.date, dt.date | None]


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Asia/Shanghai of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the clock needs to know the time zone")
    return moment.astimezone(SHANGHAI).date()


@dataclass
class WorkCalendar:
    """Answers 'is this a working day' and does working-day arithmetic with pauses."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    start_day_counts: bool = False
    _warned_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        """True on working days of this city."""
        override = self.overrides.get(day)
        if override is not None:
            return override
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                logger.warning(
                    "chinese-calendar has no schedule for %s; using Monday-Friday and overrides",
                    day.year,
                )
            return day.weekday() < 5

    def _counts(self, day: dt.date, pauses: Sequence[Pause]) -> bool:
        if not self.is_workday(day):
            return False
        return not any(start < day and (end is None or day <= end) for start, end in pauses)

    def add_workdays(self, start: dt.date, n: int, *, pauses: Iterable[Pause] = ()) -> dt.date:
        """The date on which `n` counted working days after `start` have elapsed."""
        if n < 0 or n > MAX_WORKDAYS:
            raise ValueError(f"working days must be between 0 and {MAX_WORKDAYS}, not {n}")
        pause_list = list(pauses)
        if any(end is None for _, end in pause_list):
            raise ValueError("an open pause has no end yet, so no deadline can be computed")
        day = start
        remaining = n
        if self.start_day_counts and remaining > 0 and self._counts(start, pause_list):
            remaining -= 1
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self._counts(day, pause_list):
                remaining -= 1
        return day

    def workdays_between(
        self, start: dt.date, end: dt.date, *, excluding: Iterable[Pause] = ()
    ) -> int:
        """Counted working days from `start` to `end` (end included), pauses left out."""
        if end < start:
            return -self.workdays_between(end, start, excluding=excluding)
        pause_list = list(excluding)
        count = 0
        day = start
        if self.start_day_counts and self._counts(start, pause_list):
            count += 1
        while day < end:
            day += dt.timedelta(days=1)
            if self._counts(day, pause_list):
                count += 1
        return count

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day


_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None


def get_calendar() -> WorkCalendar:
    """The city's calendar with its overrides, cached for a minute per process."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[0] < OVERRIDE_CACHE_SECONDS:
            return _cached[1]
    from yiwang.core.models import CalendarOverride

    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    calendar = WorkCalendar(
        overrides=overrides, start_day_counts=settings.YIWANG_CLOCK_START_DAY_COUNTS
    )
    with _lock:
        _cached = (now, calendar)
    return calendar


def invalidate_calendar() -> None:
    """Forget the cached overrides (called after an administrator edits them)."""
    global _cached
    with _lock:
        _cached = None


def add_workdays(start: dt.date, n: int, *, pauses: Iterable[Pause] = ()) -> dt.date:
    """Module-level shortcut on the city's calendar."""
    return get_calendar().add_workdays(start, n, pauses=pauses)


def workdays_between(start: dt.date, end: dt.date, *, excluding: Iterable[Pause] = ()) -> int:
    """Module-level shortcut on the city's calendar."""
    return get_calendar().workdays_between(start, end, excluding=excluding)
