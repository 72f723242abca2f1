"""The clock against dates computed by hand on the 2026 State Council calendar.

2026: 中秋 9/25–9/27 off; 国庆 10/1–10/7 off; Sunday 9/20 and Saturday 10/10 are make-up
working days. The start day never counts (YIWANG_CLOCK_START_DAY_COUNTS=false).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from yiwang.cases import actions
from yiwang.cases.choices import AcceptanceMode, CaseStatus, WarningLevel
from yiwang.cases.models import CaseEscalation, OutboxEvent
from yiwang.cases.tasks import run_tick
from yiwang.cases.tests.conftest import accepted_case, at, submit
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.core import actions as core_actions
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError

D = dt.date
pytestmark = pytest.mark.django_db


def test_promise_date_over_holidays_with_pause_and_extension(personas, staff, version) -> None:
    # Accepted Fri 9/18, 10 WD: 9/20(1, make-up Sunday) 9/21(2) 9/22(3) 9/23(4) 9/24(5)
    # [9/25–27 中秋] 9/28(6) 9/29(7) 9/30(8) [10/1–7 国庆] 10/8(9) 10/9(10) → due 10/9.
    case = accepted_case(personas.citizen, version, staff, at(2026, 9, 18))
    assert case.promise_date == D(2026, 10, 9)
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 9, 21)
    )
    # 专家评审 from Tue 9/22 to Mon 9/28: (9/22, 9/28] pauses 9/23, 9/24, 9/28 (3 WD).
    case = actions.start_special_procedure(
        actor=staff.reviewer,
        case=case,
        special_type="8",
        reason="专家评审",
        duration_explain="约 5 个工作日",
        now=at(2026, 9, 22),
    )
    assert case.status == CaseStatus.SPECIAL_PROCEDURE
    case = actions.end_special_procedure(
        actor=staff.reviewer, case=case, result="评审通过", now=at(2026, 9, 28)
    )
    # Recount: 9/20(1) 9/21(2) 9/22(3) [9/23 9/24 paused, holidays, 9/28 paused] 9/29(4)
    # 9/30(5) 10/8(6) 10/9(7) 10/10(8, make-up Saturday) 10/12(9) 10/13(10).
    assert case.promise_date == D(2026, 10, 13)
    # +10 WD: 10/14 15 16 19 20 21 22 23 26 27.
    case = actions.extend_case(
        actor=staff.approver, case=case, reason="情况复杂", now=at(2026, 10, 9)
    )
    assert case.promise_date == D(2026, 10, 27) and case.extension_days == 10
    with pytest.raises(DomainError) as again:
        actions.extend_case(actor=staff.approver, case=case, reason="再延", now=at(2026, 10, 12))
    assert again.value.code == "transition_not_allowed"  # only once


def test_suspension_pauses_and_resumes(personas, staff, version) -> None:
    # Accepted Mon 11/2, 10 WD → Mon 11/16. Suspended Wed 11/4 to Wed 11/11: (11/4, 11/11]
    # pauses 11/5 11/6 11/9 11/10 11/11 (5 WD) → 11/17 18 19 20 23 → Mon 11/23.
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    assert case.promise_date == D(2026, 11, 16)
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    case = actions.suspend_case(
        actor=staff.approver, case=case, reason="申请人涉诉", now=at(2026, 11, 4)
    )
    assert case.status == CaseStatus.SUSPENDED
    case = actions.resume_case(actor=staff.approver, case=case, now=at(2026, 11, 11))
    assert case.promise_date == D(2026, 11, 23)


def test_joint_handling_extends_by_fifteen(personas, staff, city) -> None:
    version = make_published_task(city, code_suffix="0002")
    # Accepted Mon 11/2, 10 WD → 11/16; +15 WD → 11/17…12/7 (Mon 12/7).
    case = accepted_case(
        personas.citizen, version, staff, at(2026, 11, 2), joint_departments=[city.dept_a]
    )
    assert case.is_joint and case.review_tasks.count() == 2
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    with pytest.raises(DomainError) as beyond:
        actions.extend_case(actor=staff.approver, case=case, reason="x", days=16)
    assert beyond.value.code == "extension_beyond_law"
    case = actions.extend_case(actor=staff.approver, case=case, reason="联办", now=at(2026, 11, 4))
    assert case.extension_days == 15 and case.promise_date == D(2026, 12, 7)


def test_deemed_acceptance_after_five_working_days(personas, staff, version) -> None:
    # Received Wed 9/30 16:00; 5 WD: 10/8 10/9 10/10(make-up) 10/12 10/13 → last day 10/13.
    case = submit(personas.citizen, version, at(2026, 9, 29))
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 9, 30, 16))
    assert run_tick(at(2026, 10, 13, 17))["deemed_accepted"] == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert run_tick(at(2026, 10, 14, 9))["deemed_accepted"] == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.acceptance_mode == AcceptanceMode.DEEMED
    assert case.accept_date == at(2026, 9, 30, 16)  # as of receipt (§32)
    # 10 WD from 9/30: 10/8 9 10 12 13 14 15 16 19 20.
    assert case.promise_date == D(2026, 10, 20)
    assert case.processes.last().handle_user_name == "系统"
    assert OutboxEvent.objects.filter(case=case, kind="case.deem_accept").count() == 1
    assert run_tick(at(2026, 10, 15, 9))["deemed_accepted"] == 0  # retry-safe


def test_a_correction_notice_prevents_deemed_acceptance(personas, staff, version) -> None:
    case = submit(personas.citizen, version, at(2026, 11, 2))
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    row = case.materials.first()
    case = actions.request_correction(
        actor=staff.clerk, case=case, rejections={row.pk: "缺少签字"}, now=at(2026, 11, 4)
    )
    run_tick(at(2026, 11, 30))
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUIRED


def test_correction_too_late_after_five_working_days(personas, staff, version) -> None:
    case = submit(personas.citizen, version, at(2026, 11, 2))
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    row = case.materials.first()
    with pytest.raises(DomainError) as late:
        actions.request_correction(
            actor=staff.clerk, case=case, rejections={row.pk: "x"}, now=at(2026, 11, 10)
        )
    assert late.value.code == "correction_too_late"


def test_local_holiday_override_moves_the_deadline(personas, staff, version) -> None:
    core_actions.set_calendar_override(
        actor=SYSTEM, date=D(2026, 11, 16), is_workday=False, reason="本地节日"
    )
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    assert case.promise_date == D(2026, 11, 17)


def test_warnings_and_escalations_once_per_level(personas, staff, version) -> None:
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))  # due 11/16
    run_tick(at(2026, 11, 10))  # used 6 of 10
    case.refresh_from_db()
    assert case.warning_level == "" and case.due_date == D(2026, 11, 16)
    run_tick(at(2026, 11, 12))  # used 8 of 10: yellow
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.YELLOW
    run_tick(at(2026, 11, 13))
    run_tick(at(2026, 11, 17))  # overdue: red
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED
    escalations = CaseEscalation.objects.filter(case=case)
    assert sorted(escalations.values_list("level", flat=True)) == ["red", "yellow"]
    # The department's head, and the county-wide department admin (not department-only).
    assert escalations.get(level="red").recipients == ["admin.a", "head.a2"]
    run_tick(at(2026, 11, 18))
    assert escalations.count() == 2


def test_yellow_share_is_configurable(personas, staff, version, settings) -> None:
    settings.YIWANG_CASE_YELLOW_SHARE = 0.5
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    run_tick(at(2026, 11, 9))  # used 5 of 10
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.YELLOW


def test_paused_case_keeps_its_due_date_and_stays_green(personas, staff, version) -> None:
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    actions.suspend_case(actor=staff.approver, case=case, reason="等待", now=at(2026, 11, 4))
    run_tick(at(2026, 11, 30))
    case.refresh_from_db()
    assert case.warning_level == "" and case.promise_date == D(2026, 11, 16)


def test_cases_tick_command(personas, staff, version, capsys) -> None:
    case = submit(personas.citizen, version, at(2026, 9, 29))
    actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 9, 30, 16))
    call_command("cases_tick", "--at", "2026-10-14T09:00+08:00")
    assert "deemed accepted: 1" in capsys.readouterr().out
    with pytest.raises(Exception, match="time zone"):
        call_command("cases_tick", "--at", "2026-10-14T09:00")
