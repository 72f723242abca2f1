"""Glue to modules built on other branches: the cases outbox feeds the ledger.

`connect()` runs in LedgerConfig.ready(). When `yiwang.cases` is installed and provides
`yiwang.cases.outbox.register_consumer`, every case event is anchored as
kind "case.<event type>", subject = the case number, payload = the event as JSON (so the
digest proves the event's content), once per event (once_key "outbox:<event id>", so a
redelivered event never makes a second entry).

Certificates (issue 6) and the exchange (issue 10) call `yiwang.ledger.anchoring.anchor`
directly inside their own actions; see docs/ledger.md, "Anchoring from a module".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.apps import apps

from yiwang.ledger.anchoring import anchor
from yiwang.ledger.models import LedgerEntry

logger = logging.getLogger("yiwang.ledger")

CONSUMER_NAME = "ledger"
# The outbox is being built on another branch; these are the attribute names we read, first
# match wins, so the glue fits whichever spelling lands. Prune at merge.
_TYPE_FIELDS = ("event_type", "kind", "name", "type")
_SUBJECT_FIELDS = ("case_number", "subject")
_PAYLOAD_FIELDS = ("payload", "data")
_TIME_FIELDS = ("created_at", "occurred_at")


def _first(event: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        value = getattr(event, name, None)
        if value not in (None, ""):
            return value
    return None


def _case_number(event: Any) -> str:
    number = _first(event, _SUBJECT_FIELDS)
    if number is None:
        case = getattr(event, "case", None)
        number = getattr(case, "number", None) or getattr(case, "case_number", None)
    if number is None:
        raise ValueError(f"outbox event {event.pk} names no case number")
    return str(number)


def anchor_case_event(event: Any) -> LedgerEntry:
    """Outbox consumer: anchor one case event (idempotent per event)."""
    event_type = str(_first(event, _TYPE_FIELDS) or "event").lower().replace(" ", "_")
    payload = _first(event, _PAYLOAD_FIELDS)
    moment = _first(event, _TIME_FIELDS)
    body: dict[str, Any] = {
        "case": _case_number(event),
        "event": event_type,
        "event_id": str(event.pk),
        "payload": dict(payload) if isinstance(payload, Mapping) else {},
    }
    if moment is not None:
        body["at"] = moment.isoformat()
    return anchor(f"case.{event_type}", body["case"], body, once_key=f"outbox:{event.pk}")


def connect() -> None:
    """Register the ledger's consumers with the modules that are installed."""
    if not apps.is_installed("yiwang.cases"):
        return
    try:
        from yiwang.cases.outbox import register_consumer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        logger.warning("yiwang.cases is installed without an outbox; case events not anchored")
        return
    register_consumer(CONSUMER_NAME, anchor_case_event)
