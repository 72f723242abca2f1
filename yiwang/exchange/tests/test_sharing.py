"""Sharing requests: stages, working-day deadlines, refusals with reasons, overdue alarms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import CalendarOverride
from yiwang.exchange import actions, clock
from yiwang.exchange.choices import AlarmKind, AuthorisationStatus, SharingStatus
from yiwang.exchange.models import Authorisation, ExchangeAlarm, SharingRequest
from yiwang.exchange.tasks import raise_overdue_alarms_task
from yiwang.exchange.tests.conftest import request_population

WED_30_SEP = dt.date(2026, 9, 30)  # the day before the National Day holiday (1–7 Oct 2026)


@pytest.fixture
def on(monkeypatch):
    """Set the exchange's 'today' (and 'now' at noon that day)."""

    def move(day: dt.date) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)
        monkeypatch.setattr(
            clock,
            "now",
            lambda: dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
        )

    return move


@pytest.mark.django_db
def test_a_conditional_refusal_without_a_reason_is_rejected(world) -> None:
    request = request_population(world)
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    for reason in ("", "   "):
        with pytest.raises(DomainError) as caught:
            actions.review_as_provider(
                actor=world.police_officer, request=request, authorise=False, reason=reason
            )
        assert caught.value.code == "refusal_reason_required"
        assert caught.value.field == "reason"
    request.refresh_from_db()
    assert request.status == SharingStatus.PROVIDER_REVIEW  # nothing changed
    assert request.refusal_reason == ""
    refused = actions.review_as_provider(
        actor=world.police_officer,
        request=request,
        authorise=False,
        reason="依据《居民身份证法》第十九条，公民身份号码仅限身份核验使用",
    )
    assert refused.status == SharingStatus.REFUSED
    assert "居民身份证法" in refused.refusal_reason
    assert not Authorisation.objects.exists()


@pytest.mark.django_db
def test_compliance_review_is_due_in_two_working_days_across_the_holiday(world, on) -> None:
    on(WED_30_SEP)
    request = request_population(world)
    # The clock starts the next working day: Thu 8 Oct (day 1), Fri 9 Oct (day 2).
    assert request.due_date == dt.date(2026, 10, 9)
    assert request.status == SharingStatus.COMPLIANCE_REVIEW


@pytest.mark.django_db
def test_overdue_review_raises_one_alarm_on_the_right_working_day(world, on) -> None:
    on(WED_30_SEP)
    request = request_population(world)
    assert request.due_date == dt.date(2026, 10, 9)
    # Hand-computed: due Fri 9 Oct; Sat 10 Oct is a make-up working day (调休), so the review
    # is overdue and alarmed on Saturday 10 October — not during the holiday, not on the 9th.
    for day in (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 7),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
    ):
        assert actions.raise_overdue_alarms(today=day) == []
    raised = actions.raise_overdue_alarms(today=dt.date(2026, 10, 10))
    assert [(a.kind, a.subject_label, a.raised_on) for a in raised] == [
        (AlarmKind.COMPLIANCE_OVERDUE, request.number, dt.date(2026, 10, 10))
    ]
    # Retry-safe: running again (the same day, or the next) raises nothing more.
    assert actions.raise_overdue_alarms(today=dt.date(2026, 10, 10)) == []
    assert actions.raise_overdue_alarms(today=dt.date(2026, 10, 12)) == []
    assert ExchangeAlarm.objects.count() == 1


@pytest.mark.django_db
def test_no_alarm_on_a_rest_day_and_a_local_holiday_moves_it(world, on) -> None:
    on(WED_30_SEP)
    request_population(world)
    CalendarOverride.objects.create(date=dt.date(2026, 10, 10), is_workday=False, reason="本地调整")
    from yiwang.core.workdays import invalidate_calendar

    invalidate_calendar()
    assert actions.raise_overdue_alarms(today=dt.date(2026, 10, 10)) == []  # now a rest day
    assert actions.raise_overdue_alarms(today=dt.date(2026, 10, 11)) == []  # Sunday
    assert len(actions.raise_overdue_alarms(today=dt.date(2026, 10, 12))) == 1


@pytest.mark.django_db
def test_provider_review_is_five_working_days_when_published(world, on) -> None:
    on(WED_30_SEP)
    request = request_population(world)
    on(dt.date(2026, 10, 9))
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    request.refresh_from_db()
    # From Fri 9 Oct: 10 (Sat, 调休), 12, 13, 14, 15 → due Thu 15 Oct; alarm on Fri 16.
    assert request.status == SharingStatus.PROVIDER_REVIEW
    assert request.due_date == dt.date(2026, 10, 15)
    assert actions.raise_overdue_alarms(today=dt.date(2026, 10, 15)) == []
    raised = actions.raise_overdue_alarms(today=dt.date(2026, 10, 16))
    assert [a.kind for a in raised] == [AlarmKind.PROVIDER_OVERDUE]
    assert raised[0].department == world.police
    # Answering resolves the alarm.
    actions.review_as_provider(actor=world.police_officer, request=request, authorise=True)
    assert ExchangeAlarm.objects.get().resolved_at is not None


@pytest.mark.django_db
def test_alarm_task_and_command_are_the_same_retry_safe_job(world, on) -> None:
    on(WED_30_SEP)
    request_population(world)
    on(dt.date(2026, 10, 10))
    raise_overdue_alarms_task.enqueue()
    call_command("exchange_alarms", "--date", "2026-10-10")
    assert ExchangeAlarm.objects.count() == 1


@pytest.mark.django_db
def test_unconditional_resources_are_authorised_at_compliance(world) -> None:
    draft = actions.new_resource_draft(
        actor=world.police_officer, resource=world.population.resource
    )
    actions.update_resource_draft(
        actor=world.police_officer, version=draft, fields={"sharing_type": "1"}
    )
    actions.publish_resource_version(actor=world.data_admin, version=draft)
    request = request_population(world)
    authorised = actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    assert authorised.status == SharingStatus.AUTHORIZED
    grant = Authorisation.objects.get(request=request)
    assert grant.items == ["xm", "csrq"] and grant.status == AuthorisationStatus.ACTIVE
    assert grant.consumer_department == world.city.dept_a2
    assert grant.provider_department == world.police


@pytest.mark.django_db
def test_refusal_negotiation_coordination_authorised(world) -> None:
    request = request_population(world)
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    actions.review_as_provider(
        actor=world.police_officer, request=request, authorise=False, reason="用途超出共享条件"
    )
    with pytest.raises(DomainError):
        actions.object_to_refusal(actor=world.consumer_officer, request=request, note="")
    actions.object_to_refusal(
        actor=world.consumer_officer, request=request, note="用于许可审查，属于共享条件范围"
    )
    actions.escalate_to_coordination(
        actor=world.police_officer, request=request, note="双方未达成一致"
    )
    with pytest.raises(PermissionDenied):
        actions.coordinate(actor=world.police_officer, request=request, authorise=True, note="x")
    done = actions.coordinate(
        actor=world.data_admin, request=request, authorise=True, note="经协调，限定姓名和出生日期"
    )
    assert done.status == SharingStatus.AUTHORIZED
    steps = list(done.events.values_list("to_status", flat=True))
    assert steps == [
        "compliance_review", "provider_review", "refused", "negotiation", "coordination",
        "authorized",
    ]  # fmt: skip


@pytest.mark.django_db
def test_coordination_may_close_and_must_say_why(world) -> None:
    request = request_population(world)
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    actions.review_as_provider(
        actor=world.police_officer, request=request, authorise=False, reason="无法律依据"
    )
    actions.object_to_refusal(actor=world.consumer_officer, request=request, note="有依据")
    actions.escalate_to_coordination(actor=world.consumer_officer, request=request, note="请协调")
    with pytest.raises(DomainError):
        actions.coordinate(actor=world.data_admin, request=request, authorise=False, note=" ")
    closed = actions.coordinate(
        actor=world.data_admin, request=request, authorise=False, note="维持不予共享"
    )
    assert closed.status == SharingStatus.CLOSED and closed.closing_reason == "维持不予共享"


@pytest.mark.django_db
def test_compliance_return_needs_a_note_and_resubmission_restarts_the_clock(world) -> None:
    request = request_population(world)
    with pytest.raises(DomainError):
        actions.review_compliance(actor=world.data_admin, request=request, approve=False)
    returned = actions.review_compliance(
        actor=world.data_admin, request=request, approve=False, note="请补充法律依据"
    )
    assert returned.status == SharingStatus.RETURNED and returned.due_date is None
    again = actions.resubmit_sharing_request(
        actor=world.consumer_officer,
        request=request,
        purpose="食品经营许可审查（《食品安全法》第三十五条）",
        scenario=request.scenario,
        items=["xm"],
        period_start=request.period_start,
        period_end=request.period_end,
    )
    assert again.status == SharingStatus.COMPLIANCE_REVIEW and again.items == ["xm"]
    assert again.due_date is not None


@pytest.mark.django_db
def test_who_may_act_at_each_stage(world) -> None:
    # Only the department's officer files for it; a clerk cannot; another county cannot.
    with pytest.raises(PermissionDenied):
        request_population(world, actor=world.officer_b)
    request = request_population(world)
    with pytest.raises(PermissionDenied):
        actions.review_compliance(actor=world.consumer_officer, request=request, approve=True)
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    with pytest.raises(PermissionDenied):  # the requester cannot answer as provider
        actions.review_as_provider(actor=world.consumer_officer, request=request, authorise=True)
    with pytest.raises(DomainError) as caught:  # not the stage for it
        actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    assert caught.value.code == "status_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"items": []}, "items_required"),
        ({"items": ["nope"]}, "items_unknown"),
        ({"purpose": "  "}, "field_required"),
        ({"period_end": dt.date(2020, 1, 1), "period_start": dt.date(2019, 1, 1)}, "period_past"),
        ({"rate_limit_per_minute": 0}, "rate_invalid"),
    ],
)
def test_bad_requests_change_nothing(world, overrides, code) -> None:
    with pytest.raises(DomainError) as caught:
        request_population(world, **overrides)
    assert caught.value.code == code
    assert not SharingRequest.objects.exists()


@pytest.mark.django_db
def test_request_numbers_are_gap_free(world) -> None:
    first = request_population(world)
    with pytest.raises(DomainError):
        request_population(world, items=["nope"])
    second = request_population(world)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


@pytest.mark.django_db
def test_revoked_authorisation_is_revoked_with_a_reason(world) -> None:
    from yiwang.exchange.tests.conftest import authorise_population

    grant = authorise_population(world)
    with pytest.raises(DomainError):
        actions.revoke_authorisation(actor=world.police_officer, authorisation=grant, reason="")
    with pytest.raises(PermissionDenied):
        actions.revoke_authorisation(actor=world.officer_b, authorisation=grant, reason="x")
    revoked = actions.revoke_authorisation(
        actor=world.police_officer, authorisation=grant, reason="发现超范围使用"
    )
    assert revoked.status == AuthorisationStatus.REVOKED


@pytest.mark.django_db
def test_demands_and_disputes_past_their_deadline_are_alarmed(world, on) -> None:
    on(WED_30_SEP)
    demand = actions.post_demand(
        actor=world.consumer_officer, department=world.city.dept_a2, title="户籍信息",
        description="核验申请人户籍", keywords="户籍",
    )  # fmt: skip
    assigned = actions.assign_demand(actor=world.data_admin, demand=demand, provider=world.police)
    # 10 WD from Wed 30 Sep: 8, 9, 10 (调休), 12–16, 19, 20 October.
    assert assigned.due_date == dt.date(2026, 10, 20)
    dispute = actions.raise_dispute(
        actor=world.consumer_officer, resource=world.population.resource, item_code="csrq",
        description="出生日期有误",
    )  # fmt: skip
    assert dispute.due_date == dt.date(2026, 10, 13) and dispute.source_department == world.police
    kinds = [a.kind for a in actions.raise_overdue_alarms(today=dt.date(2026, 10, 14))]
    assert AlarmKind.DISPUTE_OVERDUE in kinds and AlarmKind.DEMAND_OVERDUE not in kinds
    kinds = [a.kind for a in actions.raise_overdue_alarms(today=dt.date(2026, 10, 21))]
    assert kinds == [AlarmKind.DEMAND_OVERDUE]
    # Publishing the linked resource fulfils the need and resolves its alarm.
    draft = actions.create_resource(
        actor=world.police_officer, provider=world.police, category="1", subject_code="01",
        section_code="003", fields={"name": "户籍信息", "sharing_type": "1",
                                    "sharing_methods": ["api"]},
        items=[{"code": "xm", "name": "姓名"}],
    )  # fmt: skip
    actions.fulfil_demand(actor=world.police_officer, demand=demand, resource=draft.resource)
    actions.publish_resource_version(actor=world.data_admin, version=draft)
    demand.refresh_from_db()
    assert demand.status == "fulfilled"
    alarm = ExchangeAlarm.objects.get(kind=AlarmKind.DEMAND_OVERDUE)
    assert alarm.resolved_at is not None
