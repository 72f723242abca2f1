"""Reads of the ledger. Everything here is public: the ledger holds digests, not data.

Readers only trust what LogState says is published: an entry counts as sealed when its index
is below LogState.size, because the entry's index, its nodes and the checkpoint of that size
were committed together. State is read first and passed along, so a batch committing in
between cannot make a page mix two tree sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from yiwang.ledger.anchoring import check_subject, normalise_digest
from yiwang.ledger.choices import EntryStatus
from yiwang.ledger.keys import log_key_row, witness_vkey
from yiwang.ledger.models import Checkpoint, LedgerEntry, LogState, as_bytes
from yiwang.ledger.store import DatabaseHashStore
from yiwang.ledger.tlog import merkle
from yiwang.ledger.tlog.proof import build_receipt

MAX_RESULTS = 200


@dataclass(frozen=True)
class Published:
    """The published tree: its size and the checkpoint that signs it (None while empty)."""

    origin: str
    size: int
    root_hash: bytes
    checkpoint: Checkpoint | None

    @property
    def note(self) -> str | None:
        """The signed (and, with a witness, cosigned) checkpoint text."""
        return self.checkpoint.note if self.checkpoint is not None else None


def published() -> Published:
    """The current published state of the log."""
    state = LogState.objects.select_related("checkpoint").filter(pk=LogState.SINGLETON).first()
    if state is None:
        return Published("", 0, merkle.EMPTY_ROOT, None)
    return Published(state.origin, state.size, as_bytes(state.root_hash), state.checkpoint)


def status_of(entry: LedgerEntry, log: Published) -> EntryStatus:
    """Sealed only when the published tree covers the entry's index."""
    if entry.index is not None and entry.index < log.size:
        return EntryStatus.SEQUENCED
    return EntryStatus.PENDING


def entries_by_digest(digest: str) -> QuerySet[LedgerEntry]:
    """Every entry anchoring this digest, oldest first (DomainError on a malformed digest)."""
    return LedgerEntry.objects.filter(digest=normalise_digest(digest)).order_by("id")[:MAX_RESULTS]


def entries_by_subject(subject: str) -> QuerySet[LedgerEntry]:
    """Every entry about this subject (exact match), oldest first."""
    return LedgerEntry.objects.filter(subject=check_subject(subject.strip())).order_by("id")[
        :MAX_RESULTS
    ]


def search(text: str) -> QuerySet[LedgerEntry]:
    """A digest if the text looks like one, else a subject."""
    stripped = text.strip()
    if len(stripped) == 64 and all(ch in "0123456789abcdefABCDEF" for ch in stripped):
        return entries_by_digest(stripped)
    return entries_by_subject(stripped)


def sealed_entry(index: int, log: Published) -> LedgerEntry | None:
    """The entry at `index` if the published tree covers it."""
    if not 0 <= index < log.size:
        return None
    return LedgerEntry.objects.select_related("checkpoint").filter(index=index).first()


def sealed_entries(first: int, count: int, log: Published) -> list[LedgerEntry]:
    """Entries [first, first+count) in index order, if all are published."""
    if first < 0 or count < 1 or first + count > log.size:
        return []
    return list(
        LedgerEntry.objects.filter(index__gte=first, index__lt=first + count)
        .order_by("index")
        .only("index", "entry_data")
    )


def inclusion_proof(entry: LedgerEntry, log: Published) -> list[bytes] | None:
    """The RFC 9162 proof of the entry in the published tree (None while pending)."""
    if status_of(entry, log) != EntryStatus.SEQUENCED or entry.index is None:
        return None
    return merkle.inclusion_proof(DatabaseHashStore(), entry.index, log.size)


def receipt_for(entry: LedgerEntry, log: Published | None = None) -> str | None:
    """The C2SP tlog-proof receipt of a sealed entry against the latest checkpoint."""
    log = log or published()
    proof = inclusion_proof(entry, log)
    if proof is None or log.note is None or entry.index is None:
        return None
    return build_receipt(
        index=entry.index, proof=proof, checkpoint=log.note, leaf=as_bytes(entry.leaf_hash)
    )


def pick_by_digest(digest: str, index: int | None, log: Published) -> LedgerEntry | None:
    """The sealed entry with this digest: at `index`, or the first one sealed."""
    if index is not None and not 0 <= index < log.size:
        return None
    entries = LedgerEntry.objects.filter(
        digest=normalise_digest(digest), index__isnull=False, index__lt=log.size
    )
    if index is not None:
        entries = entries.filter(index=index)
    return entries.order_by("index").first()


def log_vkey() -> str | None:
    """The log's published verifier key (None until the key exists)."""
    row = log_key_row()
    return row.vkey if row is not None else None


def published_witness_vkey() -> str | None:
    """The witness's verifier key, when a witness is configured."""
    return witness_vkey()
