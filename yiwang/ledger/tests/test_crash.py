"""Kill the sequencer (SIGKILL, its own process) in the middle of a batch, restart it, and find
a valid, gap-free log in which every entry was sealed exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from yiwang.ledger import queries
from yiwang.ledger.models import Checkpoint, LedgerEntry, LogState, MerkleNode
from yiwang.ledger.sequencer import sequence_pending
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog.checkpoint import open_checkpoint
from yiwang.ledger.tlog.note import verifier_from_vkey

REPO = Path(__file__).resolve().parents[3]
MARKER = "ledger-sequencer: paused mid-batch"


def database_url() -> str:
    """The URL of the test database this process uses, for a child process."""
    cfg = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{cfg['NAME']}"
    auth = quote(cfg["USER"] or "", safe="")
    if cfg.get("PASSWORD"):
        auth += ":" + quote(cfg["PASSWORD"], safe="")
    host = cfg.get("HOST") or "127.0.0.1"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{cfg['NAME']}"


def sequencer_process(pause: float = 0, *, once: bool = True) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang.settings.test",
        "DATABASE_URL": database_url(),
        "YIWANG_LEDGER_TEST_BATCH_PAUSE": str(pause),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "ledger_sequencer", *(["--once"] if once else [])],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_marker(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """Read the child's stderr until it says it is mid-batch (or give up)."""
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    seen = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if MARKER in line:
                return line
    finally:
        watchdog.cancel()
    raise AssertionError("the sequencer never reached the middle of a batch:\n" + "".join(seen))


@pytest.mark.django_db(transaction=True)
def test_killing_the_sequencer_mid_batch_leaves_a_valid_gap_free_log(settings) -> None:
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = False
    anchor_many(300)
    assert sequence_pending() == 300
    anchor_many(300, start=300)
    before_nodes = MerkleNode.objects.count()

    child = sequencer_process(pause=30)
    wait_for_marker(child)
    # The batch's nodes are written but not committed: now the process dies.
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # Nothing of the killed batch is visible: same size, same checkpoints, no extra nodes.
    assert LogState.objects.get().size == 300
    assert max(Checkpoint.objects.values_list("size", flat=True)) == 300
    assert MerkleNode.objects.count() == before_nodes
    assert LedgerEntry.objects.filter(index__isnull=True).count() == 300

    restarted = sequencer_process()
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err
    assert "done: 300 entries sealed" in out

    indexes = list(LedgerEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(600))  # gap-free, each entry sealed exactly once
    head = open_checkpoint(queries.published().note, verifier_from_vkey(queries.log_vkey()))
    assert head.size == 600
    call_command("ledger_audit")  # raises CommandError on any mismatch
