"""Merkle hash stores over the database: what proofs, tiles and the sequencer read nodes from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection

from yiwang.ledger.models import MerkleNode, as_bytes
from yiwang.ledger.tlog.merkle import HashStore, NodeId

# Below this many consecutive indexes an IN list is as good as a range.
_RANGE_THRESHOLD = 8


def _select_nodes(nodes: Sequence[NodeId]) -> tuple[str, list[int]]:
    """One SELECT for a set of nodes: a range per level where they are consecutive (tiles),
    an IN list otherwise (proofs). Plain SQL: the ORM's Q building cost more than the query."""
    wanted: dict[int, set[int]] = {}
    for level, index in nodes:
        wanted.setdefault(level, set()).add(index)
    quote = connection.ops.quote_name
    level_col, index_col = quote("level"), quote("index")
    clauses: list[str] = []
    params: list[int] = []
    for level, indexes in sorted(wanted.items()):
        low, high = min(indexes), max(indexes)
        if len(indexes) >= _RANGE_THRESHOLD and high - low + 1 == len(indexes):
            clauses.append(f"({level_col} = %s AND {index_col} BETWEEN %s AND %s)")
            params += [level, low, high]
        else:
            marks = ", ".join(["%s"] * len(indexes))
            clauses.append(f"({level_col} = %s AND {index_col} IN ({marks}))")
            params += [level, *sorted(indexes)]
    table = quote(MerkleNode._meta.db_table)
    # Only quoted identifiers and %s placeholders are interpolated; values are parameters.
    select = f"SELECT {level_col}, {index_col}, {quote('hash')} FROM {table} WHERE "  # noqa: S608
    return select + " OR ".join(clauses), params


class DatabaseHashStore:
    """`merkle.HashStore` over MerkleNode rows: one query per call, whatever the tree size."""

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Hashes of the given nodes, in order; LookupError if one was never stored."""
        if not nodes:
            return []
        sql, params = _select_nodes(nodes)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {(level, index): as_bytes(value) for level, index, value in cursor.fetchall()}
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
