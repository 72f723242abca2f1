"""RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs (standard library only).

Proof generation never walks leaves: it asks a `HashStore` for the hashes of *complete aligned
subtrees* ("nodes", identified by level and index), at most O(log n) of them per proof, in one
batch. The Django layer backs the store with stored nodes or tiles; `MemoryHashStore` backs it
with lists for tests and small tools.

The subtree proofs (`subtree_inclusion_proof`, `verify_subtree_consistency`, ...) are the
generalisation used by Merkle Tree Certificates (draft-ietf-plants-merkle-tree-certs,
"Subtrees"): a subtree is a range [start, end) whose start is a multiple of the smallest power
of two not below its size. With start = 0 they are exactly the RFC 9162 proofs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "HashStore",
    "MemoryHashStore",
    "NodeId",
    "ProofError",
    "append_nodes",
    "consistency_proof",
    "inclusion_proof",
    "is_valid_subtree",
    "leaf_hash",
    "node_hash",
    "range_nodes",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "subtree_consistency_proof",
    "subtree_hash",
    "subtree_inclusion_proof",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
    "verify_subtree_consistency",
    "verify_subtree_inclusion",
]

HASH_SIZE = 32
# Tree sizes and indexes are uint64 on the wire (RFC 9162, tlog-checkpoint); anything larger is
# garbage, and refusing it early keeps every later shift and comparison meaningful.
MAX_TREE_SIZE = (1 << 64) - 1
EMPTY_ROOT = hashlib.sha256(b"").digest()

# (level, index): the complete subtree of 2**level leaves starting at leaf index << level.
NodeId = tuple[int, int]


class ProofError(ValueError):
    """A Merkle proof, or the sizes and hashes it is checked against, is invalid."""


class HashStore(Protocol):
    """Where proof generation reads hashes of complete aligned subtrees from."""

    def node_hashes(self, nodes: Sequence[NodeId]) -> Sequence[bytes]:
        """Return the hash of each node, in order; raise LookupError if one is unknown."""
        ...


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """Largest power of two strictly below size (size >= 2): where MTH splits a list."""
    return 1 << ((size - 1).bit_length() - 1)


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over a list of leaf hashes, straight from the RFC 9162 §2.1.1 definition."""
    if not leaf_hashes:
        return EMPTY_ROOT

    def mth(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaf_hashes[lo]
        mid = lo + _split(hi - lo)
        return node_hash(mth(lo, mid), mth(mid, hi))

    return mth(0, len(leaf_hashes))


def is_valid_subtree(start: int, end: int) -> bool:
    """True if [start, end) is a non-empty subtree: start is aligned to BIT_CEIL(end - start)."""
    if not 0 <= start < end <= MAX_TREE_SIZE:
        return False
    bit_ceil = 1 << (end - start - 1).bit_length()
    return start % bit_ceil == 0


def _check_size(name: str, value: int) -> None:
    if not 0 <= value <= MAX_TREE_SIZE:
        raise ProofError(f"{name} {value} is outside 0..2^64-1")


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} is {len(value)} bytes, a SHA-256 hash is {HASH_SIZE}")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, element in enumerate(proof):
        _check_hash(f"proof hash #{position}", element)


def _check_subtree(start: int, end: int) -> None:
    if not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) is not a valid subtree")


# --- planning: which ranges a proof consists of -------------------------------------------------


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete nodes MTH(D[start:end]) is built from, left to right (O(log n) if aligned)."""
    nodes: list[NodeId] = []
    _plan_range(start, end, nodes)
    return nodes


def _plan_range(start: int, end: int, out: list[NodeId]) -> None:
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        out.append((size.bit_length() - 1, start // size))
        return
    mid = start + _split(size)
    _plan_range(start, mid, out)
    _plan_range(mid, end, out)


def _combine_range(start: int, end: int, hashes: Iterator[bytes]) -> bytes:
    # Mirrors _plan_range exactly, consuming the fetched node hashes in the same order.
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return next(hashes)
    mid = start + _split(size)
    left = _combine_range(start, mid, hashes)
    return node_hash(left, _combine_range(mid, end, hashes))


def _inclusion_ranges(index: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(index, D[lo:hi]) as ranges, leaf's sibling first."""
    ranges: list[tuple[int, int]] = []
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
    ranges.reverse()
    return ranges


def _consistency_ranges(start: int, end: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 SUBPROOF, generalised to a subtree [start, end) of D[lo:hi]."""
    ranges: list[tuple[int, int]] = []
    known = True  # the verifier holds the hash of the node we end on (RFC's "b" flag)
    while not (start == lo and end == hi):
        mid = lo + _split(hi - lo)
        if end <= mid:
            ranges.append((mid, hi))
            hi = mid
        elif start >= mid:
            ranges.append((lo, mid))
            lo = mid
        else:
            # start < mid < end only happens with start == lo for a valid subtree: the left
            # half is shared and whole, the rest continues in the right half, whose own root
            # the verifier cannot know.
            ranges.append((lo, mid))
            lo = start = mid
            known = False
    if not known:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def _resolve(store: HashStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of every range, reading all needed nodes from the store in a single call."""
    nodes: list[NodeId] = []
    for start, end in ranges:
        _plan_range(start, end, nodes)
    fetched = list(store.node_hashes(nodes))
    if len(fetched) != len(nodes):
        raise LookupError(f"hash store returned {len(fetched)} hashes for {len(nodes)} nodes")
    hashes = iter(fetched)
    return [_combine_range(start, end, hashes) for start, end in ranges]


# --- generation -----------------------------------------------------------------------------


def subtree_hash(store: HashStore, start: int, end: int) -> bytes:
    """MTH(D[start:end]) read from the store; the empty range hashes to EMPTY_ROOT."""
    if not 0 <= start <= end <= MAX_TREE_SIZE:
        raise ProofError(f"[{start}, {end}) is not a range of leaves")
    if start == end:
        return EMPTY_ROOT
    return _resolve(store, [(start, end)])[0]


def tree_root(store: HashStore, size: int) -> bytes:
    """Root hash of the tree made of the first `size` leaves of the store."""
    return subtree_hash(store, 0, size)


def inclusion_proof(store: HashStore, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    _check_size("tree size", size)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    return _resolve(store, _inclusion_ranges(index, 0, size))


def consistency_proof(store: HashStore, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 consistency proof from tree size `old_size` to `new_size`."""
    _check_size("new tree size", new_size)
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    return _resolve(store, _consistency_ranges(0, old_size, 0, new_size))


def subtree_inclusion_proof(store: HashStore, index: int, start: int, end: int) -> list[bytes]:
    """Inclusion proof of leaf `index` in the subtree [start, end)."""
    _check_subtree(start, end)
    if not start <= index < end:
        raise ProofError(f"leaf index {index} is outside the subtree [{start}, {end})")
    return _resolve(store, _inclusion_ranges(index, start, end))


def subtree_consistency_proof(store: HashStore, start: int, end: int, size: int) -> list[bytes]:
    """Proof that the subtree [start, end) is contained in the tree of `size` leaves."""
    _check_subtree(start, end)
    if end > size:
        raise ProofError(f"subtree [{start}, {end}) does not fit in a tree of size {size}")
    return _resolve(store, _consistency_ranges(start, end, 0, size))


# --- verification ---------------------------------------------------------------------------


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that an inclusion proof implies (RFC 9162 §2.1.3.2), after strict checks."""
    _check_size("tree size", size)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash("leaf hash", leaf)
    _check_proof_hashes(proof)
    expected = len(_inclusion_ranges(index, 0, size))
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes; leaf {index} of a tree of size {size} "
            f"needs exactly {expected}"
        )
    fn, sn = index, size - 1
    result = leaf
    for element in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            result = node_hash(element, result)
            # A last node without a right sibling moves up unchanged (RFC 9162 §2.1.1).
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    return result


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an RFC 9162 inclusion proof; raise ProofError with the reason if it fails."""
    _check_hash("root hash", root)
    if root_from_inclusion_proof(leaf, index, size, proof) != root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the expected root")


def verify_subtree_inclusion(
    leaf: bytes, index: int, start: int, end: int, proof: Sequence[bytes], subtree_root: bytes
) -> None:
    """Check an inclusion proof of leaf `index` in the subtree [start, end)."""
    _check_subtree(start, end)
    if not start <= index < end:
        raise ProofError(f"leaf index {index} is outside the subtree [{start}, {end})")
    _check_hash("subtree hash", subtree_root)
    if root_from_inclusion_proof(leaf, index - start, end - start, proof) != subtree_root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the subtree hash")


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check an RFC 9162 §2.1.4.2 consistency proof; raise ProofError if it fails."""
    _check_size("old tree size", old_size)
    _check_size("new tree size", new_size)
    if old_size > new_size:
        raise ProofError(f"old tree size {old_size} is larger than new tree size {new_size}")
    if old_size == 0:
        # RFC 9162 defines consistency proofs only for 0 < first; an empty tree proves nothing.
        raise ProofError("consistency from an empty tree is not defined")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof between equal tree sizes must be empty")
        if old_root != new_root:
            raise ProofError("trees of equal size have different roots")
        return
    _verify_contained(0, old_size, new_size, proof, old_root, new_root)


def verify_subtree_consistency(
    start: int,
    end: int,
    size: int,
    proof: Sequence[bytes],
    subtree_root: bytes,
    root: bytes,
) -> None:
    """Check that the subtree [start, end) with hash `subtree_root` is part of tree `root`."""
    _check_size("tree size", size)
    if start == end:
        # An empty subtree is trivially contained; only its canonical hash can be right.
        if end > size:
            raise ProofError(f"empty subtree at {end} is outside a tree of size {size}")
        if proof:
            raise ProofError("consistency proof for an empty subtree must be empty")
        if subtree_root != EMPTY_ROOT:
            raise ProofError("an empty subtree must hash to SHA-256 of the empty string")
        return
    _check_subtree(start, end)
    if end > size:
        raise ProofError(f"subtree [{start}, {end}) does not fit in a tree of size {size}")
    if start == 0 and end == size:
        if proof:
            raise ProofError("consistency proof between equal trees must be empty")
        if subtree_root != root:
            raise ProofError("trees of equal size have different roots")
        return
    _verify_contained(start, end, size, proof, subtree_root, root)


def _verify_contained(
    start: int,
    end: int,
    size: int,
    proof: Sequence[bytes],
    subtree_root: bytes,
    root: bytes,
) -> None:
    """RFC 9162 §2.1.4.2 with a subtree start: `sfn` tracks where the subtree begins."""
    _check_hash("old root hash", subtree_root)
    _check_hash("new root hash", root)
    _check_proof_hashes(proof)
    expected = len(_consistency_ranges(start, end, 0, size))
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes; [{start}, {end}) in a tree of size "
            f"{size} needs exactly {expected}"
        )
    fn, sfn, sn = end - 1, start, size - 1
    # Climb while the node is a right child still inside the subtree. If we reach the node that
    # is the whole subtree, the verifier already knows its hash; otherwise the proof starts with
    # the hash we stopped at. The subtree is itself a node of the tree when it is full (e.g. an
    # old size that is a power of two) or when it ends at the tree's ragged right edge.
    at_right_edge = end == size
    while (fn & 1 or at_right_edge) and sfn < fn:
        fn, sfn, sn = fn >> 1, sfn >> 1, sn >> 1
    elements = list(proof)
    if sfn == fn:
        old_hash = new_hash = subtree_root
    else:
        if not elements:
            raise ProofError("consistency proof is empty")
        old_hash = new_hash = elements.pop(0)
    for element in elements:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            while fn and not fn & 1:
                fn, sfn, sn = fn >> 1, sfn >> 1, sn >> 1
            if sfn < fn:  # the left sibling still lies inside the subtree
                old_hash = node_hash(element, old_hash)
            new_hash = node_hash(element, new_hash)
        else:
            new_hash = node_hash(new_hash, element)
        fn, sfn, sn = fn >> 1, sfn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if old_hash != subtree_root:
        raise ProofError("consistency proof does not lead to the old root")
    if new_hash != root:
        raise ProofError("consistency proof does not lead to the new root")


# --- storing nodes --------------------------------------------------------------------------


def append_nodes(
    store: HashStore, old_size: int, new_leaf_hashes: Sequence[bytes]
) -> dict[NodeId, bytes]:
    """Every node (level 0 included) that appending these leaf hashes completes.

    Reads only the O(log n) nodes of the old tree's right edge, in one store call; the caller
    persists the result, after which the store serves every proof for the new size.
    """
    _check_size("tree size", old_size + len(new_leaf_hashes))
    for position, value in enumerate(new_leaf_hashes):
        _check_hash(f"leaf hash #{position}", value)
    edge = range_nodes(0, old_size) if old_size else []
    known: dict[NodeId, bytes] = dict(zip(edge, store.node_hashes(edge), strict=True))
    created: dict[NodeId, bytes] = {}
    for offset, value in enumerate(new_leaf_hashes):
        level, index = 0, old_size + offset
        created[(level, index)] = value
        while index & 1:
            left = created.get((level, index - 1)) or known[(level, index - 1)]
            value = node_hash(left, value)
            level, index = level + 1, index >> 1
            created[(level, index)] = value
    return created


class MemoryHashStore:
    """An in-memory log: every complete node kept in per-level lists (tests, small tools)."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for value in leaf_hashes:
            self.append_leaf_hash(value)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append(self, entry: bytes) -> int:
        """Append an entry; return its index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def append_leaf_hash(self, value: bytes) -> int:
        """Append a leaf by its hash; return its index."""
        _check_hash("leaf hash", value)
        index = self.size
        self._levels[0].append(value)
        level = 0
        while len(self._levels[level]) % 2 == 0:
            row = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append([])
            self._levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1
        return index

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Hashes of complete nodes; LookupError for a node not (yet) complete."""
        result = []
        for level, index in nodes:
            if level >= len(self._levels) or not 0 <= index < len(self._levels[level]):
                raise LookupError(f"node at level {level}, index {index} is not complete")
            result.append(self._levels[level][index])
        return result

    def root(self, size: int | None = None) -> bytes:
        """Root of the whole tree, or of its first `size` leaves."""
        return tree_root(self, self.size if size is None else size)
