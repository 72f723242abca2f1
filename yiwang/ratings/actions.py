"""The write path of 好差评: invitations, ratings, the default rating, poor-rating tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import Task
from yiwang.core import audit, numbering
from yiwang.core.actors import SYSTEM, is_system
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.workdays import add_workdays, local_date
from yiwang.identity.models import User
from yiwang.notifications.actions import notify
from yiwang.ratings import errors, machine
from yiwang.ratings.choices import (
    DEFAULT_LEVEL,
    OFFLINE_CHANNELS,
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    POOR_MAX,
    POOR_REASONS,
    RatingChannel,
    RecheckLevel,
    TicketStatus,
    Touchpoint,
)
from yiwang.ratings.models import PoorRatingTicket, Rating, RatingInvitation, TicketEvent
from yiwang.ratings.permissions import HANDLER_ROLES, ticket_roles
from yiwang.regions.models import Department


def _label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    return str(actor.get_username()) if getattr(actor, "is_authenticated", False) else "anonymous"


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


@transaction.atomic
def open_invitation(
    *,
    actor: Any,
    case_project_no: str,
    touchpoint: str,
    rater: User,
    department: Department,
    task: Task | None = None,
    task_name: str = "",
    opened_at: dt.datetime | None = None,
) -> RatingInvitation:
    """Open a touchpoint for rating (idempotent per case, touchpoint and rater)."""
    if not is_system(actor):
        raise PermissionDenied()
    if touchpoint not in Touchpoint.values:
        raise DomainError("touchpoint_invalid", _("评价环节不正确。"), field="touchpoint")
    existing = RatingInvitation.objects.filter(
        case_project_no=case_project_no, touchpoint=touchpoint, rater=rater
    ).first()
    if existing is not None and case_project_no:
        return existing
    opened = opened_at or timezone.now()
    invitation = RatingInvitation.objects.create(
        case_project_no=case_project_no,
        touchpoint=touchpoint,
        rater=rater,
        department=department,
        task=task,
        task_name=task_name or _task_name(task),
        opened_at=opened,
        due_at=opened + dt.timedelta(days=settings.YIWANG_RATING_DEFAULT_AFTER_DAYS),
    )
    audit.record(
        "ratings.invitation_opened",
        actor=actor,
        subject=invitation,
        after={"project_no": case_project_no, "touchpoint": touchpoint},
    )
    notify(
        actor=actor,
        recipient=rater,
        template="rating_invitation",
        context={
            "project_no": case_project_no or "-",
            "touchpoint": Touchpoint(touchpoint).label,
            "due": _local(invitation.due_at),
        },
        link=f"/ratings/rate/{invitation.pk}/",
        dedupe_key=f"rating_invitation:{invitation.pk}",
    )
    return invitation


def _task_name(task: Task | None) -> str:
    version = task.current_version if task is not None else None
    return version.task_name if version is not None else ""


def _check_indicators(channel: str, indicators: Mapping[str, Any]) -> dict[str, int]:
    allowed = OFFLINE_INDICATORS if channel in OFFLINE_CHANNELS else ONLINE_INDICATORS
    clean: dict[str, int] = {}
    for name, value in indicators.items():
        if name not in allowed or not isinstance(value, int) or isinstance(value, bool):
            raise errors.indicator_invalid(str(name))
        if not 1 <= value <= 5:
            raise errors.indicator_invalid(str(name))
        clean[name] = value
    return clean


@transaction.atomic
def submit_rating(
    *,
    actor: Any,
    invitation: RatingInvitation,
    level: int,
    channel: str = RatingChannel.PC,
    indicators: Mapping[str, Any] | None = None,
    reason_tags: Sequence[str] = (),
    comment: str = "",
) -> Rating:
    """The applicant rates a touchpoint; a poor rating (≤2) opens a ticket at once."""
    invitation = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not getattr(actor, "is_authenticated", False) or invitation.rater_id != actor.pk:
        raise PermissionDenied()
    if Rating.objects.filter(invitation=invitation).exists():
        raise errors.already_rated()
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise errors.level_invalid()
    if channel not in RatingChannel.values or channel == RatingChannel.DEFAULT:
        raise errors.channel_invalid()
    clean_indicators = _check_indicators(channel, indicators or {})
    tags = list(dict.fromkeys(reason_tags))
    if any(tag not in POOR_REASONS for tag in tags):
        raise errors.reason_invalid()
    if level <= POOR_MAX and not tags:
        raise errors.reason_required()
    rating = _create_rating(
        invitation,
        level=level,
        channel=channel,
        indicators=clean_indicators,
        reason_tags=tags if level <= POOR_MAX else [],
        comment=comment.strip()[:2000],
        is_default=False,
    )
    audit.record(
        "ratings.rated",
        actor=actor,
        subject=rating,
        after={"level": level, "touchpoint": rating.touchpoint, "tags": tags},
    )
    if level <= POOR_MAX:
        open_ticket(rating)
    return rating


def _create_rating(invitation: RatingInvitation, **fields: Any) -> Rating:
    try:
        with transaction.atomic():
            return Rating.objects.create(
                invitation=invitation,
                case_project_no=invitation.case_project_no,
                touchpoint=invitation.touchpoint,
                rater_id=invitation.rater_id,
                department_id=invitation.department_id,
                task_id=invitation.task_id,
                **fields,
            )
    except IntegrityError:
        raise errors.already_rated() from None


def open_ticket(rating: Rating) -> PoorRatingTicket:
    """RATED → TICKET_CREATED, with the rectification deadline in working days."""
    created = timezone.now()
    year = timezone.localdate(created).year
    ticket = PoorRatingTicket.objects.create(
        ticket_no=numbering.formatted(f"CP{year}", f"ratings.ticket.{year}", 8),
        rating=rating,
        department_id=rating.department_id,
        deadline=add_workdays(local_date(created), settings.YIWANG_RATING_RECTIFY_WORKDAYS),
    )
    TicketEvent.objects.create(
        ticket=ticket,
        action="create",
        from_status=TicketStatus.RATED,
        to_status=TicketStatus.TICKET_CREATED,
        actor_label="system",
        note=str(_("差评自动生成工单")),
    )
    audit.record(
        "ratings.ticket_created",
        actor=SYSTEM,
        subject=ticket,
        after={"rating": rating.pk, "deadline": ticket.deadline.isoformat()},
    )
    return ticket


def apply_default_ratings(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Give 基本满意 to every invitation unrated after the period (retry-safe, periodic)."""
    now = now or timezone.now()
    due = list(
        RatingInvitation.objects.filter(due_at__lte=now, rating__isnull=True)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _default_one(pk, now))


@transaction.atomic
def _default_one(pk: int, now: dt.datetime) -> bool:
    invitation = RatingInvitation.objects.select_for_update().get(pk=pk)
    if invitation.due_at > now or Rating.objects.filter(invitation=invitation).exists():
        return False  # rated meanwhile, or another worker was first
    try:
        rating = _create_rating(
            invitation,
            level=DEFAULT_LEVEL,
            channel=RatingChannel.DEFAULT,
            indicators={},
            reason_tags=[],
            comment="",
            is_default=True,
        )
    except DomainError:
        return False
    audit.record(
        "ratings.default_rating", actor=SYSTEM, subject=rating, after={"level": DEFAULT_LEVEL}
    )
    return True


@transaction.atomic
def advance_ticket(
    *,
    actor: Any,
    ticket: PoorRatingTicket,
    action: str,
    note: str = "",
    assignee: User | None = None,
    ledger_due_date: dt.date | None = None,
    recheck_level: str = "",
) -> PoorRatingTicket:
    """Take one step of the rectification flow (see machine.TRANSITIONS for who may)."""
    ticket = (
        PoorRatingTicket.objects.select_for_update(of=("self",))
        .select_related("rating", "department__region")
        .get(pk=ticket.pk)
    )
    roles = ticket_roles(actor, ticket)
    if not roles:
        raise PermissionDenied()
    transition = machine.TRANSITIONS.get(action)
    if transition is None or not machine.can(action, ticket.status, roles):
        if transition is not None and ticket.status in transition.sources:
            raise PermissionDenied()
        raise errors.action_not_allowed(action, ticket.get_status_display())
    note = note.strip()
    before = {"status": ticket.status}
    fields = ["status", "updated_at"]
    if action in {"start_visit", "explain", "appeal", "send_feedback"} and not note:
        raise errors.note_required()
    if action == "dispatch" and assignee is not None:
        ticket.assignee = assignee
        fields.append("assignee")
    if action == "start_visit":
        ticket.visit_note = note
        fields.append("visit_note")
    if action == "open_ledger":
        if ledger_due_date is None or ledger_due_date < timezone.localdate():
            raise errors.due_date_required()
        ticket.ledger_due_date = ledger_due_date
        fields.append("ledger_due_date")
    if action == "send_feedback":
        ticket.feedback = note
        ticket.feedback_at = timezone.now()
        fields += ["feedback", "feedback_at"]
    if action == "recheck":
        if recheck_level not in RecheckLevel.values:
            raise errors.recheck_invalid()
        ticket.recheck_level = recheck_level
        fields.append("recheck_level")
    if action == "uphold_appeal":
        ticket.excluded_from_stats = True
        fields.append("excluded_from_stats")
    if transition.target == TicketStatus.CLOSED:
        ticket.closed_at = timezone.now()
        fields.append("closed_at")
    from_status = ticket.status
    ticket.status = transition.target
    ticket.save(update_fields=fields)
    TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_label(actor),
        note=note or recheck_level,
    )
    audit.record(
        f"ratings.ticket_{action}",
        actor=actor,
        subject=ticket,
        before=before,
        after={"status": ticket.status, "note": note[:200]},
    )
    _notify_step(ticket, action)
    return ticket


def _handlers(ticket: PoorRatingTicket) -> list[User]:
    """Whom a dispatched ticket goes to: the assignee, else the department's handlers."""
    if ticket.assignee is not None:
        return [ticket.assignee]
    return list(
        User.objects.filter(
            staff__department=ticket.department,
            staff__roles__role__in=[str(role) for role in HANDLER_ROLES],
            is_active=True,
        ).distinct()[:20]
    )


def _notify_step(ticket: PoorRatingTicket, action: str) -> None:
    if action == "dispatch":
        for recipient in _handlers(ticket):
            notify(
                actor=SYSTEM,
                recipient=recipient,
                template="ticket_dispatched",
                context={"ticket_no": ticket.ticket_no, "deadline": ticket.deadline.isoformat()},
                link=f"/ratings/tickets/{ticket.pk}/",
                dedupe_key=f"ticket_dispatched:{ticket.pk}",
            )
    if action == "send_feedback":
        notify(
            actor=SYSTEM,
            recipient=ticket.rating.rater,
            template="ticket_feedback",
            context={
                "project_no": ticket.rating.case_project_no or ticket.ticket_no,
                "feedback": ticket.feedback,
            },
            link=f"/ratings/tickets/{ticket.pk}/",
            dedupe_key=f"ticket_feedback:{ticket.pk}",
        )
