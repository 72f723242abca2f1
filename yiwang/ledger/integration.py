"""The cases outbox feeds the ledger.

`connect()` runs in LedgerConfig.ready(): every event of a numbered case is anchored with the
event's kind ("case.submit", "case.accept", …), subject = the case number, payload = the event
as JSON (so the
digest proves the event's content), once per event (once_key "outbox:<event id>", so a
redelivered event never makes a second entry).

Certificates (issue 6) and the exchange (issue 10) call `yiwang.ledger.anchoring.anchor`
directly inside their own actions; see docs/ledger.md, "Anchoring from a module".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yiwang.cases.models import OutboxEvent
from yiwang.cases.outbox import register_consumer
from yiwang.ledger.anchoring import anchor

CONSUMER_NAME = "ledger"


def anchor_case_event(event: OutboxEvent) -> None:
    """Outbox consumer: anchor one case event (idempotent per event)."""
    if event.case is None or not event.case.project_no:
        # Only events of numbered cases are evidence; a draft has nothing to prove yet.
        return
    body: dict[str, Any] = {
        "case": event.case.project_no,
        "event": event.kind,
        "event_id": str(event.pk),
        "payload": dict(event.payload) if isinstance(event.payload, Mapping) else {},
        "at": event.occurred_at.isoformat(),
    }
    anchor(event.kind, event.case.project_no, body, once_key=f"outbox:{event.pk}")


def connect() -> None:
    """Register the ledger as a consumer of every case event."""
    register_consumer(CONSUMER_NAME, anchor_case_event)
