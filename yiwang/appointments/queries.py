"""Reads of appointments: public hall and slot availability; a citizen's own bookings and
tickets; staff see the halls their department runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

from yiwang.appointments.models import Booking, Hall, QueueTicket, Slot, Window
from yiwang.appointments.permissions import runs_hall
from yiwang.catalog.models import Task
from yiwang.core.errors import NotFound
from yiwang.core.workdays import SHANGHAI
from yiwang.regions.queries import scope_for_staff, staff_of


def open_halls() -> models.QuerySet[Hall]:
    """Halls the public can see (no log-in needed)."""
    return Hall.objects.filter(is_active=True).select_related("region", "department")


def get_hall(pk: int) -> Hall:
    hall = open_halls().filter(pk=pk).first()
    if hall is None:
        raise NotFound()
    return hall


def bookable_tasks(hall: Hall) -> models.QuerySet[Task]:
    """Items some open window of the hall serves and that may be booked (is_schedule)."""
    return (
        Task.objects.filter(
            windows__hall=hall, windows__is_active=True, current_version__is_schedule=True
        )
        .select_related("current_version")
        .distinct()
        .order_by("task_code")
    )


def get_task(pk: int) -> Task:
    task = (
        Task.objects.filter(pk=pk, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def available_slots(
    hall: Hall, task: Task, *, start: dt.date | None = None, days: int = 14
) -> models.QuerySet[Slot]:
    """Slots with a free seat for `task`, from now on."""
    now = timezone.now().astimezone(SHANGHAI)
    start = max(start or now.date(), now.date())
    end = start + dt.timedelta(days=days)
    return (
        Slot.objects.filter(
            window__hall=hall,
            window__is_active=True,
            window__tasks=task,
            date__gte=start,
            date__lt=end,
            booked__lt=F("capacity"),
        )
        .exclude(date=now.date(), start_time__lte=now.time())
        .select_related("window")
        .order_by("date", "start_time", "window__number")
    )


def get_slot(pk: int) -> Slot:
    slot = (
        Slot.objects.filter(pk=pk, window__hall__is_active=True)
        .select_related("window__hall")
        .first()
    )
    if slot is None:
        raise NotFound()
    return slot


def bookings_for_user(user: Any) -> models.QuerySet[Booking]:
    """A citizen's own bookings; staff those of halls their department runs."""
    base = Booking.objects.select_related("slot__window__hall", "task__current_version", "citizen")
    if staff_of(user) is not None:
        return scope_for_staff(
            base,
            user,
            region_path="slot__window__hall__region",
            department_path="slot__window__hall__department",
        )
    if getattr(user, "is_authenticated", False):
        return base.filter(citizen=user)
    return base.none()


def get_booking_for_user(user: Any, pk: int) -> Booking:
    booking = bookings_for_user(user).filter(pk=pk).first()
    if booking is None:
        raise NotFound()
    return booking


def get_ticket_for_user(user: Any, pk: int) -> QueueTicket:
    """A ticket: its holder's, or any of a hall the staff member runs."""
    ticket = (
        QueueTicket.objects.filter(pk=pk).select_related("hall", "task__current_version").first()
    )
    if ticket is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    if ticket.citizen_id == user.pk or runs_hall(user, ticket.hall):
        return ticket
    raise NotFound()


def desk_windows(user: Any) -> models.QuerySet[Window]:
    """Windows of the halls the staff member runs."""
    return scope_for_staff(
        Window.objects.filter(is_active=True).select_related("hall"),
        user,
        region_path="hall__region",
        department_path="hall__department",
    )


def get_desk_window(user: Any, pk: int) -> Window:
    window = desk_windows(user).filter(pk=pk).first()
    if window is None:
        raise NotFound()
    return window


def my_tickets_today(user: Any) -> models.QuerySet[QueueTicket]:
    if not getattr(user, "is_authenticated", False):
        return QueueTicket.objects.none()
    return QueueTicket.objects.filter(citizen=user, date=timezone.localdate()).select_related(
        "hall", "window"
    )
