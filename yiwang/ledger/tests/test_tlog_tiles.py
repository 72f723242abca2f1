"""C2SP tlog-tiles: paths, tile sets, reading proofs back from tiles, auditing a published tree."""

from __future__ import annotations

import random

import pytest

from yiwang.ledger.tlog import merkle, tiles
from yiwang.ledger.tlog.merkle import MemoryHashStore
from yiwang.ledger.tlog.tiles import Tile, TileError, TileHashReader

ENTRIES = [f"事项 {i} 已办结".encode() for i in range(1000)]
STORE = MemoryHashStore()
for _entry in ENTRIES:
    STORE.append(_entry)


def published(size: int, with_entries: bool = True) -> dict[str, bytes]:
    return tiles.tile_resources(STORE, size, ENTRIES[:size] if with_entries else None)


def fetcher(resources: dict[str, bytes]) -> tiles.Fetch:
    def fetch(path: str) -> bytes:
        try:
            return resources[path]
        except KeyError:
            raise FileNotFoundError(path) from None

    return fetch


@pytest.mark.parametrize(
    ("index", "encoded"),
    [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_index_encoding(index: int, encoded: str):
    assert tiles.encode_tile_index(index) == encoded


def test_tile_paths_and_parsing():
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(1, 3, 17) == "tile/1/003.p/17"
    assert tiles.entry_bundle_path(5, 200) == "tile/entries/005.p/200"
    assert tiles.parse_tile_path("tile/2/x001/x234/067.p/9") == (False, Tile(2, 1234067, 9))
    assert tiles.parse_tile_path("tile/entries/000") == (True, Tile(0, 0))
    for bad in ("tile/0/1", "tile/0/x000/001", "tile/01/000", "tile/0/000.p/256", "tile/0/000.p/0"):
        with pytest.raises(TileError):
            tiles.parse_tile_path(bad)


def test_tile_sets_match_the_spec_examples():
    # tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
    # partial level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of
    # width 17, and one partial level 2 tile of width 1."
    tile_set = tiles.tiles_for_size(70_000)
    level0 = [t for t in tile_set if t.level == 0]
    assert sum(not t.is_partial for t in level0) == 273
    assert [t.width for t in level0 if t.is_partial] == [112]
    assert [(t.level, t.index, t.width) for t in tile_set if t.level > 0] == [
        (1, 0, 256),
        (1, 1, 17),
        (2, 0, 1),
    ]
    assert tiles.tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles.tiles_for_size(0) == []


def test_changed_tiles_are_exactly_the_files_that_differ():
    rng = random.Random(8)
    for _ in range(40):
        old, new = sorted(rng.sample(range(1000), 2))
        before, after = published(old, False), published(new, False)
        differing = {path for path, data in after.items() if before.get(path) != data}
        assert {t.path for t in tiles.changed_tiles(old, new)} == differing


def test_entry_bundles_round_trip_and_reject_garbage():
    bundle = tiles.encode_entry_bundle([b"", b"a", b"x" * 65535])
    assert tiles.decode_entry_bundle(bundle) == [b"", b"a", b"x" * 65535]
    assert bundle[:5] == b"\x00\x00\x00\x01a"
    for bad in (bundle[:-1], bundle[:1], bundle + b"\x00"):
        with pytest.raises(TileError):
            tiles.decode_entry_bundle(bad)
    with pytest.raises(TileError):
        tiles.encode_entry_bundle([b"x" * 65536])


def test_tile_reader_serves_the_same_proofs_as_the_store():
    reader = TileHashReader(fetcher(published(1000)), 1000)
    assert merkle.tree_root(reader, 1000) == STORE.root(1000)
    for index in (0, 1, 255, 256, 511, 767, 768, 998, 999):
        assert merkle.inclusion_proof(reader, index, 1000) == merkle.inclusion_proof(
            STORE, index, 1000
        )
    for old in (1, 255, 256, 257, 512, 700, 999, 1000):
        assert merkle.consistency_proof(reader, old, 1000) == merkle.consistency_proof(
            STORE, old, 1000
        )
        assert merkle.tree_root(reader, old) == STORE.root(old)


def test_tile_reader_falls_back_to_the_full_tile():
    resources = published(1000)
    old = published(600)
    # At size 600, tile/0/002.p/88 is partial; a log may delete it once tile/0/002 is full.
    resources_without_partial = {**old, "tile/0/002": resources["tile/0/002"]}
    del resources_without_partial["tile/0/002.p/88"]
    reader = TileHashReader(fetcher(resources_without_partial), 600)
    assert merkle.tree_root(reader, 600) == STORE.root(600)


def test_verify_tiles_accepts_a_good_tree_and_counts_files():
    resources = published(1000)
    checked = tiles.verify_tiles(fetcher(resources), 1000, STORE.root(), check_entries=True)
    assert checked == len(tiles.tiles_for_size(1000)) + 4


def test_verify_tiles_detects_any_corrupted_byte():
    resources = published(1000)
    rng = random.Random(1)
    for path in sorted(resources):
        data = resources[path]
        for position in {0, len(data) - 1, *rng.sample(range(len(data)), 8)}:
            corrupted = {**resources, path: data[:position] + bytes([data[position] ^ 0x10])}
            corrupted[path] += data[position + 1 :]
            with pytest.raises(TileError):
                tiles.verify_tiles(fetcher(corrupted), 1000, STORE.root(), check_entries=True)


def test_verify_tiles_detects_missing_wrong_size_and_wrong_root():
    resources = published(1000)
    for path in ("tile/1/000.p/3", "tile/0/001", "tile/entries/003.p/232"):
        missing = dict(resources)
        del missing[path]
        with pytest.raises(TileError, match="cannot fetch"):
            tiles.verify_tiles(fetcher(missing), 1000, STORE.root(), check_entries=True)
    short = {**resources, "tile/0/000": resources["tile/0/000"][:-32]}
    with pytest.raises(TileError, match="expected 8192"):
        tiles.verify_tiles(fetcher(short), 1000, STORE.root())
    with pytest.raises(TileError, match="root"):
        tiles.verify_tiles(fetcher(resources), 1000, STORE.root(999))
