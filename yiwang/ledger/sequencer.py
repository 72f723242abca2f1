"""The sequencer: seals pending entries into the Merkle log, one batch per transaction.

A batch is sealed in ONE transaction that (1) takes the log lock, (2) claims up to
YIWANG_LEDGER_BATCH_SIZE pending entries, (3) gives them the next consecutive indexes, (4)
stores every Merkle node they complete, (5) signs (and has the witness cosign) a checkpoint of
the new size and (6) moves LogState to it. Either all of it commits or none of it: a crash at
any point leaves the previous state, and the entries stay pending for the next run.

The lock is the LogState row, bumped with an UPDATE before anything is read (as
core.numbering does): on PostgreSQL that UPDATE takes the row lock, so a second sequencer
waits and then sees the first one's commit; on SQLite every write transaction holds the
database's single write lock. No PostgreSQL-only feature is needed for correctness.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.core.actors import SYSTEM
from yiwang.ledger import errors
from yiwang.ledger.actions import ensure_log_key
from yiwang.ledger.keys import log_origin, log_signer, log_verifier, witness_signer
from yiwang.ledger.models import (
    Checkpoint,
    LedgerEntry,
    LogState,
    MerkleNode,
    SigningKey,
    as_bytes,
)
from yiwang.ledger.store import DatabaseHashStore, OverlayHashStore
from yiwang.ledger.tlog import checkpoint as tlog_checkpoint
from yiwang.ledger.tlog import merkle
from yiwang.ledger.tlog.merkle import HashStore
from yiwang.ledger.tlog.note import Verifier

logger = logging.getLogger("yiwang.ledger")

# One task run seals at most this many batches, so a huge backlog cannot hog a worker.
MAX_BATCHES_PER_RUN = 64


class CheckpointShrinks(RuntimeError):
    """Refusal to sign a checkpoint smaller than one already signed (never happens by design)."""


@dataclass(frozen=True)
class Batch:
    """What one sealed batch did."""

    first_index: int
    count: int
    size: int
    checkpoint: Checkpoint


def lock_state() -> LogState:
    """Take the single-sequencer lock inside the current transaction and return the state."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the ledger lock is only held inside a transaction")
    now = timezone.now()
    if not LogState.objects.filter(pk=LogState.SINGLETON).update(locked_at=now):
        try:
            with transaction.atomic():
                LogState.objects.create(pk=LogState.SINGLETON, locked_at=now)
        except IntegrityError:
            # Another sequencer created the row first; lock it like everyone else.
            LogState.objects.filter(pk=LogState.SINGLETON).update(locked_at=now)
    return LogState.objects.select_for_update().get(pk=LogState.SINGLETON)


def sequence_batch(*, max_entries: int | None = None) -> Batch | None:
    """Seal one batch of pending entries; None if nothing was pending."""
    limit = max_entries or settings.YIWANG_LEDGER_BATCH_SIZE
    if limit < 1:
        raise ValueError("a batch holds at least one entry")
    with transaction.atomic():
        state = lock_state()
        pending = list(
            LedgerEntry.objects.filter(index__isnull=True)
            .order_by("id")
            .only("id", "leaf_hash")[:limit]
        )
        if not pending:
            return None
        origin = log_origin()
        if state.origin and state.origin != origin:
            raise errors.origin_changed(state.origin, origin)
        key = ensure_log_key(actor=SYSTEM)
        old_size = state.size
        store = DatabaseHashStore()
        fresh = merkle.append_nodes(store, old_size, [as_bytes(e.leaf_hash) for e in pending])
        MerkleNode.objects.bulk_create(
            [
                MerkleNode(level=level, index=index, hash=value)
                for (level, index), value in fresh.items()
            ]
        )
        view = OverlayHashStore(fresh, store)
        new_size = old_size + len(pending)
        _test_pause()
        checkpoint = _sign_checkpoint(state, new_size, merkle.tree_root(view, new_size), key, view)
        _assign_indexes([e.pk for e in pending], old_size, checkpoint)
        state.origin = origin
        state.size = new_size
        state.root_hash = checkpoint.root_hash
        state.checkpoint = checkpoint
        state.batches += 1
        state.save(update_fields=["origin", "size", "root_hash", "checkpoint", "batches"])
    return Batch(old_size, len(pending), new_size, checkpoint)


def _assign_indexes(entry_ids: list[int], first: int, checkpoint: Checkpoint) -> None:
    """UPDATE each claimed entry with its index. One statement run per row (executemany): the
    ORM's bulk_update builds a CASE expression per row and cost 80% of a batch."""
    quote = connection.ops.quote_name
    # Only quoted identifiers are interpolated; every value is a parameter.
    sql = (
        f"UPDATE {quote(LedgerEntry._meta.db_table)} SET {quote('index')} = %s, "  # noqa: S608
        f"{quote('checkpoint_id')} = %s WHERE {quote('id')} = %s AND {quote('index')} IS NULL"
    )
    rows = [(first + offset, checkpoint.pk, pk) for offset, pk in enumerate(entry_ids)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        # Every claimed row must have been pending still; anything else is a lost race.
        if cursor.rowcount not in (-1, len(rows)):
            raise RuntimeError(f"assigned {cursor.rowcount} of {len(rows)} indexes")


def sequence_pending(*, max_batches: int = MAX_BATCHES_PER_RUN) -> int:
    """Seal batches until nothing is pending (or `max_batches`); returns entries sealed."""
    sealed = 0
    for _ in range(max_batches):
        if not LedgerEntry.objects.filter(index__isnull=True).exists():
            break
        batch = sequence_batch()
        if batch is None:
            break
        sealed += batch.count
    return sealed


def _sign_checkpoint(
    state: LogState, size: int, root: bytes, key: SigningKey, view: HashStore
) -> Checkpoint:
    """Sign the new tree head; a checkpoint never shrinks the tree."""
    latest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
    if size <= state.size or (latest is not None and size <= latest):
        raise CheckpointShrinks(f"refusing to sign size {size} after size {latest or state.size}")
    signer = log_signer(key)
    head = tlog_checkpoint.Checkpoint(signer.name, size, root)
    signed = tlog_checkpoint.sign_checkpoint(head, signer)
    cosigned = witness_cosign(signed, log_verifier(key), view)
    return Checkpoint.objects.create(
        size=size, root_hash=root, signed_note=signed, cosigned_note=cosigned
    )


def witness_cosign(signed: str, log_key: Verifier, view: HashStore) -> str:
    """The witness's cosigned note, or "" without a witness or when it refuses.

    Like an independent witness, it checks the log's signature and that the new tree is an
    extension of the last tree it cosigned (a consistency proof) before adding its signature.
    """
    witness = witness_signer()
    if witness is None:
        return ""
    new = tlog_checkpoint.open_checkpoint(signed, log_key)
    last = Checkpoint.objects.exclude(cosigned_note="").order_by("-size").first()
    if last is not None:
        old = tlog_checkpoint.open_checkpoint(last.cosigned_note, log_key)
        try:
            if old.size > new.size:
                raise merkle.ProofError(f"size {new.size} is smaller than cosigned {old.size}")
            if old.size:
                proof = merkle.consistency_proof(view, old.size, new.size)
                merkle.verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
        except merkle.ProofError as exc:
            logger.error("ledger witness refused checkpoint %s: %s", new.size, exc)
            return ""
    return tlog_checkpoint.cosign_checkpoint(signed, witness)


def _test_pause() -> None:
    pause = float(getattr(settings, "YIWANG_LEDGER_TEST_BATCH_PAUSE", 0) or 0)
    if pause > 0:
        # Test-only hook (yiwang.settings.test): the crash test waits for this line, then kills
        # the process while the batch's rows are written but not committed.
        sys.stderr.write("ledger-sequencer: paused mid-batch\n")
        sys.stderr.flush()
        time.sleep(pause)
