"""跨域通办 under 电子监察: the hall's 转递 limit and the forwarding's own limit are watched
by the periodic tick, warned, listed and escalated like every other deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from yiwang.cases import actions, queries
from yiwang.cases.choices import WarningLevel
from yiwang.cases.models import Case, CaseEscalation, OutboxEvent
from yiwang.cases.tasks import run_tick
from yiwang.cases.tests import test_crossarea as base
from yiwang.cases.tests.conftest import at
from yiwang.cases.tests.test_crossarea import MONDAY, Sides, register
from yiwang.identity.models import User

pytestmark = pytest.mark.django_db
sides = base.sides
version_b = base.version_b
D = dt.date


def ids(user: User, queue: str) -> list[int]:
    return list(queries.queue_for_user(user, queue).values_list("pk", flat=True))


def level_of(case: Case) -> tuple[str, dt.date | None]:
    case.refresh_from_db()
    return case.warning_level, case.due_date


def test_an_unforwarded_hand_off_turns_yellow_then_red_at_the_hall(
    sides: Sides, version_b: Any
) -> None:
    """收件 Monday: forward by Tuesday (1 working day); yellow on Tuesday, red on Wednesday."""
    case = register(sides, version_b)
    run_tick(at(2026, 3, 2, 17))
    assert level_of(case) == ("", D(2026, 3, 3))
    assert ids(sides.clerk_a, "proxy") == [case.pk]
    run_tick(at(2026, 3, 3, 9))
    assert level_of(case) == (WarningLevel.YELLOW, D(2026, 3, 3))
    assert ids(sides.clerk_a, "overdue") == []
    run_tick(at(2026, 3, 4, 9))
    assert level_of(case) == (WarningLevel.RED, D(2026, 3, 3))
    # The hall sees it in its 代收 queue (red filter too) and its 已超期 queue; B and C do not.
    assert ids(sides.clerk_a, "overdue") == [case.pk]
    assert queries.queue_for_user(sides.clerk_a, "proxy", {"warning": "red"}).count() == 1
    assert ids(sides.clerk_b, "overdue") == [] and ids(sides.clerk_c, "overdue") == []
    assert ids(sides.clerk_c, "proxy") == []
    # 督办 goes to the hall's heads, once per level, naming the 转递 limit.
    rows = CaseEscalation.objects.filter(case=case).order_by("created_at")
    assert [(e.level, e.department.name) for e in rows] == [
        ("yellow", "东湖区行政审批局"),
        ("red", "东湖区行政审批局"),
    ]
    red = rows.get(level="red")
    assert "转递期限" in red.message and "admin.a" in red.recipients
    assert "admin.b" not in red.recipients
    event = OutboxEvent.objects.filter(kind="case.escalated").order_by("pk").last()
    assert event is not None and event.payload["stage"] == "forward"
    run_tick(at(2026, 3, 5, 9))
    assert rows.count() == 2


def test_forwarding_clears_the_halls_warning_and_bs_clock_takes_over(
    sides: Sides, version_b: Any
) -> None:
    case = register(sides, version_b)
    run_tick(at(2026, 3, 4, 9))
    assert level_of(case)[0] == WarningLevel.RED
    case = actions.proxy_check(actor=sides.clerk_a, case=case, now=at(2026, 3, 4, 10))
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="electronic", now=at(2026, 3, 4, 11)
    )
    run_tick(at(2026, 3, 4, 12))
    # Electronic forwarding: B's §32 five-day clock runs from Wednesday.
    assert level_of(case) == ("", D(2026, 3, 11))
    assert ids(sides.clerk_a, "overdue") == [] and ids(sides.clerk_a, "proxy") == []
    run_tick(at(2026, 3, 12, 9))
    assert level_of(case)[0] == WarningLevel.RED
    assert ids(sides.clerk_b, "overdue") == [case.pk] and ids(sides.clerk_a, "overdue") == []
    # B's own warnings are not used up by the hall's.
    by_department = CaseEscalation.objects.filter(case=case, level="red")
    assert sorted(e.department.name for e in by_department) == [
        "东湖区行政审批局",
        "西湖区行政审批局",
    ]


def test_a_posted_hand_off_not_signed_for_warns_the_implementing_department(
    sides: Sides, version_b: Any
) -> None:
    """Posted Monday: B signs for it within 3 working days (Thursday)."""
    case = actions.proxy_check(actor=sides.clerk_a, case=register(sides, version_b), now=MONDAY)
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="post", tracking_no="EMS-0001234", now=MONDAY
    )
    run_tick(at(2026, 3, 4, 9))
    assert level_of(case) == ("", D(2026, 3, 5))
    run_tick(at(2026, 3, 6, 9))
    assert level_of(case)[0] == WarningLevel.RED
    assert ids(sides.clerk_b, "overdue") == [case.pk]
    assert ids(sides.clerk_a, "overdue") == [] and ids(sides.clerk_c, "overdue") == []
    red = CaseEscalation.objects.get(case=case, level="red")
    assert red.department.name == "西湖区行政审批局"
    # Signed for: the statutory acceptance clock starts from arrival; the warning clears.
    case = actions.receive_case(actor=sides.clerk_b, case=case, now=at(2026, 3, 6, 10))
    run_tick(at(2026, 3, 6, 11))
    assert level_of(case) == ("", D(2026, 3, 13))


def test_returned_hand_offs_leave_the_tick(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)
    run_tick(at(2026, 3, 4, 9))
    actions.proxy_return(actor=sides.clerk_a, case=case, reason="材料不全", now=at(2026, 3, 4, 10))
    run_tick(at(2026, 3, 4, 11))
    assert level_of(case) == ("", None)
    assert ids(sides.clerk_a, "overdue") == []
