"""Issue 7: bookings per second when everybody wants the same slot, and payment callbacks
handled per second, each next to this machine's raw limit measured in the same run.

- Bookings: THREADS threads book one popular slot through `appointments.actions.book` (the
  full path: limits, the conditional UPDATE, the booking row, audit, notifications) against
  the same threads bumping the same row with a bare conditional UPDATE.
- Callbacks, in process: `payments.actions.receive_callback` for first deliveries (verify,
  lock, settle, receipt number, audit, notify) and for duplicates (verify, lock, log),
  against the HMAC-SHA256 primitive (and Ed25519 verify, for a provider that signs so) and a
  bare single-row UPDATE transaction.
- Callbacks through gunicorn (2 workers): signed duplicate callbacks with wrk against the
  same server's empty endpoint.

Set BENCH_DATABASE_URL to a PostgreSQL database to measure real row-lock contention.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from types import SimpleNamespace
from typing import Any

from bench.common import Figure, bench_env, gunicorn, manage, rate, report, scratch_database, wrk

THREADS = 4
SECONDS = 4.0
ORDERS = 300


def _world() -> dict[str, Any]:
    from django.utils import timezone

    from yiwang.appointments import actions as appointments
    from yiwang.appointments.models import Slot
    from yiwang.core.actors import SYSTEM
    from yiwang.identity import actions as identity
    from yiwang.identity.choices import DocumentType
    from yiwang.payments.tests.helpers import make_fee_task
    from yiwang.portal.demo.city import resident_id_for, uscc_for
    from yiwang.regions import actions as regions

    city = SimpleNamespace()
    regions.create_region(actor=SYSTEM, code="360100000000", name="南昌市")
    county = regions.create_region(actor=SYSTEM, code="360102000000", name="东湖区")
    regions.create_region(actor=SYSTEM, code="360102001000", name="滨江街道")
    village = regions.create_region(actor=SYSTEM, code="360102001001", name="东升社区")
    city.dept_a2 = regions.create_department(
        actor=SYSTEM, name="东湖区市场监督管理局", uscc=uscc_for("11360102", 3), region=county
    )
    version = make_fee_task(city)
    citizens = [
        identity.register_citizen(
            actor=SYSTEM,
            name=f"市民{n}",
            document_type=DocumentType.RESIDENT_ID,
            document_number=resident_id_for("360102", dt.date(1980, 1, 1 + n), 10 + n),
            phone=f"1390000{n:04d}",
            password="Bench@Pass-2026",  # noqa: S106 - a throw-away bench account
            region=village,
        )
        for n in range(THREADS)
    ]
    hall = appointments.create_hall(
        actor=SYSTEM, name="东湖区政务服务中心", region=county, department=city.dept_a2, address="-"
    )
    window = appointments.add_window(
        actor=SYSTEM, hall=hall, number="A01", name="综合", tasks=[version.task]
    )
    slot = Slot.objects.create(
        window=window,
        date=timezone.localdate() + dt.timedelta(days=1),
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
        session="regular",
        capacity=32000,
    )
    return {"version": version, "citizens": citizens, "slot": slot, "task": version.task}


def _threads(work: Any) -> float:
    """Run `work(index, deadline)` in THREADS threads; operations per second in total."""
    from django.db import connection

    counts = [0] * THREADS
    deadline = time.perf_counter() + SECONDS
    start = time.perf_counter()

    def body(index: int) -> None:
        try:
            counts[index] = work(index, deadline)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


def booking_figures(world: dict[str, Any]) -> list[Figure]:
    from django.db import transaction
    from django.db.models import F
    from django.test.utils import override_settings

    from yiwang.appointments import actions
    from yiwang.appointments.models import Booking, Slot

    slot = world["slot"]

    def bare(index: int, deadline: float) -> int:
        done = 0
        while time.perf_counter() < deadline:
            with transaction.atomic():
                Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
                    booked=F("booked") + 1
                )
            done += 1
        return done

    def book(index: int, deadline: float) -> int:
        done = 0
        person = world["citizens"][index]
        while time.perf_counter() < deadline:
            actions.book(actor=person, slot=slot, task=world["task"])
            done += 1
        return done

    raw = _threads(bare)
    Slot.objects.filter(pk=slot.pk).update(booked=0)
    # The per-person limits would stop a handful of people after one booking each; lift
    # them so the bench measures the slot, not the rules.
    with override_settings(
        YIWANG_BOOKING_MAX_ACTIVE=10**9, YIWANG_BOOKING_MAX_PER_ITEM_PER_DAY=10**9
    ):
        booked = _threads(book)
    slot.refresh_from_db()
    if slot.booked != Booking.objects.filter(slot=slot).count():
        raise RuntimeError("booked counter and booking rows disagree")
    return [
        Figure(f"bare conditional UPDATE, one row, {THREADS} threads", raw, "tx/s"),
        Figure(
            f"book() one popular slot, {THREADS} threads",
            booked,
            "bookings/s",
            "bare UPDATE",
            raw,
            f"{slot.booked} bookings, never above capacity",
        ),
    ]


def _prepare_orders(world: dict[str, Any]) -> list[bytes]:
    from yiwang.core.actors import SYSTEM
    from yiwang.payments import actions
    from yiwang.payments.providers import sandbox

    bodies = []
    provider = sandbox.SandboxProvider()
    for n in range(ORDERS):
        payer = world["citizens"][n % THREADS]
        order = actions.create_order(
            actor=SYSTEM, case_project_no=f"B{n:08d}", payer=payer, task_version=world["version"]
        )
        actions.start_payment(actor=payer, order=order, channel="wechat", return_url="/")
        order.refresh_from_db()
        trade = provider.pay(order.provider_trade_no)
        bodies.append(sandbox.notice_body(trade, "TRADE_SUCCESS"))
    return bodies


def callback_figures(bodies: list[bytes]) -> list[Figure]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import transaction

    from yiwang.payments import actions
    from yiwang.payments.models import PaymentOrder
    from yiwang.payments.providers import sandbox

    def timed(label: str) -> float:
        start = time.perf_counter()
        for body in bodies:
            status, answer = actions.receive_callback(
                provider_code="sandbox", headers=sandbox.sign(body), body=body
            )
            if status != 200 or answer["message"] != label:
                raise RuntimeError(f"callback answered {status} {answer}")
        return len(bodies) / (time.perf_counter() - start)

    applied = timed("applied")
    duplicate = timed("duplicate")
    body = bodies[0]
    hmac_rate = rate(lambda: sandbox.signature("1700000000", "n" * 32, body))
    key = Ed25519PrivateKey.generate()
    signed = key.sign(body)
    public = key.public_key()
    ed_rate = rate(lambda: public.verify(signed, body))
    order_pk = PaymentOrder.objects.values_list("pk", flat=True).first()
    assert order_pk is not None

    def bare_update() -> None:
        with transaction.atomic():
            PaymentOrder.objects.filter(pk=order_pk).update(channel="wechat")

    db_rate = rate(bare_update)
    return [
        Figure("HMAC-SHA256 over the canonical string", hmac_rate, "ops/s"),
        Figure("Ed25519 verify (for comparison)", ed_rate, "ops/s"),
        Figure("bare single-row UPDATE transaction", db_rate, "tx/s"),
        Figure(
            "callback, first delivery (pays)",
            applied,
            "callbacks/s",
            "bare UPDATE tx",
            db_rate,
            f"{len(bodies)} orders",
        ),
        Figure(
            "callback, duplicate (acknowledged)",
            duplicate,
            "callbacks/s",
            "bare UPDATE tx",
            db_rate,
        ),
    ]


def _callback_script(bodies: list[bytes]) -> str:
    from yiwang.payments.providers import sandbox

    entries = []
    for body in bodies:
        headers = sandbox.sign(body)
        fields = (
            body.decode(),
            headers[sandbox.HEADER_TIMESTAMP],
            headers[sandbox.HEADER_NONCE],
            headers[sandbox.HEADER_SIGNATURE],
        )
        entries.append("{" + ", ".join(f"[[{field}]]" for field in fields) + "}")
    return (
        "local calls = {" + ",\n".join(entries) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = (i % #calls) + 1\n"
        "  local c = calls[i]\n"
        '  local h = {["Content-Type"] = "application/json", '
        '["X-Sandbox-Timestamp"] = c[2], ["X-Sandbox-Nonce"] = c[3], '
        '["X-Sandbox-Signature"] = c[4]}\n'
        '  return wrk.format("POST", "/api/v1/payments/callbacks/sandbox", h, c[1])\n'
        "end\n"
    )


def run() -> None:
    with scratch_database() as (url, _folder):
        env = {**bench_env(url), "YIWANG_PAYMENT_SANDBOX": "true"}
        manage(env, "migrate", "--noinput")
        os.environ.update(env)
        import django

        django.setup()
        world = _world()
        report(
            f"around: one popular slot ({url.split(':', 1)[0]}, in process)",
            booking_figures(world),
        )
        bodies = _prepare_orders(world)
        report(
            f"around: payment callbacks ({url.split(':', 1)[0]}, in process)",
            callback_figures(bodies),
        )
        script = _callback_script(bodies[:100])
        with gunicorn(env, workers=2) as base:
            empty = wrk(f"{base}/api/v1/ping", seconds=5)
            callbacks = wrk(f"{base}/api/v1/ping", seconds=5, connections=4, script=script)
        if callbacks.non_success:
            raise RuntimeError(f"{callbacks.non_success} callbacks were refused in the bench")
        report(
            "around: payment callbacks through gunicorn (2 workers)",
            [
                Figure(
                    "empty endpoint /api/v1/ping",
                    empty.requests_per_second,
                    "req/s",
                    note=f"p99 {empty.p99_ms:.1f} ms",
                ),
                Figure(
                    "signed duplicate callbacks",
                    callbacks.requests_per_second,
                    "callbacks/s",
                    "empty endpoint",
                    empty.requests_per_second,
                    f"p99 {callbacks.p99_ms:.1f} ms",
                ),
            ],
        )
