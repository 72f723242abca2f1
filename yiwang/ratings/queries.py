"""Reads of 好差评: the rater's own; staff their department's; supervisors their region's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import models
from django.db.models import Avg, Count, Q
from django.utils import timezone

from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.ratings.choices import Level, Touchpoint
from yiwang.ratings.machine import DEADLINE_MET
from yiwang.ratings.models import PoorRatingTicket, Rating, RatingInvitation
from yiwang.ratings.permissions import is_supervisor
from yiwang.regions.queries import scope_for_staff, staff_of


def pending_invitations(user: Any) -> models.QuerySet[RatingInvitation]:
    """Touchpoints the user may still rate."""
    if not getattr(user, "is_authenticated", False):
        return RatingInvitation.objects.none()
    return RatingInvitation.objects.filter(
        rater=user, rating__isnull=True, due_at__gt=timezone.now()
    ).select_related("department")


def get_invitation_for_rater(user: Any, pk: int) -> RatingInvitation:
    """One of the user's own invitations (404 for anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    invitation = (
        RatingInvitation.objects.filter(rater=user, pk=pk).select_related("department").first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


def _scoped(queryset: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
    if is_supervisor(user):
        # Supervisors watch every department of their jurisdiction.
        return scope_for_staff(queryset, user, region_path="department__region")
    return scope_for_staff(
        queryset, user, region_path="department__region", department_path="department"
    )


def ratings_for_user(user: Any) -> models.QuerySet[Rating]:
    """Ratings the user may see: their own, or (staff) their department's / region's."""
    base = Rating.objects.select_related("department", "rater")
    if staff_of(user) is not None:
        return _scoped(base, user)
    if getattr(user, "is_authenticated", False):
        return base.filter(rater=user)
    return base.none()


def tickets_for_user(user: Any) -> models.QuerySet[PoorRatingTicket]:
    """Tickets: the department's (handlers), the region's (supervisors), own (the rater)."""
    base = PoorRatingTicket.objects.select_related("rating", "department", "assignee")
    if staff_of(user) is not None:
        return _scoped(base, user)
    if getattr(user, "is_authenticated", False):
        return base.filter(rating__rater=user)
    return base.none()


def get_ticket_for_user(user: Any, pk: int) -> PoorRatingTicket:
    ticket = tickets_for_user(user).filter(pk=pk).first()
    if ticket is None:
        raise NotFound()
    return ticket


def overdue(tickets: models.QuerySet[PoorRatingTicket], today: dt.date | None = None) -> Any:
    """Tickets past their deadline (or their ledger date) that have not met it yet."""
    today = today or timezone.localdate()
    late = Q(ledger_due_date__isnull=True, deadline__lt=today) | Q(
        ledger_due_date__isnull=False, ledger_due_date__lt=today
    )
    return tickets.filter(late).exclude(status__in=DEADLINE_MET)


def is_overdue(ticket: PoorRatingTicket, today: dt.date | None = None) -> bool:
    """The same rule as `overdue`, for one ticket."""
    today = today or timezone.localdate()
    due = ticket.ledger_due_date or ticket.deadline
    return due < today and ticket.status not in DEADLINE_MET


def summary_for_supervisor(user: Any, since: dt.date | None = None) -> dict[str, Any]:
    """Results for 监督人员: volumes per level and touchpoint, poor and default rates, and
    the worst departments; appeals upheld are left out of the statistics."""
    if not is_supervisor(user):
        raise PermissionDenied()
    ratings = ratings_for_user(user).exclude(ticket__excluded_from_stats=True)
    if since is not None:
        ratings = ratings.filter(created_at__date__gte=since)
    totals = ratings.aggregate(
        total=Count("id"),
        poor=Count("id", filter=Q(level__lte=2)),
        defaults=Count("id", filter=Q(is_default=True)),
        average=Avg("level"),
    )
    by_level = Counter(dict(ratings.values_list("level").annotate(n=Count("id")).order_by()))
    by_touchpoint = Counter(
        dict(ratings.values_list("touchpoint").annotate(n=Count("id")).order_by())
    )
    departments = (
        ratings.values("department__name")
        .annotate(total=Count("id"), poor=Count("id", filter=Q(level__lte=2)), avg=Avg("level"))
        .order_by("-poor", "department__name")[:20]
    )
    tickets = tickets_for_user(user)
    total = totals["total"] or 0
    return {
        "total": total,
        "poor": totals["poor"] or 0,
        "defaults": totals["defaults"] or 0,
        "average": round(float(totals["average"]), 2) if totals["average"] is not None else None,
        "poor_rate": round((totals["poor"] or 0) / total, 4) if total else 0.0,
        "by_level": {str(level.label): by_level.get(level.value, 0) for level in Level},
        "by_touchpoint": {
            str(point.label): by_touchpoint.get(point.value, 0) for point in Touchpoint
        },
        "departments": list(departments),
        "open_tickets": tickets.exclude(status__in=DEADLINE_MET).count(),
        "overdue_tickets": overdue(tickets).count(),
    }
