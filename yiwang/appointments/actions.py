"""The write path of appointments: halls and templates, slot generation on the city's
calendar, booking / cancelling / rescheduling, no-shows, reminders, queue tickets.

Capacity is enforced by one conditional UPDATE (`booked = booked + 1 WHERE booked <
capacity`): the database decides, so concurrent bookings can never overfill a slot, on
SQLite and PostgreSQL alike. A person's own bookings are serialised by locking their user
row, so the per-person limits hold under concurrency too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from yiwang.appointments import errors
from yiwang.appointments.choices import REST_DAY_SESSIONS, BookingStatus, Session, TicketStatus
from yiwang.appointments.models import (
    Booking,
    Hall,
    NoShowBan,
    QueueTicket,
    Slot,
    SlotTemplate,
    Window,
)
from yiwang.appointments.permissions import may_book, may_manage_hall, may_work_desk
from yiwang.catalog.models import Task
from yiwang.core import audit, numbering
from yiwang.core.actors import SYSTEM, is_system
from yiwang.core.errors import PermissionDenied
from yiwang.core.workdays import SHANGHAI, get_calendar
from yiwang.identity.models import User
from yiwang.notifications.actions import notify
from yiwang.regions.models import Department, Region

# A measured average needs a few samples before it replaces the hall's configured figure.
MIN_SAMPLES_FOR_MEASURED_AVERAGE = 5


def slot_start(slot: Slot) -> dt.datetime:
    return dt.datetime.combine(slot.date, slot.start_time, tzinfo=SHANGHAI)


def slot_end(slot: Slot) -> dt.datetime:
    return dt.datetime.combine(slot.date, slot.end_time, tzinfo=SHANGHAI)


# --- configuration (department administrators) ---


@transaction.atomic
def create_hall(
    *, actor: Any, name: str, region: Region, department: Department, address: str,
    avg_service_minutes: int = 10,
) -> Hall:  # fmt: skip
    """Open a hall (大厅) run by `department`."""
    hall = Hall(
        name=name.strip(),
        region=region,
        department=department,
        address=address.strip(),
        avg_service_minutes=max(1, avg_service_minutes),
    )
    if not may_manage_hall(actor, hall):
        raise PermissionDenied()
    if not hall.name or Hall.objects.filter(region=region, name=hall.name).exists():
        raise errors.hall_exists()
    hall.save()
    audit.record("appointments.hall_created", actor=actor, subject=hall, after={"name": hall.name})
    return hall


@transaction.atomic
def add_window(*, actor: Any, hall: Hall, number: str, name: str, tasks: Iterable[Task]) -> Window:
    """Open a window and say which items it serves."""
    if not may_manage_hall(actor, hall):
        raise PermissionDenied()
    number = number.strip()[:10]
    if not number or hall.windows.filter(number=number).exists():
        raise errors.window_exists()
    window = Window.objects.create(hall=hall, number=number, name=name.strip()[:120])
    task_list = list(tasks)
    window.tasks.set(task_list)
    audit.record(
        "appointments.window_added",
        actor=actor,
        subject=window,
        after={"number": window.number, "tasks": [t.task_code for t in task_list]},
    )
    return window


@transaction.atomic
def add_template(
    *,
    actor: Any,
    window: Window,
    session: str,
    weekday: int | None,
    start: dt.time,
    end: dt.time,
    slot_minutes: int = 30,
    capacity: int = 2,
) -> SlotTemplate:
    """Add a slot template (常规, 午间, 晚间延时, 周末/节假日)."""
    if not may_manage_hall(actor, window.hall):
        raise PermissionDenied()
    if session not in Session.values or weekday not in (None, *range(7)):
        raise errors.template_invalid()
    if start >= end or slot_minutes <= 0 or capacity <= 0:
        raise errors.template_invalid()
    template = SlotTemplate.objects.create(
        window=window,
        session=session,
        weekday=weekday,
        start_time=start,
        end_time=end,
        slot_minutes=slot_minutes,
        capacity=capacity,
    )
    audit.record(
        "appointments.template_added",
        actor=actor,
        subject=template,
        after={"session": session, "weekday": weekday, "start": str(start), "end": str(end)},
    )
    return template


def template_weekday(day: dt.date, is_workday: bool) -> int:
    """Which weekday's templates a date follows: its own, except that a make-up working day
    (调休上班) on a weekend follows Monday's ordinary schedule."""
    if is_workday and day.weekday() >= 5:
        return 0
    return day.weekday()


def _cut(template: SlotTemplate, day: dt.date) -> list[Slot]:
    slots: list[Slot] = []
    start = dt.datetime.combine(day, template.start_time)
    end = dt.datetime.combine(day, template.end_time)
    step = dt.timedelta(minutes=template.slot_minutes)
    while start + step <= end:
        slots.append(
            Slot(
                window=template.window,
                template=template,
                date=day,
                start_time=start.time(),
                end_time=(start + step).time(),
                session=template.session,
                capacity=template.capacity,
            )
        )
        start += step
    return slots


@transaction.atomic
def generate_slots(*, actor: Any, hall: Hall, start: dt.date, days: int) -> int:
    """Materialise slots from the templates for `days` days on the city's calendar.

    Ordinary sessions only on working days; weekend/holiday templates only on non-working
    days (national holidays, 调休 and local overrides all come from core.workdays). Safe to
    run again: existing slots are kept, and unbooked slots a calendar change has made wrong
    (a new local holiday) are removed. Returns the number of slots created.
    """
    if not may_manage_hall(actor, hall):
        raise PermissionDenied()
    if not 1 <= days <= 60:
        raise errors.horizon_invalid()
    calendar = get_calendar()
    templates = list(
        SlotTemplate.objects.filter(
            window__hall=hall, window__is_active=True, is_active=True
        ).select_related("window")
    )
    wanted: list[Slot] = []
    stale = Q(pk__in=[])
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        workday = calendar.is_workday(day)
        weekday = template_weekday(day, workday)
        for template in templates:
            rest_day_session = template.session in REST_DAY_SESSIONS
            matches_day = rest_day_session != workday
            matches_weekday = template.weekday is None or template.weekday == weekday
            if matches_day and matches_weekday and template.applies_on(day):
                wanted.extend(_cut(template, day))
        kinds_not_today = (
            Q(session__in=REST_DAY_SESSIONS) if workday else ~Q(session__in=REST_DAY_SESSIONS)
        )
        stale |= Q(date=day) & kinds_not_today
    window_days = Slot.objects.filter(
        window__hall=hall, date__gte=start, date__lt=start + dt.timedelta(days=days)
    )
    removed, _detail = Slot.objects.filter(window__hall=hall, booked=0).filter(stale).delete()
    before = window_days.count()
    Slot.objects.bulk_create(wanted, ignore_conflicts=True)
    created = window_days.count() - before
    audit.record(
        "appointments.slots_generated",
        actor=actor,
        subject=hall,
        after={
            "from": start.isoformat(),
            "days": days,
            "created": created,
            "removed": removed,
        },
    )
    return created


# --- booking ---


def _active_ban(user: User, now: dt.datetime) -> NoShowBan | None:
    return NoShowBan.objects.filter(user=user, until__gt=now).order_by("-until").first()


def _check_bookable(
    actor: Any, slot: Slot, task: Task, now: dt.datetime, *, replacing: Booking | None = None
) -> None:
    if not may_book(actor):
        raise PermissionDenied()
    ban = _active_ban(actor, now)
    if ban is not None:
        raise errors.banned(timezone.localtime(ban.until).strftime("%Y-%m-%d"))
    if not slot.window.is_active or not slot.window.hall.is_active:
        raise errors.hall_closed()
    version = task.current_version
    if version is None or not version.is_schedule:
        raise errors.task_not_bookable()
    if not slot.window.tasks.filter(pk=task.pk).exists():
        raise errors.task_not_served()
    if slot_start(slot) <= now:
        raise errors.slot_past()
    horizon = settings.YIWANG_BOOKING_HORIZON_DAYS
    if slot.date > timezone.localdate(now) + dt.timedelta(days=horizon):
        raise errors.slot_too_far(horizon)
    mine = Booking.objects.filter(citizen=actor, status=BookingStatus.BOOKED)
    if replacing is not None:
        mine = mine.exclude(pk=replacing.pk)
    elif mine.count() >= settings.YIWANG_BOOKING_MAX_ACTIVE:
        raise errors.too_many_active(settings.YIWANG_BOOKING_MAX_ACTIVE)
    same_day = mine.filter(task=task, slot__date=slot.date).count()
    if same_day >= settings.YIWANG_BOOKING_MAX_PER_ITEM_PER_DAY:
        raise errors.one_per_item_per_day()


def _take_seat(slot: Slot) -> None:
    """The capacity check and the increment in one statement; 0 rows means full."""
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise errors.slot_full()


def _free_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _booking_context(booking: Booking) -> dict[str, Any]:
    slot = booking.slot
    version = booking.task.current_version
    return {
        "booking_no": booking.booking_no,
        "hall": slot.window.hall.name,
        "date": slot.date.isoformat(),
        "start": slot.start_time.strftime("%H:%M"),
        "end": slot.end_time.strftime("%H:%M"),
        "task": version.task_name if version else booking.task.task_code,
    }


def _new_booking(actor: User, slot: Slot, task: Task, case_project_no: str) -> Booking:
    day = slot.date.strftime("%Y%m%d")
    return Booking.objects.create(
        booking_no=numbering.formatted(f"YY{day}", f"appointments.booking.{day}", 6),
        slot=slot,
        citizen=actor,
        task=task,
        case_project_no=case_project_no.strip()[:50],
    )


def _lock_person(actor: Any) -> None:
    # Serialises one person's bookings, so two tabs cannot both pass the limit checks.
    User.objects.select_for_update().filter(pk=actor.pk).first()


@transaction.atomic
def book(*, actor: Any, slot: Slot, task: Task, case_project_no: str = "") -> Booking:
    """预约: take one seat of `slot` for `task`."""
    if not may_book(actor):
        raise PermissionDenied()
    _lock_person(actor)
    slot = Slot.objects.select_related("window__hall").get(pk=slot.pk)
    now = timezone.now()
    _check_bookable(actor, slot, task, now)
    _take_seat(slot)
    booking = _new_booking(actor, slot, task, case_project_no)
    audit.record(
        "appointments.booked",
        actor=actor,
        subject=booking,
        after={"slot": slot.pk, "task": task.task_code, "date": slot.date.isoformat()},
    )
    notify(
        actor=actor,
        recipient=actor,
        template="booking_confirmed",
        context=_booking_context(booking),
        link="/appointments/",
        dedupe_key=f"booking_confirmed:{booking.pk}",
    )
    return booking


def _lock_own_booking(actor: Any, booking: Booking, now: dt.datetime) -> Booking:
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__window__hall", "task__current_version")
        .get(pk=booking.pk)
    )
    if not getattr(actor, "is_authenticated", False) or locked.citizen_id != actor.pk:
        raise PermissionDenied()
    if locked.status != BookingStatus.BOOKED or slot_start(locked.slot) <= now:
        raise errors.not_cancellable()
    return locked


@transaction.atomic
def cancel_booking(*, actor: Any, booking: Booking) -> Booking:
    """取消预约 (before the slot starts); the seat goes back to the slot."""
    now = timezone.now()
    booking = _lock_own_booking(actor, booking, now)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    _free_seat(booking.slot_id)
    audit.record(
        "appointments.cancelled",
        actor=actor,
        subject=booking,
        before={"status": BookingStatus.BOOKED},
        after={"status": booking.status},
    )
    notify(
        actor=actor,
        recipient=booking.citizen,
        template="booking_cancelled",
        context=_booking_context(booking),
        link="/appointments/",
        dedupe_key=f"booking_cancelled:{booking.pk}",
    )
    return booking


@transaction.atomic
def reschedule_booking(*, actor: Any, booking: Booking, slot: Slot) -> Booking:
    """改期: a seat in the new slot first, then the old one is released; all or nothing."""
    now = timezone.now()
    _lock_person(actor)
    old = _lock_own_booking(actor, booking, now)
    slot = Slot.objects.select_related("window__hall").get(pk=slot.pk)
    _check_bookable(actor, slot, old.task, now, replacing=old)
    _take_seat(slot)
    new = _new_booking(actor, slot, old.task, old.case_project_no)
    old.status = BookingStatus.CANCELLED
    old.cancelled_at = now
    old.rescheduled_to = new
    old.save(update_fields=["status", "cancelled_at", "rescheduled_to"])
    _free_seat(old.slot_id)
    audit.record(
        "appointments.rescheduled",
        actor=actor,
        subject=new,
        before={"booking": old.booking_no, "slot": old.slot_id},
        after={"booking": new.booking_no, "slot": slot.pk},
    )
    notify(
        actor=actor,
        recipient=actor,
        template="booking_rescheduled",
        context=_booking_context(new),
        link="/appointments/",
        dedupe_key=f"booking_rescheduled:{new.pk}",
    )
    return new


# --- periodic: no-shows and reminders ---


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Bookings whose slot ended (plus grace) without a ticket become NO_SHOW; repeated
    no-shows in the window block online booking for a while. Safe to run twice."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=settings.YIWANG_NO_SHOW_GRACE_MINUTES)
    candidates = Booking.objects.filter(
        status=BookingStatus.BOOKED, slot__date__lte=timezone.localdate(now)
    ).select_related("slot")
    missed = [b for b in candidates if slot_end(b.slot) + grace <= now]
    marked = 0
    for booking in missed:
        with transaction.atomic():
            changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                status=BookingStatus.NO_SHOW
            )
            if not changed:
                continue
            marked += 1
            audit.record(
                "appointments.no_show",
                actor=SYSTEM,
                subject=booking,
                before={"status": BookingStatus.BOOKED},
                after={"status": BookingStatus.NO_SHOW},
            )
            _maybe_ban(booking.citizen_id, now)
    return marked


def _maybe_ban(user_id: int, now: dt.datetime) -> None:
    user = User.objects.select_for_update().get(pk=user_id)
    if _active_ban(user, now) is not None:
        return
    since = timezone.localdate(now) - dt.timedelta(days=settings.YIWANG_NO_SHOW_WINDOW_DAYS)
    count = Booking.objects.filter(
        citizen=user, status=BookingStatus.NO_SHOW, slot__date__gt=since
    ).count()
    if count < settings.YIWANG_NO_SHOW_LIMIT:
        return
    # Only no-shows after the last ban count again, so one streak bans once.
    last = NoShowBan.objects.filter(user=user).order_by("-until").first()
    if last is not None:
        count = Booking.objects.filter(
            citizen=user,
            status=BookingStatus.NO_SHOW,
            slot__date__gt=max(since, timezone.localdate(last.starts_at)),
        ).count()
        if count < settings.YIWANG_NO_SHOW_LIMIT:
            return
    ban = NoShowBan.objects.create(
        user=user,
        no_shows=count,
        starts_at=now,
        until=now + dt.timedelta(days=settings.YIWANG_NO_SHOW_BAN_DAYS),
    )
    audit.record(
        "appointments.banned",
        actor=SYSTEM,
        subject=ban,
        after={"no_shows": count, "until": ban.until.isoformat()},
    )
    notify(
        actor=SYSTEM,
        recipient=user,
        template="booking_banned",
        context={
            "days": settings.YIWANG_NO_SHOW_WINDOW_DAYS,
            "count": count,
            "until": timezone.localtime(ban.until).strftime("%Y-%m-%d"),
        },
        dedupe_key=f"booking_banned:{ban.pk}",
    )


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind each booking once, within YIWANG_BOOKING_REMINDER_HOURS of its slot."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=settings.YIWANG_BOOKING_REMINDER_HOURS)
    candidates = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        reminded_at__isnull=True,
        slot__date__gte=timezone.localdate(now),
        slot__date__lte=timezone.localdate(horizon),
    ).select_related("slot__window__hall", "task__current_version", "citizen")
    sent = 0
    for booking in candidates:
        if not now < slot_start(booking.slot) <= horizon:
            continue
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            notify(
                actor=SYSTEM,
                recipient=booking.citizen,
                template="booking_reminder",
                context=_booking_context(booking),
                link="/appointments/",
                dedupe_key=f"booking_reminder:{booking.pk}",
            )
            sent += 1
    return sent


# --- the queue (取号) ---


def average_service_minutes(hall: Hall, day: dt.date) -> float:
    """Measured today once there are enough served tickets, else the hall's figure."""
    served = QueueTicket.objects.filter(
        hall=hall, date=day, status=TicketStatus.SERVED, called_at__isnull=False
    ).values_list("called_at", "finished_at")
    durations = [(end - start).total_seconds() / 60 for start, end in served if start and end]
    if len(durations) >= MIN_SAMPLES_FOR_MEASURED_AVERAGE:
        return max(1.0, sum(durations) / len(durations))
    return float(hall.avg_service_minutes)


def people_ahead(ticket: QueueTicket) -> int:
    """Waiting tickets that windows serving this item will call before this one."""
    windows = Window.objects.filter(hall=ticket.hall, is_active=True, tasks=ticket.task)
    served_tasks = Task.objects.filter(windows__in=windows).values("pk")
    waiting = QueueTicket.objects.filter(
        hall=ticket.hall, date=ticket.date, status=TicketStatus.WAITING, task__in=served_tasks
    ).exclude(pk=ticket.pk)
    if ticket.is_priority:
        # Booked tickets are called first, in order of arrival among themselves.
        return waiting.filter(booking__isnull=False, pk__lt=ticket.pk).count()
    return waiting.filter(Q(booking__isnull=False) | Q(pk__lt=ticket.pk)).count()


def estimate_wait(ticket: QueueTicket) -> int:
    """People ahead × average service minutes, shared by the open windows serving the item."""
    windows = Window.objects.filter(hall=ticket.hall, is_active=True, tasks=ticket.task).count()
    minutes = people_ahead(ticket) * average_service_minutes(ticket.hall, ticket.date)
    return math.ceil(minutes / max(windows, 1))


@transaction.atomic
def take_ticket(
    *, actor: Any, hall: Hall, task: Task, booking: Booking | None = None
) -> QueueTicket:
    """取号: a number for today, a priority one (Y…) with a booking of today, else A…."""
    if not getattr(actor, "is_authenticated", False) and not is_system(actor):
        raise PermissionDenied()
    if not hall.is_active:
        raise errors.hall_closed()
    today = timezone.localdate()
    if not Window.objects.filter(hall=hall, is_active=True, tasks=task).exists():
        raise errors.task_not_served()
    citizen = actor if may_book(actor) else None
    prefix = "A"
    if booking is not None:
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("slot__window")
            .get(pk=booking.pk)
        )
        if citizen is None or booking.citizen_id != actor.pk:
            raise PermissionDenied()
        existing = QueueTicket.objects.filter(booking=booking).first()
        if existing is not None:
            return existing
        if (
            booking.status != BookingStatus.BOOKED
            or booking.slot.date != today
            or booking.slot.window.hall_id != hall.pk
        ):
            raise errors.booking_not_today()
        booking.status = BookingStatus.ARRIVED
        booking.save(update_fields=["status"])
        task = booking.task
        prefix = "Y"
    elif citizen is None and not may_work_desk(actor, hall):
        raise PermissionDenied()  # staff issue walk-in tickets only at their own hall
    day = today.strftime("%Y%m%d")
    seq = numbering.next_value(f"appointments.queue.{hall.pk}.{day}.{prefix}")
    ticket = QueueTicket.objects.create(
        hall=hall,
        date=today,
        number=f"{prefix}{seq:03d}",
        task=task,
        booking=booking,
        citizen=citizen,
    )
    ticket.estimated_wait_minutes = estimate_wait(ticket)
    ticket.save(update_fields=["estimated_wait_minutes"])
    audit.record(
        "appointments.ticket_taken",
        actor=actor,
        subject=ticket,
        after={
            "number": ticket.number,
            "task": task.task_code,
            "wait": ticket.estimated_wait_minutes,
        },
    )
    return ticket


def call_next(*, actor: Any, window: Window) -> QueueTicket:
    """叫号: the window takes the next waiting ticket it serves (bookings first)."""
    if not may_work_desk(actor, window.hall):
        raise PermissionDenied()
    today = timezone.localdate()
    for _attempt in range(5):
        with transaction.atomic():
            waiting = QueueTicket.objects.filter(
                hall=window.hall,
                date=today,
                status=TicketStatus.WAITING,
                task__in=window.tasks.values("pk"),
            ).order_by("id")
            candidate = (
                waiting.filter(booking__isnull=False).first()
                or waiting.filter(booking__isnull=True).first()
            )
            if candidate is None:
                raise errors.queue_empty()
            # Two windows may pick the same ticket; the conditional UPDATE gives it to one.
            called = QueueTicket.objects.filter(
                pk=candidate.pk, status=TicketStatus.WAITING
            ).update(status=TicketStatus.CALLED, window=window, called_at=timezone.now())
            if called:
                candidate.refresh_from_db()
                audit.record(
                    "appointments.ticket_called",
                    actor=actor,
                    subject=candidate,
                    after={"window": window.number},
                )
                return candidate
    raise errors.queue_empty()


@transaction.atomic
def finish_ticket(*, actor: Any, ticket: QueueTicket, served: bool = True) -> QueueTicket:
    """办结 (served) or 过号 (the person did not come to the window)."""
    ticket = (
        QueueTicket.objects.select_for_update(of=("self",)).select_related("hall").get(pk=ticket.pk)
    )
    if not may_work_desk(actor, ticket.hall):
        raise PermissionDenied()
    if ticket.status != TicketStatus.CALLED:
        raise errors.ticket_not_called()
    ticket.status = TicketStatus.SERVED if served else TicketStatus.SKIPPED
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    if served and ticket.booking_id:
        Booking.objects.filter(pk=ticket.booking_id).update(status=BookingStatus.SERVED)
    audit.record(
        "appointments.ticket_finished", actor=actor, subject=ticket, after={"status": ticket.status}
    )
    return ticket


def queue_board(hall: Hall, day: dt.date | None = None) -> dict[str, Any]:
    """What the hall's display shows: the number at each window, and how many wait."""
    day = day or timezone.localdate()
    tickets = QueueTicket.objects.filter(hall=hall, date=day)
    windows = []
    for window in hall.windows.filter(is_active=True).order_by("number"):
        current = (
            tickets.filter(window=window, status=TicketStatus.CALLED).order_by("-called_at").first()
        )
        windows.append(
            {
                "window": window.number,
                "name": window.name,
                "number": current.number if current else "",
            }
        )
    counts = tickets.aggregate(
        waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
        served=Count("id", filter=Q(status=TicketStatus.SERVED)),
    )
    return {
        "hall": hall.name,
        "date": day.isoformat(),
        "windows": windows,
        "waiting": counts["waiting"] or 0,
        "served": counts["served"] or 0,
        "average_minutes": round(average_service_minutes(hall, day), 1),
    }
