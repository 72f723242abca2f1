"""Slots from templates on the city's calendar (延时错时, holidays, 调休), booking limits,
cancelling, rescheduling, no-shows and reminders."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import client_for, make_citizen
from yiwang.appointments import actions
from yiwang.appointments.choices import BookingStatus
from yiwang.appointments.models import Booking, NoShowBan, Slot
from yiwang.core import actions as core_actions
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.workdays import invalidate_calendar
from yiwang.notifications.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_BEFORE = dt.datetime(2026, 9, 28, 8, 0, tzinfo=SHANGHAI)


def sessions_on(day: dt.date) -> Counter:
    return Counter(Slot.objects.filter(date=day).values_list("session", flat=True))


def slot(day: dt.date, hour: int, minute: int = 0) -> Slot:
    return Slot.objects.get(date=day, start_time=dt.time(hour, minute))


@pytest.fixture
def generated(desk):
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        actions.generate_slots(actor=SYSTEM, hall=desk.hall, start=dt.date(2026, 9, 28), days=14)
    return desk


@pytest.mark.django_db
def test_slots_follow_the_calendar_across_national_day(generated) -> None:
    d = dt.date
    assert sessions_on(d(2026, 9, 30)) == {"regular": 2, "lunch": 1}  # Wednesday
    # Thursday 1 October is a holiday: no ordinary or evening slots, only holiday service.
    assert sessions_on(d(2026, 10, 1)) == {"weekend": 1}
    assert sessions_on(d(2026, 10, 3)) == {"weekend": 3}  # a Saturday inside the holiday
    assert sessions_on(d(2026, 10, 8)) == {"regular": 2, "lunch": 1, "evening": 2}  # Thursday
    # Saturday 10 October is a make-up working day: Monday's ordinary schedule, no weekend.
    assert sessions_on(d(2026, 10, 10)) == {"regular": 2, "lunch": 1}
    assert sessions_on(d(2026, 10, 11)) == {"weekend": 1}  # Sunday


@pytest.mark.django_db
def test_generation_is_repeatable_and_follows_local_holidays(generated, personas) -> None:
    before = Slot.objects.count()
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        assert (
            actions.generate_slots(
                actor=SYSTEM, hall=generated.hall, start=dt.date(2026, 9, 28), days=14
            )
            == 0
        )
        assert Slot.objects.count() == before
        core_actions.set_calendar_override(
            actor=SYSTEM, date=dt.date(2026, 10, 9), is_workday=False, reason="本地节日"
        )
        invalidate_calendar()
        created = actions.generate_slots(
            actor=SYSTEM, hall=generated.hall, start=dt.date(2026, 9, 28), days=14
        )
    assert created == 1  # the holiday-service afternoon slot
    assert sessions_on(dt.date(2026, 10, 9)) == {"weekend": 1}


@pytest.mark.django_db
def test_book_cancel_reschedule(generated, personas) -> None:
    citizen = personas.citizen
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        first = actions.book(actor=citizen, slot=slot(dt.date(2026, 9, 30), 9), task=generated.task)
        assert slot(dt.date(2026, 9, 30), 9).booked == 1
        with pytest.raises(Conflict) as twice:
            actions.book(actor=citizen, slot=slot(dt.date(2026, 9, 30), 10), task=generated.task)
        assert twice.value.code == "duplicate_booking"
        moved = actions.reschedule_booking(
            actor=citizen, booking=first, slot=slot(dt.date(2026, 9, 30), 10)
        )
        first.refresh_from_db()
        assert first.status == BookingStatus.CANCELLED and first.rescheduled_to == moved
        assert slot(dt.date(2026, 9, 30), 9).booked == 0
        assert slot(dt.date(2026, 9, 30), 10).booked == 1
        actions.cancel_booking(actor=citizen, booking=moved)
        assert slot(dt.date(2026, 9, 30), 10).booked == 0
        with pytest.raises(Conflict):
            actions.cancel_booking(actor=citizen, booking=moved)
    templates = set(
        Notification.objects.filter(recipient=citizen, channel="in_app").values_list(
            "template_code", flat=True
        )
    )
    assert templates == {"booking_confirmed", "booking_rescheduled", "booking_cancelled"}


@pytest.mark.django_db
def test_capacity_and_personal_limits(generated, personas, city) -> None:
    people = [make_citizen(f"市民{n}", city.village_a, 10 + n) for n in range(3)]
    lunch = slot(dt.date(2026, 9, 30), 12)  # capacity 1
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        actions.book(actor=people[0], slot=lunch, task=generated.task)
        with pytest.raises(Conflict) as full:
            actions.book(actor=people[1], slot=lunch, task=generated.task)
        assert full.value.code == "slot_full"
        days = [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 10, 8)]
        for day in days:
            actions.book(actor=people[2], slot=slot(day, 10), task=generated.task)
        with pytest.raises(Conflict) as too_many:
            actions.book(actor=people[2], slot=slot(dt.date(2026, 10, 9), 10), task=generated.task)
        assert too_many.value.code == "too_many_bookings"
        with pytest.raises(PermissionDenied):
            actions.book(
                actor=generated.clerk, slot=slot(dt.date(2026, 9, 30), 9), task=generated.task
            )
    assert Slot.objects.get(pk=lunch.pk).booked == 1
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 30, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(DomainError) as past:
            actions.book(actor=people[1], slot=slot(dt.date(2026, 9, 28), 9), task=generated.task)
        assert past.value.code == "slot_past"
        with pytest.raises(DomainError) as far:
            actions.generate_slots(
                actor=SYSTEM, hall=generated.hall, start=dt.date(2026, 10, 19), days=1
            )
            actions.book(actor=people[1], slot=slot(dt.date(2026, 10, 19), 9), task=generated.task)
        assert far.value.code == "slot_too_far"


@pytest.mark.django_db
def test_repeated_no_shows_block_booking_for_thirty_days(generated, personas) -> None:
    citizen = personas.citizen
    days = [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30)]
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        for day in days:
            actions.book(actor=citizen, slot=slot(day, 10), task=generated.task)
    evening = dt.datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
    with time_machine.travel(evening, tick=False):
        assert actions.mark_no_shows() == 3
        assert actions.mark_no_shows() == 0
        ban = NoShowBan.objects.get(user=citizen)
        assert ban.until == evening + dt.timedelta(days=30)
        actions.generate_slots(
            actor=SYSTEM, hall=generated.hall, start=dt.date(2026, 10, 8), days=3
        )
        with pytest.raises(DomainError) as blocked:
            actions.book(actor=citizen, slot=slot(dt.date(2026, 10, 9), 9), task=generated.task)
        assert blocked.value.code == "booking_banned" and blocked.value.status == 403
    assert Notification.objects.filter(recipient=citizen, template_code="booking_banned").exists()
    with time_machine.travel(evening + dt.timedelta(days=31), tick=False):
        day = dt.date(2026, 11, 2)
        actions.generate_slots(actor=SYSTEM, hall=generated.hall, start=day, days=1)
        assert actions.book(actor=citizen, slot=slot(day, 9), task=generated.task)


@pytest.mark.django_db
def test_reminders_go_once(generated, personas) -> None:
    with time_machine.travel(MONDAY_BEFORE, tick=False):
        booking = actions.book(
            actor=personas.citizen, slot=slot(dt.date(2026, 9, 30), 9), task=generated.task
        )
        assert actions.send_reminders() == 0  # more than 24 hours ahead
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert actions.send_reminders() == 1
        assert actions.send_reminders() == 0
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert Notification.objects.filter(template_code="booking_reminder", channel="sms").count() == 1


@pytest.mark.django_db
def test_booking_pages_and_api_from_outside(generated, personas) -> None:
    with time_machine.travel(MONDAY_BEFORE, tick=True):
        client = client_for(personas.citizen)
        page = client.get(f"/appointments/book/?hall={generated.hall.pk}&task={generated.task.pk}")
        assert page.status_code == 200 and "延时服务（晚间）" in page.content.decode()
        target = slot(dt.date(2026, 10, 8), 17, 30)
        done = client.post(
            "/appointments/book/",
            {
                "hall": generated.hall.pk,
                "task": generated.task.pk,
                "slot": target.pk,
                "case_project_no": "3601020000000032026100800001",
            },
        )
        assert done.status_code == 302
        booking = Booking.objects.get()
        # 我的预约 says which case the booking is for; nobody else's list shows it.
        assert "3601020000000032026100800001" in client.get("/appointments/").content.decode()
        others = client_for(personas.other_citizen).get("/appointments/").content.decode()
        assert "3601020000000032026100800001" not in others
        public = client_for(None).get(
            f"/api/v1/appointments/halls/{generated.hall.pk}/slots?task_id={generated.task.pk}"
        )
        assert public.status_code == 200 and len(public.json()) > 10
        other = client_for(personas.other_citizen)
        assert other.post(f"/api/v1/appointments/bookings/{booking.pk}/cancel").status_code == 404
        assert other.post(f"/appointments/bookings/{booking.pk}/cancel/").status_code == 404
        assert other.get("/api/v1/appointments/bookings").json()["items"] == []
        staff_view = (
            client_for(generated.clerk).get("/api/v1/appointments/bookings").json()["items"]
        )
        assert [b["booking_no"] for b in staff_view] == [booking.booking_no]
        assert (
            client_for(personas.clerk_b).get("/api/v1/appointments/bookings").json()["items"] == []
        )
        assert client_for(None).get("/api/v1/appointments/bookings").status_code == 401
        assert client_for(None).get("/appointments/").status_code == 302
        mine = client.post(f"/api/v1/appointments/bookings/{booking.pk}/cancel")
        assert mine.status_code == 200 and mine.json()["status"] == "cancelled"
