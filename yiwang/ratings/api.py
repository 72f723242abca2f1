"""JSON API of 好差评: invitations and ratings (the citizen), tickets (department staff,
supervisors, the rater), and supervision results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.core import idempotency
from yiwang.ratings import actions, machine, queries
from yiwang.ratings.models import PoorRatingTicket, Rating, RatingInvitation
from yiwang.ratings.permissions import ticket_roles

router = Router(tags=["ratings"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class InvitationOut(Schema):
    id: int
    case_project_no: str
    touchpoint: str
    department: str
    task_name: str
    due_at: dt.datetime

    @staticmethod
    def resolve_department(obj: RatingInvitation) -> str:
        return obj.department.name


class RatingIn(Schema):
    level: int
    channel: str = "pc"
    indicators: dict[str, int] = {}
    reason_tags: list[str] = []
    comment: str = ""


class RatingOut(Schema):
    id: int
    case_project_no: str
    touchpoint: str
    level: int
    channel: str
    indicators: dict[str, int]
    reason_tags: list[str]
    comment: str
    is_default: bool
    department: str
    created_at: dt.datetime
    ticket_id: int | None

    @staticmethod
    def resolve_department(obj: Rating) -> str:
        return obj.department.name

    @staticmethod
    def resolve_ticket_id(obj: Rating) -> int | None:
        ticket = getattr(obj, "ticket", None)
        return ticket.pk if ticket is not None else None


class TicketOut(Schema):
    id: int
    ticket_no: str
    status: str
    department: str
    deadline: dt.date
    ledger_due_date: dt.date | None
    overdue: bool
    level: int
    case_project_no: str
    visit_note: str
    feedback: str
    recheck_level: str
    excluded_from_stats: bool

    @staticmethod
    def resolve_department(obj: PoorRatingTicket) -> str:
        return obj.department.name

    @staticmethod
    def resolve_level(obj: PoorRatingTicket) -> int:
        return obj.rating.level

    @staticmethod
    def resolve_case_project_no(obj: PoorRatingTicket) -> str:
        return obj.rating.case_project_no

    @staticmethod
    def resolve_overdue(obj: PoorRatingTicket) -> bool:
        return queries.is_overdue(obj)


class TicketDetailOut(TicketOut):
    allowed_actions: list[str]


class StepIn(Schema):
    note: str = ""
    ledger_due_date: dt.date | None = None
    recheck_level: str = ""


class SummaryOut(Schema):
    total: int
    poor: int
    defaults: int
    average: float | None
    poor_rate: float
    by_level: dict[str, int]
    by_touchpoint: dict[str, int]
    departments: list[dict[str, Any]]
    open_tickets: int
    overdue_tickets: int


@router.get("/invitations", response=list[InvitationOut], operation_id="list_rating_invitations")
@paginate(LimitOffsetPagination)
def list_invitations(request: HttpRequest) -> QuerySet[RatingInvitation]:
    """Touchpoints the caller may still rate."""
    return queries.pending_invitations(request.user)


@router.post(
    "/invitations/{invitation_id}/rating",
    response={201: RatingOut, **ERRORS},
    operation_id="submit_rating",
)
def submit_rating(request: HttpRequest, invitation_id: int, payload: RatingIn) -> HttpResponse:
    """Rate a touchpoint 1–5 (≤2 opens a poor-rating ticket). Accepts an Idempotency-Key."""

    def operation() -> tuple[int, dict[str, Any]]:
        invitation = queries.get_invitation_for_rater(request.user, invitation_id)
        rating = actions.submit_rating(
            actor=request.user,
            invitation=invitation,
            level=payload.level,
            channel=payload.channel,
            indicators=payload.indicators,
            reason_tags=payload.reason_tags,
            comment=payload.comment,
        )
        body: dict[str, Any] = RatingOut.from_orm(rating).model_dump(mode="json")
        return 201, body

    outcome = idempotency.run_once(
        actor=request.user,
        scope="ratings.submit",
        key=request.headers.get(idempotency.HEADER),
        payload={"invitation": invitation_id, **payload.dict()},
        operation=operation,
    )
    return outcome.json_response()


@router.get("/ratings", response=list[RatingOut], operation_id="list_ratings")
@paginate(LimitOffsetPagination)
def list_ratings(request: HttpRequest) -> QuerySet[Rating]:
    """Ratings the caller may see (own; staff: department; supervisors: region)."""
    return queries.ratings_for_user(request.user).select_related("ticket")


@router.get("/tickets", response=list[TicketOut], operation_id="list_poor_rating_tickets")
@paginate(LimitOffsetPagination)
def list_tickets(request: HttpRequest, overdue: bool = False) -> QuerySet[PoorRatingTicket]:
    """Poor-rating tickets the caller may see; `overdue=true` for late ones only."""
    tickets = queries.tickets_for_user(request.user)
    return queries.overdue(tickets) if overdue else tickets


def _detail(ticket: PoorRatingTicket, user: Any) -> PoorRatingTicket:
    ticket.allowed_actions = machine.available(ticket.status, ticket_roles(user, ticket))  # type: ignore[attr-defined]
    return ticket


@router.get(
    "/tickets/{ticket_id}", response={200: TicketDetailOut, 404: ErrorOut},
    operation_id="get_poor_rating_ticket",
)  # fmt: skip
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    """One ticket and the steps the caller may take on it."""
    return _detail(queries.get_ticket_for_user(request.user, ticket_id), request.user)


@router.post(
    "/tickets/{ticket_id}/{action}", response={200: TicketDetailOut, **ERRORS},
    operation_id="advance_poor_rating_ticket",
)  # fmt: skip
def advance(request: HttpRequest, ticket_id: int, action: str, payload: StepIn) -> Any:
    """Take one step: dispatch, start_visit, rectify, open_ledger, explain, appeal,
    uphold_appeal, reject_appeal, complete_rectification, send_feedback, recheck, close."""
    ticket = queries.get_ticket_for_user(request.user, ticket_id)
    ticket = actions.advance_ticket(
        actor=request.user,
        ticket=ticket,
        action=action,
        note=payload.note,
        ledger_due_date=payload.ledger_due_date,
        recheck_level=payload.recheck_level,
    )
    return _detail(ticket, request.user)


@router.get("/summary", response={200: SummaryOut, 403: ErrorOut}, operation_id="rating_summary")
def summary(request: HttpRequest, since: dt.date | None = None) -> Any:
    """Results for supervisors: volumes, poor and default rates, departments, overdue."""
    return queries.summary_for_supervisor(request.user, since)
