"""Merkle hash stores over the database: what proofs, tiles and the sequencer read nodes from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db.models import Q

from yiwang.ledger.models import MerkleNode, as_bytes
from yiwang.ledger.tlog.merkle import HashStore, NodeId

# Below this many consecutive indexes an IN list is as good as a range.
_RANGE_THRESHOLD = 8


class DatabaseHashStore:
    """`merkle.HashStore` over MerkleNode rows: one query per call, whatever the tree size."""

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Hashes of the given nodes, in order; LookupError if one was never stored."""
        if not nodes:
            return []
        wanted: dict[int, list[int]] = {}
        for level, index in nodes:
            wanted.setdefault(level, []).append(index)
        condition = Q()
        for level, indexes in wanted.items():
            low, high = min(indexes), max(indexes)
            if len(indexes) >= _RANGE_THRESHOLD and high - low + 1 == len(set(indexes)):
                condition |= Q(level=level, index__gte=low, index__lte=high)
            else:
                condition |= Q(level=level, index__in=sorted(set(indexes)))
        rows = MerkleNode.objects.filter(condition).values_list("level", "index", "hash")
        found = {(level, index): as_bytes(value) for level, index, value in rows}
        missing = [node for node in nodes if node not in found]
        if missing:
            raise LookupError(f"{len(missing)} Merkle node(s) not stored, e.g. {missing[0]}")
        return [found[node] for node in nodes]


class OverlayHashStore:
    """Nodes just computed (not yet written) in front of a store: the sequencer's view."""

    def __init__(self, fresh: Mapping[NodeId, bytes], base: HashStore) -> None:
        self._fresh = fresh
        self._base = base

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Fresh nodes from memory, the rest from the base store in one call."""
        missing = [node for node in nodes if node not in self._fresh]
        fetched = dict(zip(missing, self._base.node_hashes(missing), strict=True))
        return [self._fresh[node] if node in self._fresh else fetched[node] for node in nodes]
