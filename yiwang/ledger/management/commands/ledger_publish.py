"""Publish the log as static files (tlog-tiles) into a directory, for any static file server
or object store: the tiles that changed since the directory's checkpoint, then the checkpoint.

The checkpoint is written last and each file atomically, so a reader of the directory never
sees a checkpoint whose tiles are missing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.ledger import queries
from yiwang.ledger.store import DatabaseHashStore
from yiwang.ledger.tlog import tiles
from yiwang.ledger.tlog.checkpoint import CheckpointError, parse_checkpoint_unverified


def _write(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)


class Command(BaseCommand):
    help = "Write the ledger's checkpoint, tiles and entry bundles into a directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["directory"])
        root.mkdir(parents=True, exist_ok=True)
        log = queries.published()
        if log.note is None:
            raise CommandError("账本尚无检查点 / the ledger has no checkpoint yet")
        old_size = 0
        if (root / "checkpoint").is_file():
            try:
                old_size = parse_checkpoint_unverified((root / "checkpoint").read_bytes()).size
            except CheckpointError as exc:
                raise CommandError(f"existing checkpoint is unreadable: {exc}") from exc
        if old_size > log.size:
            raise CommandError(f"directory holds size {old_size}, larger than the log's {log.size}")
        store = DatabaseHashStore()
        changed = tiles.changed_tiles(old_size, log.size)
        for tile in changed:
            _write(root, tile.path, tiles.tile_data(store, tile))
            if tile.level == 0:
                first = tile.index * tiles.TILE_WIDTH
                entries = queries.sealed_entries(first, tile.width, log)
                bundle = tiles.encode_entry_bundle([e.entry_data.encode() for e in entries])
                _write(root, tile.entries_path, bundle)
        _write(root, "checkpoint", log.note.encode())
        self.stdout.write(f"published size {log.size}: {len(changed)} tile(s) written")
