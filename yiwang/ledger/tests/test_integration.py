"""Glue to other modules: case events from the outbox are anchored once per event."""

from __future__ import annotations

import datetime as dt
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps

from yiwang.ledger import integration
from yiwang.ledger.anchoring import payload_digest
from yiwang.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@dataclass
class FakeOutboxEvent:
    """The fields the outbox interface promises (see integration.py)."""

    pk: int
    event_type: str
    case_number: str
    payload: dict[str, Any] = field(default_factory=dict)
    created_at: dt.datetime = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_a_case_event_is_anchored_with_its_content_digest(no_task) -> None:
    event = FakeOutboxEvent(41, "accepted", "360102-20260302-0001", {"stage": "accepted"})
    entry = integration.anchor_case_event(event)
    assert (entry.kind, entry.subject) == ("case.accepted", "360102-20260302-0001")
    assert entry.digest == payload_digest(
        {
            "case": "360102-20260302-0001",
            "event": "accepted",
            "event_id": "41",
            "payload": {"stage": "accepted"},
            "at": "2026-03-02T09:30:00+00:00",
        }
    )


def test_a_redelivered_event_is_not_anchored_twice(no_task) -> None:
    event = FakeOutboxEvent(42, "decided", "360102-20260302-0002")
    first = integration.anchor_case_event(event)
    again = integration.anchor_case_event(event)
    assert first.pk == again.pk and LedgerEntry.objects.count() == 1


def test_connect_registers_the_ledger_consumer_when_cases_is_installed(monkeypatch) -> None:
    registered: list[tuple[str, Any]] = []
    outbox = types.ModuleType("yiwang.cases.outbox")
    outbox.register_consumer = lambda name, handler: registered.append((name, handler))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yiwang.cases.outbox", outbox)
    monkeypatch.setattr(apps, "is_installed", lambda name: name == "yiwang.cases")
    integration.connect()
    assert registered == [("ledger", integration.anchor_case_event)]


def test_connect_does_nothing_without_the_cases_app(monkeypatch) -> None:
    outbox = types.ModuleType("yiwang.cases.outbox")
    outbox.register_consumer = lambda name, handler: pytest.fail("registered without cases")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yiwang.cases.outbox", outbox)
    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    integration.connect()
