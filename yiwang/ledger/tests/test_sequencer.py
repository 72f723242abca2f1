"""The sequencer: consecutive indexes, stored nodes, signed checkpoints that never shrink,
an optional witness, keys encrypted at rest, proofs consistent across 1,000 appends."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connections

from yiwang.core.models import AuditEntry
from yiwang.ledger import queries, sequencer
from yiwang.ledger.models import Checkpoint, LedgerEntry, LogState, MerkleNode, SigningKey
from yiwang.ledger.sequencer import CheckpointShrinks, sequence_batch, sequence_pending
from yiwang.ledger.store import DatabaseHashStore
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog import merkle
from yiwang.ledger.tlog.checkpoint import CheckpointError, open_checkpoint
from yiwang.ledger.tlog.merkle import MemoryHashStore
from yiwang.ledger.tlog.note import verifier_from_vkey

pytestmark = pytest.mark.django_db


def log_key():
    return verifier_from_vkey(queries.log_vkey())


def test_nothing_pending_seals_nothing(no_task) -> None:
    assert sequence_batch() is None
    assert not Checkpoint.objects.exists()


def test_a_batch_gets_consecutive_indexes_nodes_and_a_signed_checkpoint(no_task) -> None:
    entries = anchor_many(5)
    batch = sequence_batch()
    assert batch is not None and (batch.first_index, batch.count, batch.size) == (0, 5, 5)
    assert [e.index for e in LedgerEntry.objects.order_by("id")] == [0, 1, 2, 3, 4]
    expected = MemoryHashStore(bytes(e.leaf_hash) for e in entries)
    # Every complete node is stored: 5 leaves, 2 + 1 interior nodes.
    assert MerkleNode.objects.count() == 8
    head = open_checkpoint(queries.published().note, log_key())
    assert (head.size, head.root_hash) == (5, expected.root())
    assert head.checkpoint.origin == "yiwang.example/360100/log"
    assert LogState.objects.get().size == 5


def test_batches_are_bounded_by_count(no_task, settings) -> None:
    settings.YIWANG_LEDGER_BATCH_SIZE = 4
    anchor_many(10)
    sizes = [b.size for b in iter(sequence_batch, None)]
    assert sizes == [4, 8, 10]
    assert Checkpoint.objects.count() == 3


def test_the_log_key_is_created_once_and_kept_encrypted(no_task) -> None:
    anchor_many(1)
    sequence_pending()
    row = SigningKey.objects.get()
    assert row.vkey.startswith("yiwang.example/360100/log+")
    assert "PRIVATE+KEY" not in row.skey_encrypted
    assert row.skey_encrypted.startswith("1:")
    assert AuditEntry.objects.filter(action="ledger.key_created").count() == 1
    anchor_many(1, start=1)
    sequence_pending()
    assert SigningKey.objects.count() == 1


def test_a_checkpoint_never_shrinks_the_tree(no_task) -> None:
    anchor_many(3)
    sequence_pending()
    state = LogState.objects.get()
    key = SigningKey.objects.get()
    view = DatabaseHashStore()
    for smaller in (3, 2):
        with pytest.raises(CheckpointShrinks):
            sequencer._sign_checkpoint(state, smaller, merkle.tree_root(view, smaller), key, view)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3]


def test_changing_the_origin_of_a_started_log_is_refused(no_task, settings) -> None:
    anchor_many(1)
    sequence_pending()
    settings.YIWANG_LEDGER_ORIGIN = "yiwang.example/360200/log"
    anchor_many(1, start=1)
    with pytest.raises(Exception) as caught:
        sequence_batch()
    assert getattr(caught.value, "code", "") == "ledger_origin_changed"
    assert LogState.objects.get().size == 1


def test_witness_cosigns_and_both_signatures_verify(no_task, witness) -> None:
    anchor_many(3)
    sequence_pending()
    anchor_many(2, start=3)
    sequence_pending()
    note_text = queries.published().note
    head = open_checkpoint(note_text, log_key(), witnesses=[witness], quorum=1)
    assert head.size == 5 and len(head.witness_signatures) == 1
    # A checkpoint lacking the witness fails a verifier that demands one.
    bare = Checkpoint.objects.get(size=5).signed_note
    with pytest.raises(CheckpointError):
        open_checkpoint(bare, log_key(), witnesses=[witness], quorum=1)


def test_witness_refuses_a_tree_inconsistent_with_what_it_cosigned(no_task, witness) -> None:
    anchor_many(3)
    sequence_pending()
    # Rewrite history under the witness's nose: the stored leaf 0 node changes.
    MerkleNode.objects.filter(level=1, index=0).update(hash=b"\x07" * 32)
    anchor_many(2, start=3)
    sequence_pending()
    assert Checkpoint.objects.get(size=5).cosigned_note == ""
    assert Checkpoint.objects.get(size=3).cosigned_note != ""


def test_proofs_stay_consistent_across_1000_appends_in_many_batches(no_task) -> None:
    rng = random.Random(9162)
    total = 0
    while total < 1000:
        count = min(rng.choice([1, 2, 3, 7, 31, 64, 100, 256]), 1000 - total)
        anchor_many(count, start=total)
        batch = sequence_batch(max_entries=rng.choice([count, max(1, count // 2)]))
        assert batch is not None
        total = batch.size
        # A half-sealed backlog drains too.
        while (more := sequence_batch()) is not None:
            total = more.size
    # Every stored node, read once: the proofs below then cost no queries, and a sample is
    # checked against the database store that serves them in production.
    stored = {
        (level, index): bytes(value)
        for level, index, value in MerkleNode.objects.values_list("level", "index", "hash")
    }
    nodes = DictStore(stored)
    database = DatabaseHashStore()
    key = log_key()
    heads = [open_checkpoint(c.signed_note, key) for c in Checkpoint.objects.order_by("size")]
    sizes = [h.size for h in heads]
    assert sizes == sorted(set(sizes)) and sizes[-1] == 1000 and len(sizes) > 20
    # Every pair of checkpoints ever published is consistent (RFC 9162 §2.1.4).
    for i, old in enumerate(heads):
        for new in heads[i + 1 :]:
            proof = merkle.consistency_proof(nodes, old.size, new.size)
            merkle.verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
    # Every entry is provably in the final tree and in the checkpoint that first held it.
    final = heads[-1]
    for entry in LedgerEntry.objects.select_related("checkpoint").order_by("index"):
        leaf = bytes(entry.leaf_hash)
        proof = merkle.inclusion_proof(nodes, entry.index, 1000)
        merkle.verify_inclusion(leaf, entry.index, 1000, proof, final.root_hash)
        first = entry.checkpoint
        proof = merkle.inclusion_proof(nodes, entry.index, first.size)
        merkle.verify_inclusion(leaf, entry.index, first.size, proof, bytes(first.root_hash))
    for index in range(0, 1000, 37):
        assert merkle.inclusion_proof(database, index, 1000) == merkle.inclusion_proof(
            nodes, index, 1000
        )
    assert merkle.consistency_proof(database, 333, 1000) == merkle.consistency_proof(
        nodes, 333, 1000
    )
    # And the stored tree equals one rebuilt from the leaves alone.
    leaves = [
        bytes(v) for v in LedgerEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    assert MemoryHashStore(leaves).root() == final.root_hash


class DictStore:
    """A HashStore over a dict of nodes."""

    def __init__(self, nodes):
        self.nodes = nodes

    def node_hashes(self, wanted):
        return [self.nodes[node] for node in wanted]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sequencers_never_double_assign(settings) -> None:
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = False
    settings.YIWANG_LEDGER_BATCH_SIZE = 16
    anchor_many(200)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            sequence_pending(max_batches=100)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    indexes = list(LedgerEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(200))
    assert LogState.objects.get().size == 200
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes[-1] == 200 and len(sizes) == len(set(sizes))
