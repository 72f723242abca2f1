"""Property tests for RFC 9162 hashing and proofs against the plain MTH definition."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest

from yiwang.ledger.tlog import merkle
from yiwang.ledger.tlog.merkle import MemoryHashStore, NodeId, ProofError


def leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry {i}".encode()) for i in range(count)]


class DictHashStore:
    """What the Django layer will do: persist the nodes append_nodes returns, serve lookups."""

    def __init__(self) -> None:
        self.nodes: dict[NodeId, bytes] = {}
        self.size = 0
        self.calls = 0

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        self.calls += 1
        return [self.nodes[node] for node in nodes]

    def append(self, leaf_hashes: Sequence[bytes]) -> None:
        self.nodes.update(merkle.append_nodes(self, self.size, leaf_hashes))
        self.size += len(leaf_hashes)


def test_hashes_follow_rfc_9162_domain_separation():
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        merkle.node_hash(b"L" * 32, b"R" * 32)
        == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert merkle.EMPTY_ROOT.hex().startswith("e3b0c442")
    assert merkle.root_from_leaf_hashes([]) == merkle.EMPTY_ROOT
    assert MemoryHashStore().root() == merkle.EMPTY_ROOT


def test_mth_splits_at_largest_power_of_two():
    a, b, c = leaves(3)
    assert merkle.root_from_leaf_hashes([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)


@pytest.mark.parametrize("size", range(1, 71))
def test_every_inclusion_proof_verifies_against_mth(size: int):
    hashes = leaves(size)
    store = MemoryHashStore(hashes)
    root = merkle.root_from_leaf_hashes(hashes)
    assert store.root() == root
    for index in range(size):
        proof = merkle.inclusion_proof(store, index, size)
        merkle.verify_inclusion(hashes[index], index, size, proof, root)


def test_every_consistency_proof_verifies_against_mth():
    hashes = leaves(40)
    store = MemoryHashStore(hashes)
    roots = [merkle.root_from_leaf_hashes(hashes[:n]) for n in range(41)]
    for new in range(1, 41):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(store, old, new)
            merkle.verify_consistency(old, new, proof, roots[old], roots[new])


def test_every_subtree_proof_verifies_against_mth():
    hashes = leaves(24)
    store = MemoryHashStore(hashes)
    checked = 0
    for size in range(1, 25):
        root = merkle.root_from_leaf_hashes(hashes[:size])
        for start in range(size):
            for end in range(start + 1, size + 1):
                if not merkle.is_valid_subtree(start, end):
                    continue
                subtree_root = merkle.root_from_leaf_hashes(hashes[start:end])
                assert merkle.subtree_hash(store, start, end) == subtree_root
                proof = merkle.subtree_consistency_proof(store, start, end, size)
                merkle.verify_subtree_consistency(start, end, size, proof, subtree_root, root)
                for index in range(start, end):
                    path = merkle.subtree_inclusion_proof(store, index, start, end)
                    merkle.verify_subtree_inclusion(
                        hashes[index], index, start, end, path, subtree_root
                    )
                checked += 1
    assert checked > 300


def flipped(value: bytes, position: int = 0) -> bytes:
    return value[:position] + bytes([value[position] ^ 1]) + value[position + 1 :]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 64, 65])
def test_inclusion_rejects_every_tampering(size: int):
    hashes = leaves(size)
    store = MemoryHashStore(hashes)
    root = store.root()
    for index in range(size):
        proof = merkle.inclusion_proof(store, index, size)
        variants: list[tuple[bytes, int, int, list[bytes], bytes]] = [
            (flipped(hashes[index]), index, size, proof, root),
            (hashes[index], index, size, proof, flipped(root, 31)),
            (hashes[index], index, size, [*proof, root], root),
            (hashes[index], index, size, [root, *proof], root),
            (hashes[index], index, size, proof + [b""], root),
            (hashes[index], size, size, proof, root),
            (hashes[index], -1, size, proof, root),
            (hashes[index], index, 0, proof, root),
        ]
        if proof:
            variants.append((hashes[index], index, size, proof[:-1], root))
            variants.append((hashes[index], index, size, proof[1:], root))
            variants.append((hashes[index], index, size, [proof[0][:31], *proof[1:]], root))
            for position in range(len(proof)):
                bad = list(proof)
                bad[position] = flipped(bad[position], position % 32)
                variants.append((hashes[index], index, size, bad, root))
        if index + 1 < size:
            variants.append((hashes[index], index + 1, size, proof, root))
        for leaf, at, tree_size, path, expected_root in variants:
            with pytest.raises(ProofError):
                merkle.verify_inclusion(leaf, at, tree_size, path, expected_root)


@pytest.mark.parametrize("new", [2, 3, 7, 8, 9, 16, 33])
def test_consistency_rejects_every_tampering(new: int):
    hashes = leaves(new)
    store = MemoryHashStore(hashes)
    new_root = store.root()
    for old in range(1, new):
        old_root = store.root(old)
        proof = merkle.consistency_proof(store, old, new)
        variants = [
            (old, new, proof, flipped(old_root), new_root),
            (old, new, proof, old_root, flipped(new_root)),
            (old, new, proof, new_root, old_root),
            (old, new, [*proof, new_root], old_root, new_root),
            (old, new, [old_root, *proof], old_root, new_root),
            (old, new, proof[:-1], old_root, new_root),
            (old, new, [], old_root, new_root),
            (new, old, proof, old_root, new_root),
            (0, new, proof, old_root, new_root),
        ]
        for position in range(len(proof)):
            bad = list(proof)
            bad[position] = flipped(bad[position], 7)
            variants.append((old, new, bad, old_root, new_root))
        for first, second, path, root1, root2 in variants:
            with pytest.raises(ProofError):
                merkle.verify_consistency(first, second, path, root1, root2)


def test_errors_say_what_is_wrong():
    store = MemoryHashStore(leaves(8))
    proof = merkle.inclusion_proof(store, 3, 8)
    with pytest.raises(ProofError, match="not below tree size"):
        merkle.verify_inclusion(leaves(8)[3], 8, 8, proof, store.root())
    with pytest.raises(ProofError, match="needs exactly 3"):
        merkle.verify_inclusion(leaves(8)[3], 3, 8, proof[:2], store.root())
    with pytest.raises(ProofError, match="is 5 bytes"):
        merkle.verify_inclusion(leaves(8)[3], 3, 8, [*proof[:2], b"short"], store.root())
    with pytest.raises(ProofError, match="empty tree"):
        merkle.verify_consistency(0, 8, [], merkle.EMPTY_ROOT, store.root())
    with pytest.raises(ProofError, match="larger than"):
        merkle.verify_consistency(9, 8, [], store.root(), store.root())
    with pytest.raises(ProofError, match="2\\^64"):
        merkle.verify_inclusion(leaves(1)[0], 0, 1 << 64, [], store.root())


def test_generation_refuses_impossible_requests():
    store = MemoryHashStore(leaves(5))
    with pytest.raises(ProofError):
        merkle.inclusion_proof(store, 5, 5)
    with pytest.raises(ProofError):
        merkle.consistency_proof(store, 0, 5)
    with pytest.raises(ProofError):
        merkle.consistency_proof(store, 4, 3)
    with pytest.raises(ProofError):
        merkle.subtree_consistency_proof(store, 1, 3, 5)  # not a subtree
    with pytest.raises(LookupError):
        merkle.inclusion_proof(store, 0, 6)  # the store only has 5 leaves


def test_unaligned_ranges_hash_like_mth():
    hashes = leaves(37)
    store = MemoryHashStore(hashes)
    for start in range(37):
        for end in range(start, 38):
            expected = merkle.root_from_leaf_hashes(hashes[start:end])
            assert merkle.subtree_hash(store, start, end) == expected


def test_aligned_lookups_are_logarithmic():
    assert merkle.range_nodes(0, 1000) == [(9, 0), (8, 2), (7, 6), (6, 14), (5, 30), (3, 124)]
    assert len(merkle.range_nodes(0, (1 << 40) - 1)) == 40


def test_append_nodes_builds_the_same_tree_in_batches():
    rng = random.Random(9162)
    hashes = leaves(300)
    store = DictHashStore()
    memory = MemoryHashStore()
    position = 0
    while position < len(hashes):
        batch = hashes[position : position + rng.randint(1, 40)]
        calls_before = store.calls
        store.append(batch)
        assert store.calls == calls_before + 1  # one store read per batch
        for value in batch:
            memory.append_leaf_hash(value)
        position += len(batch)
        assert merkle.tree_root(store, store.size) == memory.root()
    for index in rng.sample(range(300), 30):
        assert merkle.inclusion_proof(store, index, 300) == merkle.inclusion_proof(
            memory, index, 300
        )
    for old in rng.sample(range(1, 300), 30):
        assert merkle.consistency_proof(store, old, 300) == merkle.consistency_proof(
            memory, old, 300
        )
    # Every complete node of the 300-leaf tree is stored, nothing else.
    expected_nodes = sum(300 >> level for level in range(9))
    assert len(store.nodes) == expected_nodes


def test_proofs_read_the_store_once():
    store = DictHashStore()
    store.append(leaves(1000))
    store.calls = 0
    merkle.inclusion_proof(store, 517, 1000)
    merkle.consistency_proof(store, 600, 1000)
    merkle.tree_root(store, 1000)
    assert store.calls == 3


def test_memory_store_refuses_incomplete_nodes():
    store = MemoryHashStore(leaves(3))
    assert len(store.node_hashes([(1, 0), (0, 2)])) == 2
    with pytest.raises(LookupError):
        store.node_hashes([(1, 1)])
    with pytest.raises(ProofError):
        store.append_leaf_hash(b"not a hash")
