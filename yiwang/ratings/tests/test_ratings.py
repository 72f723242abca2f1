"""好差评: five levels per touchpoint, the default rating, and poor-rating tickets whose
deadline counts working days on the city's calendar."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from conftest import client_for
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.payments.tests.helpers import FakeCase, FakeEvent
from yiwang.ratings import actions, integration, queries
from yiwang.ratings.choices import RatingChannel, TicketStatus, Touchpoint
from yiwang.ratings.models import PoorRatingTicket, Rating, RatingInvitation
from yiwang.ratings.tests.conftest import invite

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rate_poorly(invitation, **extra):
    return actions.submit_rating(
        actor=invitation.rater,
        invitation=invitation,
        level=1,
        reason_tags=["extra_materials"],
        comment="要求提供指南以外的材料",
        **extra,
    )


@pytest.mark.django_db
def test_poor_rating_ticket_deadline_counts_working_days_across_national_day(
    personas, city, served_task
) -> None:
    # Tuesday 29 September 2026. Five working days, the day itself not counted:
    # 30 Sep (1); 1–7 Oct National Day holiday; 8 Oct (2), 9 Oct (3); Saturday 10 Oct is a
    # make-up working day (4); 11 Oct Sunday rests; Monday 12 Oct (5).
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI), tick=False):
        invitation = invite(personas, city, served_task)
        rating = rate_poorly(invitation)
    ticket = PoorRatingTicket.objects.get(rating=rating)
    assert ticket.status == TicketStatus.TICKET_CREATED
    assert ticket.department == city.dept_a2
    assert ticket.deadline == dt.date(2026, 10, 12)
    assert list(ticket.events.values_list("from_status", "to_status")) == [
        (TicketStatus.RATED, TicketStatus.TICKET_CREATED)
    ]


@pytest.mark.django_db
@override_settings(YIWANG_RATING_RECTIFY_WORKDAYS=3)
def test_the_deadline_is_configurable(personas, city, served_task) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 29, 23, 30, tzinfo=SHANGHAI), tick=False):
        rating = rate_poorly(invite(personas, city, served_task))
    assert rating.ticket.deadline == dt.date(2026, 10, 9)


@pytest.mark.django_db
def test_good_ratings_open_no_ticket_and_indicators_are_checked(invitation) -> None:
    with pytest.raises(DomainError) as bad:
        actions.submit_rating(
            actor=invitation.rater, invitation=invitation, level=5, indicators={"attitude": 5}
        )
    assert bad.value.code == "indicator_invalid"  # an offline indicator on an online rating
    with pytest.raises(DomainError):
        actions.submit_rating(actor=invitation.rater, invitation=invitation, level=6)
    with pytest.raises(DomainError) as no_reason:
        actions.submit_rating(actor=invitation.rater, invitation=invitation, level=2)
    assert no_reason.value.code == "poor_reason_required"
    rating = actions.submit_rating(
        actor=invitation.rater,
        invitation=invitation,
        level=4,
        indicators={"efficiency": 4, "guide_accuracy": 5},
    )
    assert not PoorRatingTicket.objects.exists()
    assert rating.indicators == {"efficiency": 4, "guide_accuracy": 5}
    with pytest.raises(Conflict):
        actions.submit_rating(actor=invitation.rater, invitation=invitation, level=5)


@pytest.mark.django_db
def test_window_raters_use_the_offline_indicators(invitation) -> None:
    rating = actions.submit_rating(
        actor=invitation.rater,
        invitation=invitation,
        level=5,
        channel=RatingChannel.WINDOW,
        indicators={"attitude": 5, "service_level": 4},
    )
    assert rating.channel == RatingChannel.WINDOW


@pytest.mark.django_db
def test_default_rating_after_seven_natural_days_is_retry_safe(personas, city, served_task) -> None:
    opened = dt.datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(opened, tick=False):
        invitation = invite(personas, city, served_task)
    assert invitation.due_at == opened + dt.timedelta(days=7)  # natural days, holiday or not
    assert actions.apply_default_ratings(now=opened + dt.timedelta(days=7, seconds=-1)) == 0
    due = opened + dt.timedelta(days=7)
    assert actions.apply_default_ratings(now=due) == 1
    assert actions.apply_default_ratings(now=due) == 0
    rating = Rating.objects.get()
    assert (rating.level, rating.is_default, rating.channel) == (3, True, RatingChannel.DEFAULT)
    with pytest.raises(Conflict):
        actions.submit_rating(actor=personas.citizen, invitation=invitation, level=5)


@pytest.mark.django_db
def test_a_rated_touchpoint_gets_no_default(invitation) -> None:
    actions.submit_rating(actor=invitation.rater, invitation=invitation, level=5)
    assert actions.apply_default_ratings(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert Rating.objects.filter(is_default=True).count() == 0


def step(actor, ticket, action, **kwargs):
    return actions.advance_ticket(actor=actor, ticket=ticket, action=action, **kwargs)


@pytest.mark.django_db
def test_the_rectification_flow_with_a_rejected_appeal(invitation, raters, personas) -> None:
    ticket = rate_poorly(invitation).ticket
    with pytest.raises(PermissionDenied):
        step(raters.handler, ticket, "dispatch")  # only supervisors dispatch
    with pytest.raises(PermissionDenied):
        step(raters.county_b_supervisor, ticket, "dispatch")  # not their county
    ticket = step(raters.supervisor, ticket, "dispatch")
    with pytest.raises(DomainError):
        step(raters.handler, ticket, "start_visit")  # a return visit needs its record
    ticket = step(raters.handler, ticket, "start_visit", note="电话回访，申请人称被要求补交房产证")
    ticket = step(raters.handler, ticket, "appeal", note="房产证为法定材料，属误评")
    ticket = step(raters.supervisor, ticket, "reject_appeal", note="指南未列该材料")
    assert ticket.status == TicketStatus.APPEAL_REJECTED
    ticket = step(raters.handler, ticket, "rectify")
    ticket = step(raters.handler, ticket, "complete_rectification", note="已修订办事指南")
    with pytest.raises(PermissionDenied):
        step(personas.other_citizen, ticket, "send_feedback", note="x")
    ticket = step(raters.handler, ticket, "send_feedback", note="已修订办事指南，不再要求该材料。")
    with pytest.raises(DomainError):
        step(personas.citizen, ticket, "recheck", recheck_level="great")
    ticket = step(personas.citizen, ticket, "recheck", recheck_level="satisfied")
    ticket = step(raters.supervisor, ticket, "close")
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None
    assert list(ticket.events.values_list("to_status", flat=True)) == [
        "ticket_created", "dispatched", "visiting", "appeal", "appeal_rejected", "rectifying",
        "rectified", "feedback_sent", "evaluator_recheck", "closed",
    ]  # fmt: skip
    with pytest.raises(Conflict):
        step(raters.supervisor, ticket, "dispatch")


@pytest.mark.django_db
def test_ledger_explanation_and_upheld_appeal_paths(personas, city, served_task, raters) -> None:
    tickets = [
        rate_poorly(invite(personas, city, served_task, no=f"N{n}")).ticket for n in range(3)
    ]
    for ticket in tickets:
        step(raters.supervisor, ticket, "dispatch")
        step(raters.handler, ticket, "start_visit", note="已回访")
    ledger, explained, appealed = tickets
    with pytest.raises(DomainError):
        step(raters.handler, ledger, "open_ledger", ledger_due_date=dt.date(2020, 1, 1))
    due = timezone.localdate() + dt.timedelta(days=20)
    ledger = step(raters.handler, ledger, "open_ledger", ledger_due_date=due)
    ledger = step(raters.handler, ledger, "complete_rectification")
    assert ledger.status == TicketStatus.RECTIFIED and ledger.ledger_due_date == due
    explained = step(raters.handler, explained, "explain", note="收费标准由省物价部门规定")
    assert explained.status == TicketStatus.EXPLAINED
    step(raters.handler, appealed, "appeal", note="评价人未办理过该事项")
    appealed = step(raters.supervisor, appealed, "uphold_appeal", note="核实为误评")
    assert appealed.excluded_from_stats
    summary = queries.summary_for_supervisor(raters.supervisor)
    assert summary["total"] == 2 and summary["poor"] == 2  # the upheld appeal is left out


@pytest.mark.django_db
def test_supervisors_see_overdue_tickets(invitation, raters, personas) -> None:
    ticket = rate_poorly(invitation).ticket
    late_day = dt.datetime.combine(ticket.deadline + dt.timedelta(days=1), dt.time(9), SHANGHAI)
    with time_machine.travel(late_day, tick=False):
        assert list(queries.overdue(queries.tickets_for_user(raters.supervisor))) == [ticket]
        page = client_for(raters.supervisor).get("/ratings/supervision/")
        assert page.status_code == 200 and ticket.ticket_no in page.content.decode()
        api = client_for(raters.supervisor).get("/api/v1/ratings/tickets?overdue=true")
        assert [t["ticket_no"] for t in api.json()["items"]] == [ticket.ticket_no]
        summary = client_for(raters.supervisor).get("/api/v1/ratings/summary").json()
        assert summary["overdue_tickets"] == 1 and summary["poor"] == 1
    on_time = dt.datetime.combine(ticket.deadline, dt.time(9), SHANGHAI)
    with time_machine.travel(on_time, tick=False):
        assert not queries.overdue(queries.tickets_for_user(raters.supervisor)).exists()


@pytest.mark.django_db
def test_ticket_visibility_from_outside(invitation, raters, personas) -> None:
    ticket = rate_poorly(invitation).ticket
    detail = f"/ratings/tickets/{ticket.pk}/"
    assert (
        client_for(raters.handler).get("/ratings/tickets/").content.decode().count(ticket.ticket_no)
    )
    assert client_for(raters.handler).get(detail).status_code == 200
    assert client_for(raters.supervisor).get(detail).status_code == 200
    assert client_for(personas.citizen).get(detail).status_code == 200  # the rater follows it
    for outsider in (
        personas.clerk_b,
        personas.clerk_a,
        personas.other_citizen,
        raters.county_b_supervisor,
    ):
        assert client_for(outsider).get(detail).status_code == 404, outsider
        assert client_for(outsider).get(f"/api/v1/ratings/tickets/{ticket.pk}").status_code == 404
    assert client_for(personas.citizen).get("/ratings/tickets/").status_code == 403
    assert client_for(None).get("/ratings/tickets/").status_code == 302
    assert client_for(raters.handler).get("/ratings/supervision/").status_code == 403
    assert client_for(raters.handler).get("/api/v1/ratings/summary").status_code == 403
    allowed = client_for(raters.supervisor).get(f"/api/v1/ratings/tickets/{ticket.pk}").json()
    assert allowed["allowed_actions"] == ["dispatch"]


@pytest.mark.django_db
def test_rating_form_and_api(invitation, personas) -> None:
    other = client_for(personas.other_citizen)
    assert other.get(f"/ratings/rate/{invitation.pk}/").status_code == 404
    path = f"/api/v1/ratings/invitations/{invitation.pk}/rating"
    body = json.dumps({"level": 2, "reason_tags": ["overdue"], "comment": "超期"})
    assert other.post(path, body, content_type="application/json").status_code == 404
    mine = client_for(personas.citizen)
    listed = mine.get("/api/v1/ratings/invitations").json()["items"]
    assert [i["id"] for i in listed] == [invitation.pk]
    made = mine.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1")
    again = mine.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1")
    assert made.status_code == 201 and made.json()["ticket_id"] is not None
    assert again.json() == made.json() and Rating.objects.count() == 1
    assert mine.get("/api/v1/ratings/invitations").json()["items"] == []


@pytest.mark.django_db
def test_rating_page_posts_a_rating(invitation, personas) -> None:
    client = client_for(personas.citizen)
    assert client.get(f"/ratings/rate/{invitation.pk}/").status_code == 200
    refused = client.post(f"/ratings/rate/{invitation.pk}/", {"level": "1"})
    assert refused.status_code == 400 and "差评请至少选择一项原因" in refused.content.decode()
    done = client.post(
        f"/ratings/rate/{invitation.pk}/",
        {"level": "5", "indicator_efficiency": "5", "comment": "很快"},
    )
    assert done.status_code == 302
    assert Rating.objects.get().indicators == {"efficiency": 5}


@pytest.mark.django_db
def test_case_events_open_touchpoints_once(personas, city, served_task) -> None:
    case = FakeCase("360102XK20261127000007", personas.citizen, served_task)
    integration.invite_from_case_event(FakeEvent(case, "case.submitted"))
    integration.invite_from_case_event(FakeEvent(case, "case.completed"))
    integration.invite_from_case_event(FakeEvent(case, "case.completed", pk=3))
    integration.invite_from_case_event(FakeEvent(case, "case.in_review"))
    points = sorted(RatingInvitation.objects.values_list("touchpoint", flat=True))
    assert points == sorted([Touchpoint.APPLICATION, Touchpoint.RECEIPT, Touchpoint.CASE])
    assert {i.department for i in RatingInvitation.objects.all()} == {city.dept_a2}
