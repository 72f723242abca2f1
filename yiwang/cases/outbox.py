"""The case outbox: domain events written in the same transaction as the change they report.

Other apps (ledger, notifications, cockpit) read events after commit through a consumer:

    from yiwang.cases.outbox import register_consumer
    register_consumer("ledger", handle)        # in their AppConfig.ready()

`deliver_pending()` hands every event to every consumer exactly once per consumer, in event
order. Each (event, consumer) pair has a delivery row; the handler runs inside a transaction
that also marks the row delivered, so a handler's own database writes and the mark commit
together, and a worker that dies mid-way leaves the event undelivered for the next run.
A handler with effects outside the database (an SMS) may see an event again after a crash;
it should be idempotent on `event.pk`. A handler that raises is retried on the next run;
later events wait for it, so each consumer sees events in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from yiwang.cases.models import Case, OutboxDelivery, OutboxEvent

logger = logging.getLogger(__name__)

# What a consumer returns is ignored; delivery only needs it not to raise.
Consumer = Callable[[OutboxEvent], object]
_consumers: dict[str, Consumer] = {}
BATCH = 200

__all__ = [
    "OutboxDelivery",
    "OutboxEvent",
    "deliver_pending",
    "emit",
    "register_consumer",
    "registered_consumers",
    "unregister_consumer",
]


def register_consumer(name: str, handler: Consumer) -> None:
    """Subscribe `handler` to every case event under a stable `name` (its cursor)."""
    if len(name) > 60 or not name:
        raise ValueError("consumer names are 1 to 60 characters")
    _consumers[name] = handler


def unregister_consumer(name: str) -> None:
    """Remove a consumer (tests; an app being switched off)."""
    _consumers.pop(name, None)


def registered_consumers() -> dict[str, Consumer]:
    return dict(_consumers)


def emit(
    kind: str, *, case: Case | None, occurred_at: Any, payload: Mapping[str, Any]
) -> OutboxEvent:
    """Write an event inside the caller's transaction and schedule delivery after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox events are written inside the transaction of the change")
    event = OutboxEvent.objects.create(
        kind=kind, case=case, occurred_at=occurred_at, payload=dict(payload)
    )
    _schedule_delivery()
    return event


def _schedule_delivery() -> None:
    # One enqueue per transaction, however many events it writes.
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _enqueue_delivery for _sids, callback, *_rest in pending):
        return
    transaction.on_commit(_enqueue_delivery)


def _enqueue_delivery() -> None:
    from yiwang.cases.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the periodic tick delivers anyway; a broken queue must not fail a case
        logger.exception("could not enqueue outbox delivery; the next tick will deliver")


def deliver_pending(*, batch: int = BATCH) -> dict[str, int]:
    """Deliver undelivered events to each consumer; returns how many each one took."""
    delivered: dict[str, int] = {}
    for name, handler in list(_consumers.items()):
        delivered[name] = _deliver_to(name, handler, batch)
    return delivered


def _deliver_to(name: str, handler: Consumer, batch: int) -> int:
    done = OutboxDelivery.objects.filter(
        event=OuterRef("pk"), consumer=name, delivered_at__isnull=False
    )
    candidates = list(
        OutboxEvent.objects.filter(~Exists(done))
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    count = 0
    for event_id in candidates:
        OutboxDelivery.objects.get_or_create(event_id=event_id, consumer=name)
        try:
            with transaction.atomic():
                row = (
                    OutboxDelivery.objects.select_for_update(skip_locked=True)
                    .filter(event_id=event_id, consumer=name, delivered_at__isnull=True)
                    .first()
                )
                if row is None:  # another worker holds or finished it
                    continue
                event = OutboxEvent.objects.get(pk=event_id)
                handler(event)
                row.attempts += 1
                row.delivered_at = timezone.now()
                row.last_error = ""
                row.save(update_fields=["attempts", "delivered_at", "last_error"])
        except Exception as error:  # the consumer's bug must not stop the others
            logger.exception("outbox consumer %s failed on event %s", name, event_id)
            OutboxDelivery.objects.filter(event_id=event_id, consumer=name).update(
                last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            _bump_attempts(event_id, name)
            break  # keep this consumer's order: later events wait for this one
        count += 1
    return count


def _bump_attempts(event_id: int, name: str) -> None:
    row = OutboxDelivery.objects.filter(event_id=event_id, consumer=name).first()
    if row is not None:
        row.attempts += 1
        row.save(update_fields=["attempts"])
