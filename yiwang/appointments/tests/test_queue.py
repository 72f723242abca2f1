"""Queue tickets on the day (取号): bookings first, an estimated wait, the window desk."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import client_for, make_citizen
from yiwang.appointments import actions
from yiwang.appointments.models import Booking, QueueTicket, Slot
from yiwang.core.errors import PermissionDenied


@pytest.fixture
def today_slot(desk):
    from django.utils import timezone

    today = timezone.localdate()
    return Slot.objects.create(
        window=desk.window, date=today, start_time=dt.time(23, 58), end_time=dt.time(23, 59),
        session="evening", capacity=5,
    )  # fmt: skip


@pytest.mark.django_db
def test_tickets_estimate_the_wait_and_bookings_go_first(desk, personas, city, today_slot) -> None:
    walkers = [make_citizen(f"散客{n}", city.village_a, 20 + n) for n in range(2)]
    first = actions.take_ticket(actor=walkers[0], hall=desk.hall, task=desk.task)
    second = actions.take_ticket(actor=walkers[1], hall=desk.hall, task=desk.task)
    assert (first.number, first.estimated_wait_minutes) == ("A001", 0)
    assert (second.number, second.estimated_wait_minutes) == ("A002", 10)  # 1 ahead × 10 min
    booking = Booking.objects.create(
        booking_no="YYTEST", slot=today_slot, citizen=personas.citizen, task=desk.task
    )
    priority = actions.take_ticket(
        actor=personas.citizen, hall=desk.hall, task=desk.task, booking=booking
    )
    assert priority.number == "Y001" and priority.estimated_wait_minutes == 0
    # Taking it again returns the same ticket.
    assert (
        actions.take_ticket(actor=personas.citizen, hall=desk.hall, task=desk.task, booking=booking)
        == priority
    )
    assert actions.people_ahead(second) == 2  # the booked ticket now stands before it
    called = actions.call_next(actor=desk.clerk, window=desk.window)
    assert called == priority
    actions.finish_ticket(actor=desk.clerk, ticket=called)
    booking.refresh_from_db()
    assert booking.status == "served"
    assert actions.call_next(actor=desk.clerk, window=desk.window).number == "A001"
    with pytest.raises(PermissionDenied):
        actions.call_next(actor=personas.clerk_b, window=desk.window)
    board = actions.queue_board(desk.hall)
    assert board["windows"][0]["number"] == "A001" and board["waiting"] == 1


@pytest.mark.django_db
def test_ticket_api_and_pages(desk, personas) -> None:
    client = client_for(personas.citizen)
    taken = client.post(
        f"/api/v1/appointments/halls/{desk.hall.pk}/tickets",
        json.dumps({"task_id": desk.task.pk}),
        content_type="application/json",
    )
    assert taken.status_code == 201, taken.content
    ticket_id = taken.json()["id"]
    assert client.get(f"/appointments/tickets/{ticket_id}/").status_code == 200
    assert (
        client_for(personas.other_citizen)
        .get(f"/api/v1/appointments/tickets/{ticket_id}")
        .status_code
        == 404
    )
    assert (
        client_for(desk.clerk).get(f"/api/v1/appointments/tickets/{ticket_id}").status_code == 200
    )
    board = client_for(None).get(f"/appointments/halls/{desk.hall.pk}/board/")
    assert board.status_code == 200 and personas.citizen.display_name not in board.content.decode()
    assert (
        client_for(None).get(f"/api/v1/appointments/halls/{desk.hall.pk}/board").json()["waiting"]
        == 1
    )
    assert (
        client_for(personas.citizen)
        .post(f"/api/v1/appointments/windows/{desk.window.pk}/call-next")
        .status_code
        == 404
    )
    assert (
        client_for(desk.clerk)
        .post(f"/api/v1/appointments/windows/{desk.window.pk}/call-next")
        .status_code
        == 200
    )
    assert client_for(desk.clerk).get("/appointments/desk/").status_code == 200
    assert client_for(personas.citizen).get("/appointments/desk/").status_code == 403
    assert QueueTicket.objects.get().status == "called"


@pytest.mark.django_db
def test_ticket_numbers_are_per_hall_and_day(desk, personas) -> None:
    actions.take_ticket(actor=personas.citizen, hall=desk.hall, task=desk.task)
    with pytest.raises(PermissionDenied):
        actions.take_ticket(actor=personas.clerk_b, hall=desk.hall, task=desk.task)
    desk_ticket = actions.take_ticket(actor=desk.clerk, hall=desk.hall, task=desk.task)
    assert desk_ticket.number == "A002" and desk_ticket.citizen is None
