"""Run the ledger sequencer: `--once` seals what is pending and exits; otherwise it loops.

The loop seals a batch as soon as YIWANG_LEDGER_BATCH_SIZE entries are pending or the oldest
pending entry has waited YIWANG_LEDGER_BATCH_WAIT_MS, and stops cleanly on SIGTERM/SIGINT
after the batch in hand. Running several copies is safe (they queue on the log lock), but
one is enough.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from yiwang.ledger.models import LedgerEntry
from yiwang.ledger.sequencer import sequence_batch

logger = logging.getLogger("yiwang.ledger")
IDLE_POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Seal pending ledger entries into the Merkle log (loop, or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="seal what is pending, then exit")
        parser.add_argument("--batch-size", type=int, default=settings.YIWANG_LEDGER_BATCH_SIZE)
        parser.add_argument("--wait-ms", type=int, default=settings.YIWANG_LEDGER_BATCH_WAIT_MS)

    def handle(self, *args: Any, **options: Any) -> None:
        size: int = max(1, options["batch_size"])
        wait = dt.timedelta(milliseconds=max(0, options["wait_ms"]))
        if options["once"]:
            sealed = 0
            while (batch := sequence_batch(max_entries=size)) is not None:
                sealed += batch.count
                self.stdout.write(f"sealed {batch.count} entries; tree size {batch.size}")
            self.stdout.write(f"done: {sealed} entries sealed")
            return
        self._loop(size, wait)

    def _loop(self, size: int, wait: dt.timedelta) -> None:
        stopping = {"now": False}

        def stop(signum: int, frame: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("ledger sequencer running")
        while not stopping["now"]:
            try:
                pause = self._step(size, wait)
            except DatabaseError:
                logger.exception("ledger sequencer: database error; retrying")
                close_old_connections()
                pause = 1.0
            if pause:
                time.sleep(pause)
        self.stdout.write("ledger sequencer stopped")

    def _step(self, size: int, wait: dt.timedelta) -> float:
        """Seal a batch if one is due; otherwise return how long to sleep."""
        waiting = list(
            LedgerEntry.objects.filter(index__isnull=True)
            .order_by("id")
            .values_list("created_at", flat=True)[:size]
        )
        if not waiting:
            return IDLE_POLL_SECONDS
        age = timezone.now() - min(waiting)
        if len(waiting) < size and age < wait:
            return min(IDLE_POLL_SECONDS, (wait - age).total_seconds())
        batch = sequence_batch(max_entries=size)
        if batch is not None:
            logger.info("ledger: sealed %s entries, tree size %s", batch.count, batch.size)
        return 0.0
