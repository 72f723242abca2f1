"""anchor(): digests of canonical payloads, strict input, the caller's transaction, once-keys."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import transaction

from yiwang.core.errors import DomainError
from yiwang.ledger.anchoring import anchor, anchor_digest, payload_digest
from yiwang.ledger.models import LedgerEntry
from yiwang.ledger.tlog.merkle import leaf_hash

pytestmark = pytest.mark.django_db


def test_digest_is_sha256_of_rfc8785_json_or_of_the_bytes(no_task) -> None:
    payload = {"b": [1, 2.5, "中"], "a": {"y": True, "x": None}}
    canonical = '{"a":{"x":null,"y":true},"b":[1,2.5,"中"]}'.encode()
    assert payload_digest(payload) == hashlib.sha256(canonical).hexdigest()
    assert payload_digest(b"%PDF-1.7") == hashlib.sha256(b"%PDF-1.7").hexdigest()
    # Key order and whitespace do not matter; content does.
    assert payload_digest({"a": {"y": True, "x": None}, "b": [1, 2.5, "中"]}) == payload_digest(
        payload
    )
    assert payload_digest({"a": 1}) != payload_digest({"a": 2})


def test_anchor_stores_a_pending_entry_with_hashes_only(no_task) -> None:
    entry = anchor("certificate.issued", "1.2.156.3005.2.11100000000000001X", {"holder": "张伟"})
    entry.refresh_from_db()
    assert entry.index is None and entry.checkpoint is None
    data = json.loads(entry.entry_data)
    assert data == {
        "digest": payload_digest({"holder": "张伟"}),
        "kind": "certificate.issued",
        "subject": "1.2.156.3005.2.11100000000000001X",
        "time": data["time"],
        "v": 1,
    }
    assert data["time"].endswith("Z") and len(data["time"]) == len("2026-01-01T00:00:00.000Z")
    assert bytes(entry.leaf_hash) == leaf_hash(entry.entry_data.encode())
    # The payload itself is nowhere in the row.
    row = json.dumps(list(LedgerEntry.objects.values("kind", "subject", "digest", "entry_data")))
    assert "张伟" not in row


@pytest.mark.parametrize(
    ("kind", "subject", "payload", "code"),
    [
        ("Case.Accepted", "x", {}, "ledger_kind_invalid"),
        ("case..accepted", "x", {}, "ledger_kind_invalid"),
        ("k" * 65, "x", {}, "ledger_kind_invalid"),
        ("case.accepted", "", {}, "ledger_subject_invalid"),
        ("case.accepted", "   ", {}, "ledger_subject_invalid"),
        ("case.accepted", "a\nb", {}, "ledger_subject_invalid"),
        ("case.accepted", "x" * 201, {}, "ledger_subject_invalid"),
        ("case.accepted", "x", {"n": 2**60}, "ledger_payload_invalid"),
        ("case.accepted", "x", {"f": float("nan")}, "ledger_payload_invalid"),
        ("case.accepted", "x", {1: "non-string key"}, "ledger_payload_invalid"),
        ("case.accepted", "x", ["not", "an", "object"], "ledger_payload_invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(no_task, kind, subject, payload, code) -> None:
    with pytest.raises(DomainError) as caught:
        anchor(kind, subject, payload)
    assert caught.value.code == code
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("digest", ["abc", "g" * 64, "a" * 63, "a" * 65, ""])
def test_anchor_digest_refuses_malformed_digests(no_task, digest: str) -> None:
    with pytest.raises(DomainError) as caught:
        anchor_digest("exchange.call", "REQ-1", digest)
    assert caught.value.code == "ledger_digest_invalid"


def test_anchor_digest_lowers_upper_case_hex(no_task) -> None:
    entry = anchor_digest("exchange.call", "REQ-1", "AB" * 32)
    assert entry.digest == "ab" * 32


def test_entry_rolls_back_with_the_callers_transaction(no_task) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        anchor("case.accepted", "360102-2026-000001", {"n": 1})
        raise RuntimeError("the caller's action failed")
    assert not LedgerEntry.objects.exists()


def test_once_key_anchors_an_event_once_and_refuses_a_different_one(no_task) -> None:
    first = anchor("case.accepted", "C-1", {"n": 1}, once_key="outbox:7")
    again = anchor("case.accepted", "C-1", {"n": 1}, once_key="outbox:7")
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 1
    with pytest.raises(DomainError) as caught:
        anchor("case.accepted", "C-1", {"n": 2}, once_key="outbox:7")
    assert caught.value.code == "ledger_once_key_reused"


def test_one_sequencer_task_per_committing_transaction(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for i in range(5):
            anchor("case.accepted", f"C-{i}", {"n": i})
    assert len(callbacks) == 1
    # The (immediate, in tests) task sealed all five after the commit.
    assert list(LedgerEntry.objects.order_by("index").values_list("index", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
    ]
