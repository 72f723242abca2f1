"""C2SP tlog-tiles (c2sp.org/tlog-tiles): the Merkle tree as static files.

A tile at level L, index N holds up to 256 consecutive node hashes of Merkle level 8*L:
``MTH(D[(N*256+i) * 256**L : (N*256+i+1) * 256**L])``. Full tiles have 256 hashes (8,192 bytes);
the right-most tile of a level may be partial (1..255 hashes) and is served at ``.p/<W>``.
Entry bundles (``tile/entries/<N>[.p/<W>]``) hold the entries of level-0 tile N, each prefixed
by its big-endian uint16 length.

`TileHashReader` is a `merkle.HashStore` over a ``fetch(path) -> bytes`` callable, so every
proof function works against a directory or web server of tiles; `verify_tiles` audits a whole
published tree against a checkpoint's root.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .merkle import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    HashStore,
    NodeId,
    leaf_hash,
    root_from_leaf_hashes,
    tree_root,
)

__all__ = [
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "TileError",
    "TileHashReader",
    "changed_tiles",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "encode_tile_index",
    "entry_bundle_path",
    "parse_tile_path",
    "tile_data",
    "tile_path",
    "tile_resources",
    "tiles_for_size",
    "verify_tiles",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 0xFFFF
_MAX_LEVEL = 63

Fetch = Callable[[str], bytes]


class TileError(ValueError):
    """A tile or entry bundle is missing, malformed, or does not match the tree."""


@dataclass(frozen=True, order=True)
class Tile:
    """A hash tile: tile level, index within the level, and width (256 unless partial)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= _MAX_LEVEL or self.index < 0:
            raise TileError(f"no tile at level {self.level}, index {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width {self.width} is outside 1..256")

    @property
    def is_partial(self) -> bool:
        """True for a right-edge tile with fewer than 256 hashes."""
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]``."""
        return tile_path(self.level, self.index, self.width)

    @property
    def entries_path(self) -> str:
        """Path of the entry bundle matching this level-0 tile."""
        if self.level != 0:
            raise TileError("only level-0 tiles have entry bundles")
        return entry_bundle_path(self.index, self.width)


def encode_tile_index(index: int) -> str:
    """Tile index as 3-digit path elements, all but the last prefixed with 'x'."""
    if index < 0:
        raise TileError("tile index must not be negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if index == 0:
            break
    groups.reverse()
    return "/".join([f"x{group}" for group in groups[:-1]] + [groups[-1]])


def _suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"tile width {width} is outside 1..256")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` for a hash tile."""
    if not 0 <= level <= _MAX_LEVEL:
        raise TileError(f"tile level {level} is outside 0..63")
    return f"tile/{level}/{encode_tile_index(index)}{_suffix(width)}"


def entry_bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]`` for an entry bundle."""
    return f"tile/entries/{encode_tile_index(index)}{_suffix(width)}"


_PATH = re.compile(
    r"tile/(?P<level>0|[1-9][0-9]?|entries)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_tile_path(path: str) -> tuple[bool, Tile]:
    """Parse a tile or entry-bundle path; returns (is_entry_bundle, tile)."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TileError(f"{path!r} is not a tile path")
    index = int(match["index"].replace("x", "").replace("/", ""))
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    if match["width"] and width >= TILE_WIDTH:
        raise TileError(f"{path!r}: a partial tile has 1..255 hashes")
    entries = match["level"] == "entries"
    tile = Tile(0 if entries else int(match["level"]), index, width)
    if (entry_bundle_path(index, width) if entries else tile.path) != path:
        raise TileError(f"{path!r} is not in canonical form")
    return entries, tile


def _count(size: int, level: int) -> int:
    """Number of complete hashes at Merkle level 8*level in a tree of `size` leaves."""
    return size >> (TILE_HEIGHT * level)


def tiles_for_size(size: int) -> list[Tile]:
    """Every tile (full and partial) that a tree of `size` leaves is published as."""
    if not 0 <= size <= MAX_TREE_SIZE:
        raise TileError(f"tree size {size} is outside 0..2^64-1")
    tiles: list[Tile] = []
    level = 0
    while (count := _count(size, level)) > 0:
        full, rest = divmod(count, TILE_WIDTH)
        tiles.extend(Tile(level, index) for index in range(full))
        if rest:
            tiles.append(Tile(level, full, rest))
        level += 1
    return tiles


def changed_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Tiles whose content differs between two tree sizes: what to publish after growing."""
    if not 0 <= old_size <= new_size:
        raise TileError(f"tree cannot shrink from {old_size} to {new_size}")
    changed = []
    for tile in tiles_for_size(new_size):
        before = _count(old_size, tile.level) - tile.index * TILE_WIDTH
        if min(max(before, 0), TILE_WIDTH) != tile.width:
            changed.append(tile)
    return changed


def tile_data(store: HashStore, tile: Tile) -> bytes:
    """Contents of a tile, read from a hash store in one call."""
    level = TILE_HEIGHT * tile.level
    first = tile.index * TILE_WIDTH
    nodes: list[NodeId] = [(level, first + i) for i in range(tile.width)]
    return b"".join(store.node_hashes(nodes))


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries, each prefixed by its big-endian uint16 length."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise TileError("an entry bundle holds 1..256 entries")
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise TileError(f"entry of {len(entry)} bytes exceeds the 65,535-byte bundle limit")
        parts.append(len(entry).to_bytes(2, "big") + entry)
    return b"".join(parts)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """Split an entry bundle; raises TileError on truncation."""
    entries = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise TileError("entry bundle ends inside a length prefix")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise TileError("entry bundle ends inside an entry")
        entries.append(data[offset : offset + length])
        offset += length
    if len(entries) > TILE_WIDTH:
        raise TileError("entry bundle holds more than 256 entries")
    return entries


def tile_resources(
    store: HashStore, size: int, entries: Sequence[bytes] | None = None
) -> dict[str, bytes]:
    """Every tile (and entry bundle, if entries are given) of a tree, by path."""
    resources = {}
    for tile in tiles_for_size(size):
        resources[tile.path] = tile_data(store, tile)
        if entries is not None and tile.level == 0:
            first = tile.index * TILE_WIDTH
            bundle = entries[first : first + tile.width]
            resources[tile.entries_path] = encode_entry_bundle(bundle)
    return resources


class TileHashReader:
    """A read-only `HashStore` over published tiles of a tree of known size."""

    def __init__(self, fetch: Fetch, size: int) -> None:
        if not 0 <= size <= MAX_TREE_SIZE:
            raise TileError(f"tree size {size} is outside 0..2^64-1")
        self._fetch = fetch
        self._size = size
        self._cache: dict[tuple[int, int], list[bytes]] = {}

    @property
    def size(self) -> int:
        """The tree size this reader serves."""
        return self._size

    def fetch(self, path: str) -> bytes:
        """Fetch any log resource, turning I/O failures into TileError."""
        try:
            return self._fetch(path)
        except OSError as exc:
            raise TileError(f"cannot fetch {path}: {exc}") from exc

    def read_tile(self, level: int, index: int) -> list[bytes]:
        """Hashes of tile (level, index) as it must be at this tree size (cached)."""
        key = (level, index)
        if key in self._cache:
            return self._cache[key]
        width = min(_count(self._size, level) - index * TILE_WIDTH, TILE_WIDTH)
        if width <= 0:
            raise TileError(f"tile {level}/{index} is beyond a tree of size {self._size}")
        tile = Tile(level, index, width)
        try:
            data = self.fetch(tile.path)
        except TileError:
            if not tile.is_partial:
                raise
            # tlog-tiles lets a log delete a partial tile once the full one exists; its first
            # `width` hashes are the same.
            data = self.fetch(Tile(level, index).path)[: width * HASH_SIZE]
        if len(data) != width * HASH_SIZE:
            raise TileError(f"{tile.path} is {len(data)} bytes, expected {width * HASH_SIZE}")
        hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        self._cache[key] = hashes
        return hashes

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Node hashes computed from tiles: a node at level 8L+r spans 2**r hashes of a tile."""
        result = []
        for level, index in nodes:
            tile_level, height = divmod(level, TILE_HEIGHT)
            first, count = index << height, 1 << height
            if (first + count) > _count(self._size, tile_level):
                raise LookupError(f"node ({level}, {index}) is not complete at size {self._size}")
            hashes = self.read_tile(tile_level, first // TILE_WIDTH)
            offset = first % TILE_WIDTH
            result.append(root_from_leaf_hashes(hashes[offset : offset + count]))
        return result


def verify_tiles(fetch: Fetch, size: int, root: bytes, *, check_entries: bool = False) -> int:
    """Check every tile of a tree (and optionally its entry bundles) against `root`.

    Each full tile must hash to its slot in the tile above, and the root recomputed from the
    tiles must equal `root`; together that authenticates every published hash. Returns the
    number of files checked.
    """
    reader = TileHashReader(fetch, size)
    tiles = tiles_for_size(size)
    for tile in tiles:
        hashes = reader.read_tile(tile.level, tile.index)
        if not tile.is_partial:
            parent = reader.node_hashes([(TILE_HEIGHT * (tile.level + 1), tile.index)])[0]
            if root_from_leaf_hashes(hashes) != parent:
                raise TileError(f"{tile.path} does not match its hash in the tile above")
    computed = tree_root(reader, size)
    if computed != root:
        raise TileError("root recomputed from the tiles differs from the checkpoint's root")
    checked = len(tiles)
    if check_entries:
        for tile in tiles:
            if tile.level != 0:
                continue
            try:
                bundle = decode_entry_bundle(reader.fetch(tile.entries_path))
            except TileError as exc:
                raise TileError(f"{tile.entries_path}: {exc}") from exc
            if len(bundle) != tile.width:
                raise TileError(
                    f"{tile.entries_path} holds {len(bundle)} entries, not {tile.width}"
                )
            hashes = reader.read_tile(0, tile.index)
            for offset, entry in enumerate(bundle):
                if leaf_hash(entry) != hashes[offset]:
                    index = tile.index * TILE_WIDTH + offset
                    raise TileError(
                        f"entry {index} in {tile.entries_path} does not hash to its leaf in "
                        f"{tile.path}"
                    )
            checked += 1
    return checked
