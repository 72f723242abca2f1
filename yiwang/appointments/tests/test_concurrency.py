"""Concurrent bookings never exceed a slot's capacity (real row-level concurrency)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import make_citizen
from yiwang.appointments import actions
from yiwang.appointments.models import Booking, Slot
from yiwang.core.errors import DomainError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to lose",
    ),
]

CAPACITY = 5
THREADS = 16


@pytest.mark.django_db(transaction=True)
def test_threads_hammering_one_slot_book_exactly_its_capacity(desk, city) -> None:
    people = [make_citizen(f"抢号{n}", city.village_a, 5 + n) for n in range(THREADS)]
    day = timezone.localdate() + dt.timedelta(days=2)
    slot = Slot.objects.create(
        window=desk.window, date=day, start_time=dt.time(9), end_time=dt.time(10),
        session="regular", capacity=CAPACITY,
    )  # fmt: skip
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person) -> None:
        try:
            barrier.wait()
            actions.book(actor=person, slot=slot, task=desk.task)
            result = "booked"
        except DomainError as error:
            result = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == CAPACITY
    assert outcomes.count("slot_full") == THREADS - CAPACITY
    slot.refresh_from_db()
    assert slot.booked == CAPACITY
    assert Booking.objects.filter(slot=slot).count() == CAPACITY
