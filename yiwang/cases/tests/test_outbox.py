"""The outbox: events in the change's transaction, each consumer served once, failures retried."""

from __future__ import annotations

import pytest
from django.db import transaction

from yiwang.cases import actions
from yiwang.cases.models import OutboxDelivery, OutboxEvent
from yiwang.cases.outbox import deliver_pending, emit, register_consumer, unregister_consumer
from yiwang.cases.tests.conftest import submit
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def consumers(monkeypatch):
    """Only this test's consumers: the apps' real ones (ledger, payments, …) are set aside."""
    from yiwang.cases import outbox

    monkeypatch.setattr(outbox, "_consumers", {})
    names: list[str] = []

    def add(name, handler):
        register_consumer(name, handler)
        names.append(name)

    yield add
    for name in names:
        unregister_consumer(name)


def test_each_consumer_gets_each_event_once_in_order(personas, staff, version, consumers) -> None:
    seen: dict[str, list[str]] = {"ledger": [], "cockpit": []}
    consumers("ledger", lambda e: seen["ledger"].append(e.kind))
    consumers("cockpit", lambda e: seen["cockpit"].append(e.kind))
    case = submit(personas.citizen, version)
    actions.receive_case(actor=staff.clerk, case=case)
    assert deliver_pending() == {"ledger": 2, "cockpit": 2}
    assert deliver_pending() == {"ledger": 0, "cockpit": 0}
    assert seen["ledger"] == seen["cockpit"] == ["case.submit", "case.receive"]


def test_a_failing_consumer_is_retried_and_does_not_block_others(
    personas, version, consumers
) -> None:
    seen: list[int] = []
    state = {"fail": True}

    def flaky(event):
        if state["fail"]:
            raise RuntimeError("worker died")
        seen.append(event.pk)

    consumers("flaky", flaky)
    consumers("steady", lambda e: None)
    submit(personas.citizen, version)
    submit(personas.citizen, version)
    assert deliver_pending() == {"flaky": 0, "steady": 2}
    failed = OutboxDelivery.objects.get(consumer="flaky")
    assert (
        failed.delivered_at is None and failed.attempts == 1 and "worker died" in failed.last_error
    )
    state["fail"] = False
    assert deliver_pending() == {"flaky": 2, "steady": 0}
    assert seen == list(OutboxEvent.objects.order_by("id").values_list("id", flat=True))


def test_consumer_writes_roll_back_with_its_failure(personas, version, consumers) -> None:
    from yiwang.core.models import Sequence

    def half_done(event):
        Sequence.objects.create(name=f"consumer-side-effect-{event.pk}", value=1)
        raise RuntimeError("crash after writing")

    consumers("half", half_done)
    submit(personas.citizen, version)
    deliver_pending()
    assert not Sequence.objects.filter(name__startswith="consumer-side-effect").exists()


def test_event_is_written_with_the_change_or_not_at_all(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    before = OutboxEvent.objects.count()
    with pytest.raises(DomainError):
        actions.accept_case(actor=staff.clerk, case=case)  # not received yet
    assert OutboxEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_run_outside_a_transaction() -> None:
    import datetime as dt

    with pytest.raises(RuntimeError, match="inside the transaction"):
        emit("case.test", case=None, occurred_at=dt.datetime.now(dt.UTC), payload={})


def test_delivery_is_scheduled_after_commit(
    personas, version, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        submit(personas.citizen, version)
    assert len(callbacks) == 1  # one enqueue per transaction, however many events
