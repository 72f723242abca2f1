"""`manage.py ledger_audit` recomputes the tree from the stored entries: it passes on an
honest log and fails, naming the problem, on any tampering."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.ledger.anchoring import canonical_json
from yiwang.ledger.models import Checkpoint, LedgerEntry, LogState, MerkleNode
from yiwang.ledger.sequencer import sequence_pending
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog.merkle import leaf_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(no_task, settings) -> None:
    settings.YIWANG_LEDGER_BATCH_SIZE = 64
    anchor_many(300)
    sequence_pending()


def audit() -> str:
    out = StringIO()
    call_command("ledger_audit", stdout=out)
    return out.getvalue()


def failing_audit() -> str:
    with pytest.raises(CommandError) as caught:
        audit()
    return str(caught.value)


def test_an_honest_log_passes(sealed) -> None:
    out = audit()
    assert "OK ledger audit passed: 300 entries" in out
    assert "5 checkpoints" in out


def test_an_empty_ledger_passes(no_task) -> None:
    assert "0 entries" in audit()


def test_a_tampered_leaf_fails(sealed) -> None:
    entry = LedgerEntry.objects.get(index=123)
    data = json.loads(entry.entry_data)
    data["digest"] = "f" * 64
    forged = canonical_json(data)
    # A careful forger rewrites the data, the digest column and the leaf hash together...
    LedgerEntry.objects.filter(pk=entry.pk).update(
        entry_data=forged.decode(), digest="f" * 64, leaf_hash=leaf_hash(forged)
    )
    message = failing_audit()
    # ...and is caught by the Merkle nodes and every signed checkpoint since.
    assert "Merkle node 0/123 differs" in message
    assert "signed root differs from the recomputed root" in message


def test_a_changed_column_fails(sealed) -> None:
    LedgerEntry.objects.filter(index=7).update(subject="360102-2026-999999")
    assert "entry 7: data does not match" in failing_audit()


def test_a_changed_leaf_hash_fails(sealed) -> None:
    LedgerEntry.objects.filter(index=8).update(leaf_hash=b"\x00" * 32)
    assert "entry 8: stored leaf hash differs" in failing_audit()


def test_a_tampered_node_fails(sealed) -> None:
    MerkleNode.objects.filter(level=3, index=5).update(hash=b"\x01" * 32)
    assert "Merkle node 3/5 differs" in failing_audit()


def test_a_missing_entry_fails(sealed) -> None:
    LedgerEntry.objects.filter(index=200).delete()
    assert "index 200 is missing" in failing_audit()


def test_a_forged_checkpoint_fails(sealed) -> None:
    checkpoint = Checkpoint.objects.get(size=128)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        signed_note=checkpoint.signed_note.replace("\n128\n", "\n127\n")
    )
    assert "checkpoint 128" in failing_audit()


def test_a_rewound_state_fails(sealed) -> None:
    LogState.objects.update(root_hash=b"\x02" * 32)
    assert "published root differs" in failing_audit()


def test_skip_nodes_still_recomputes_roots(sealed) -> None:
    MerkleNode.objects.filter(level=3, index=5).update(hash=b"\x01" * 32)
    out = StringIO()
    call_command("ledger_audit", "--skip-nodes", stdout=out)
    assert "0 nodes" in out.getvalue()
