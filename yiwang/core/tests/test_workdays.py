"""Working-day arithmetic against the State Council schedules, computed by hand.

2025: 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked; 国庆中秋 10/1–10/8 off,
      9/28 (Sun) and 10/11 (Sat) worked.
2026: 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked; 中秋 9/25–9/27 off;
      国庆 10/1–10/7 off, 9/20 (Sun) and 10/10 (Sat) worked; 清明 4/4–4/6 off.
"""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core import actions
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import PermissionDenied
from yiwang.core.workdays import WorkCalendar, add_workdays, get_calendar, workdays_between

D = dt.date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 1, 26), True),  # Sunday, make-up working day
        (D(2025, 1, 29), False),  # 春节
        (D(2025, 2, 8), True),  # Saturday, make-up
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        (D(2026, 1, 4), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        (D(2026, 9, 20), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_national_schedule(cal: WorkCalendar, day: dt.date, expected: bool) -> None:
    assert cal.is_workday(day) is expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 5-day 补正 notice limit across the 2025 Spring Festival: 1/21–1/24, then Sunday 1/26.
        (D(2025, 1, 20), 5, D(2025, 1, 26)),
        # 20-day decision limit across the same holiday (counted by hand, day by day).
        (D(2025, 1, 20), 20, D(2025, 2, 21)),
        # 2025 National Day: 9/28 (make-up Sunday), 9/29, 9/30, then 10/9, 10/10.
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        # 2026 Spring Festival: Saturday 2/14 counts, 2/15–2/23 do not.
        (D(2026, 2, 13), 3, D(2026, 2, 25)),
        # 2026: 9/20 make-up, 9/21–9/24, 中秋 off, 9/28–9/30, 国庆 off, 10/8, 10/9.
        (D(2026, 9, 18), 10, D(2026, 10, 9)),
        (D(2026, 9, 18), 11, D(2026, 10, 10)),  # Saturday 10/10 is a working day
        (D(2026, 3, 2), 0, D(2026, 3, 2)),
    ],
)
def test_add_workdays_by_hand(
    cal: WorkCalendar, start: dt.date, days: int, expected: dt.date
) -> None:
    assert cal.add_workdays(start, days) == expected


def test_pause_moves_the_deadline(cal: WorkCalendar) -> None:
    # Accepted Mon 3/2 with 20 working days: due Mon 3/30. A 补正 pause from the notice on
    # Wed 3/4 to the correction on Tue 3/10 removes 3/5, 3/6, 3/9, 3/10 (four working days),
    # so the clock runs to 3/31, 4/1, 4/2, 4/3 (4/4–4/6 are 清明).
    assert cal.add_workdays(D(2026, 3, 2), 20) == D(2026, 3, 30)
    pause = (D(2026, 3, 4), D(2026, 3, 10))
    assert cal.add_workdays(D(2026, 3, 2), 20, pauses=[pause]) == D(2026, 4, 3)
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 30), excluding=[pause]) == 16
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 30)) == 20


def test_two_pauses_and_overlap(cal: WorkCalendar) -> None:
    pauses = [(D(2026, 3, 4), D(2026, 3, 6)), (D(2026, 3, 5), D(2026, 3, 9))]
    # Union: 3/5, 3/6, 3/9 excluded once each.
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 13), excluding=pauses) == 6


def test_open_pause_has_no_deadline(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="open pause"):
        cal.add_workdays(D(2026, 3, 2), 5, pauses=[(D(2026, 3, 3), None)])
    # …but elapsed time is still measurable while paused.
    assert (
        cal.workdays_between(D(2026, 3, 2), D(2026, 3, 13), excluding=[(D(2026, 3, 3), None)]) == 1
    )


def test_start_day_convention_is_configurable() -> None:
    counting = WorkCalendar(start_day_counts=True)
    assert counting.add_workdays(D(2026, 3, 2), 1) == D(2026, 3, 2)
    assert counting.add_workdays(D(2026, 3, 2), 5) == D(2026, 3, 6)
    # A start on a holiday never counts, whatever the convention.
    assert counting.add_workdays(D(2026, 2, 16), 1) == D(2026, 2, 24)
    assert WorkCalendar().add_workdays(D(2026, 3, 2), 5) == D(2026, 3, 9)


def test_unknown_year_falls_back_to_weekdays(cal: WorkCalendar) -> None:
    assert cal.is_workday(D(2099, 1, 1)) is True  # a Thursday, no schedule known
    assert cal.is_workday(D(2099, 1, 3)) is False  # Saturday


def test_bad_arguments(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 3, 2), -1)


@pytest.mark.django_db
def test_city_override_changes_deadlines(personas, django_capture_on_commit_callbacks) -> None:
    start = D(2026, 3, 2)
    assert add_workdays(start, 20) == D(2026, 3, 30)
    # The cache is dropped when the edit commits; run the commit hooks as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_calendar_override(
            actor=personas.catalog_admin, date=D(2026, 3, 16), is_workday=False, reason="本地节日"
        )
    assert add_workdays(start, 20) == D(2026, 3, 31)
    assert workdays_between(start, D(2026, 3, 31)) == 20
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_calendar_override(
            actor=SYSTEM, date=D(2026, 3, 21), is_workday=True, reason="调休上班"
        )
    assert add_workdays(start, 20) == D(2026, 3, 30)
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_calendar_override(actor=personas.catalog_admin, date=D(2026, 3, 21))
        actions.remove_calendar_override(actor=personas.catalog_admin, date=D(2026, 3, 16))
    assert get_calendar().overrides == {}


@pytest.mark.django_db
def test_only_catalog_admins_edit_the_calendar(personas) -> None:
    from yiwang.core.models import AuditEntry, CalendarOverride

    with pytest.raises(PermissionDenied):
        actions.set_calendar_override(
            actor=personas.clerk_a, date=D(2026, 3, 16), is_workday=False, reason="x"
        )
    assert not CalendarOverride.objects.exists()
    actions.set_calendar_override(
        actor=personas.catalog_admin, date=D(2026, 3, 16), is_workday=False, reason="本地节日"
    )
    entry = AuditEntry.objects.get(action="core.calendar_override_set")
    assert entry.actor == personas.catalog_admin
    assert entry.after["is_workday"] is False
