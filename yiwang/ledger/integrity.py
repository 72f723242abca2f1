"""The audit: recompute the whole tree from the stored entries and compare with what is signed.

Checks, for the published size N read first (everything below N is immutable once committed,
so a sequencer running meanwhile does not disturb the audit):

- indexes 0..N-1 are all present, each exactly once (gap-free);
- each entry's data is the canonical JSON of its own columns, and hashes to its leaf hash;
- every Merkle node stored for the tree equals the node recomputed from the leaves (so every
  proof and tile served is right), unless `check_nodes` is off;
- every checkpoint's signature verifies with the published key, sizes strictly grow, and each
  checkpoint's root equals the root recomputed at its size; the latest one is LogState's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from yiwang.ledger.anchoring import canonical_json, format_time
from yiwang.ledger.keys import log_key_row, log_verifier, witness_signer
from yiwang.ledger.models import Checkpoint, LedgerEntry, MerkleNode, as_bytes
from yiwang.ledger.queries import published
from yiwang.ledger.tlog import merkle
from yiwang.ledger.tlog.checkpoint import CheckpointError, open_checkpoint
from yiwang.ledger.tlog.note import Verifier, verifier_from_vkey

CHUNK = 2000
MAX_PROBLEMS = 50


@dataclass
class AuditReport:
    """What the audit looked at and what it found wrong (empty `problems`: all good)."""

    size: int = 0
    root_hash: bytes = merkle.EMPTY_ROOT
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)


class _Frontier:
    """The right edge of a growing tree: O(log n) memory for any size; yields completed nodes."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, int, bytes]] = []  # (level, index, hash), left to right

    def push(self, index: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
        completed = [(0, index, leaf)]
        level, position, value = 0, index, leaf
        while position & 1:
            left_level, _, left = self.stack.pop()
            assert left_level == level
            value = merkle.node_hash(left, value)
            level, position = level + 1, position >> 1
            completed.append((level, position, value))
        self.stack.append((level, position, value))
        return completed

    def root(self) -> bytes:
        if not self.stack:
            return merkle.EMPTY_ROOT
        value = self.stack[-1][2]
        for _, _, left in reversed(self.stack[:-1]):
            value = merkle.node_hash(left, value)
        return value


def _entries(size: int) -> Iterator[tuple[int, str, str, str, object, str, bytes]]:
    rows = (
        LedgerEntry.objects.filter(index__isnull=False, index__lt=size)
        .order_by("index")
        .values_list("index", "kind", "subject", "digest", "created_at", "entry_data", "leaf_hash")
    )
    for index, kind, subject, digest, created_at, data, leaf in rows.iterator(chunk_size=CHUNK):
        assert index is not None
        yield index, kind, subject, digest, created_at, data, as_bytes(leaf)


def _check_entry(
    report: AuditReport,
    index: int,
    columns: tuple[str, str, str, object],
    data: str,
    leaf: bytes,
) -> bytes:
    """The leaf hash recomputed from the entry data (problems recorded on the way)."""
    raw = data.encode("utf-8")
    computed = merkle.leaf_hash(raw)
    if computed != leaf:
        report.fail(f"entry {index}: stored leaf hash differs from the hash of its data")
    kind, subject, digest, created_at = columns
    try:
        parsed = json.loads(raw)
        canonical = canonical_json(parsed) == raw
    except ValueError:
        parsed, canonical = None, False
    if not canonical or not isinstance(parsed, dict):
        report.fail(f"entry {index}: data is not canonical JSON")
    elif (parsed.get("kind"), parsed.get("subject"), parsed.get("digest")) != (
        kind,
        subject,
        digest,
    ) or parsed.get("time") != format_time(created_at):  # type: ignore[arg-type]
        report.fail(f"entry {index}: data does not match its kind, subject, digest or time")
    return computed


def _compare_nodes(report: AuditReport, computed: list[tuple[int, int, bytes]]) -> None:
    by_level: dict[int, dict[int, bytes]] = {}
    for level, index, value in computed:
        by_level.setdefault(level, {})[index] = value
    for level, expected in by_level.items():
        stored = dict(
            MerkleNode.objects.filter(
                level=level, index__gte=min(expected), index__lte=max(expected)
            ).values_list("index", "hash")
        )
        for index, value in expected.items():
            if index not in stored:
                report.fail(f"Merkle node {level}/{index} is missing")
            elif as_bytes(stored[index]) != value:
                report.fail(f"Merkle node {level}/{index} differs from the recomputed hash")
        report.nodes += len(expected)


def _checkpoints(report: AuditReport, size: int, key: Verifier | None) -> dict[int, bytes]:
    """Signed checkpoints up to `size`, checked for signatures and growth; root by size."""
    witness = witness_signer()
    witness_key = verifier_from_vkey(witness.vkey) if witness is not None else None
    roots: dict[int, bytes] = {}
    previous = -1
    rows = Checkpoint.objects.filter(size__lte=size).order_by("size")
    for size_, root, signed, cosigned in rows.values_list(
        "size", "root_hash", "signed_note", "cosigned_note"
    ).iterator(chunk_size=CHUNK):
        report.checkpoints += 1
        if size_ <= previous:
            report.fail(f"checkpoint {size_} does not grow the tree")
        previous = size_
        roots[size_] = as_bytes(root)
        if key is None:
            continue
        try:
            head = open_checkpoint(signed, key)
            if head.size != size_ or head.root_hash != as_bytes(root):
                report.fail(f"checkpoint {size_}: signed note differs from its row")
            if cosigned and witness_key is not None:
                open_checkpoint(cosigned, key, witnesses=[witness_key], quorum=1)
        except CheckpointError as exc:
            report.fail(f"checkpoint {size_}: {exc}")
    return roots


def audit_log(*, check_nodes: bool = True) -> AuditReport:
    """Recompute the published tree from its entries; see the module docstring."""
    log = published()
    report = AuditReport(size=log.size, root_hash=log.root_hash)
    row = log_key_row()
    key = log_verifier(row) if row is not None else None
    if key is None and log.size:
        report.fail("the log has entries but its signing key is missing")
    roots = _checkpoints(report, log.size, key)
    if log.size and (log.checkpoint is None or log.checkpoint.size != log.size):
        report.fail("the published state does not point at a checkpoint of its size")
    if roots and max(roots) != log.size:
        report.fail("the latest checkpoint is not the published size")
    frontier = _Frontier()
    pending_nodes: list[tuple[int, int, bytes]] = []
    expected = 0
    for index, kind, subject, digest, created_at, data, leaf in _entries(log.size):
        if index != expected:
            report.fail(f"index {expected} is missing (next stored index is {index})")
            break
        computed = _check_entry(report, index, (kind, subject, digest, created_at), data, leaf)
        completed = frontier.push(index, computed)
        expected += 1
        report.entries += 1
        if check_nodes:
            pending_nodes.extend(completed)
            if len(pending_nodes) >= CHUNK:
                _compare_nodes(report, pending_nodes)
                pending_nodes = []
        if expected in roots and frontier.root() != roots[expected]:
            report.fail(f"checkpoint {expected}: signed root differs from the recomputed root")
    if pending_nodes:
        _compare_nodes(report, pending_nodes)
    if expected != log.size:
        report.fail(f"{log.size} entries are published but only {expected} were found in order")
    elif frontier.root() != log.root_hash:
        report.fail("the published root differs from the root recomputed from the entries")
    return report
