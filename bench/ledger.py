"""Issue 5 (ledger): durable appends/s, inclusion-proof time at 10,000,000 entries, receipts
verified/s, each against this machine's raw limit measured in the same run.

    python -m bench ledger                                # SQLite (scratch file)
    BENCH_DATABASE_URL=postgres://... python -m bench ledger   # SQLite, then PostgreSQL

Each database is measured in its own process (`python -m bench.ledger --worker URL`) with the
production settings. Figures:

- raw SHA-256 (hashlib over one entry) and raw row inserts (executemany of entry-sized rows,
  256 per committed transaction: the same durability as one sealed batch) are the baselines;
- "anchor + seal" is the whole durable path: entries anchored 256 per transaction, then sealed
  by the sequencer in batches of 256 (nodes, signed checkpoint, state, one transaction each);
- the 10,000,000-entry proof is generated against a node table built synthetically: the ~2·24
  nodes each sampled proof reads, at the indexes a 10M-entry tree has, plus filler rows of a
  real log's shape so the index has a realistic depth. The filler is smaller than a real 10M
  log's ~20M nodes unless BENCH_LEDGER_FILLER says otherwise; it is measured at two filler
  sizes so the trend with table size is visible (B-tree lookups grow with log(rows)).
  Synthetic hashes are random, so these proofs are generated, not verified;
- receipts are real (built from the appended log) and verified with the Django-free code,
  against the raw Ed25519 verification rate.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import PYTHON, ROOT, Figure, bench_env, report, scratch_database

APPENDS = int(os.environ.get("BENCH_LEDGER_APPENDS", "10000"))
RAW_ROWS = 20_000
BATCH = 256
TREE_SIZE = 10_000_000
PROOF_SAMPLES = 300
FILLERS = [int(x) for x in os.environ.get("BENCH_LEDGER_FILLER", "200000,2000000").split(",")]


def run() -> None:
    urls = []
    with scratch_database() as (url, folder):
        if os.environ.get("BENCH_DATABASE_URL"):
            sqlite_url = f"sqlite:///{folder / 'ledger-bench.sqlite3'}"
            urls = [sqlite_url, os.environ["BENCH_DATABASE_URL"]]
        else:
            urls = [url]
        for database in urls:
            env = bench_env(database)
            env["YIWANG_LEDGER_SEQUENCE_ON_COMMIT"] = "false"
            subprocess.run(
                [PYTHON, "-m", "bench.ledger", "--worker", database], env=env, cwd=ROOT, check=True
            )


# --- everything below runs in the worker process, with Django set up ---


def _seconds(call: Any) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _raw_hash_rate(sample: bytes) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        for _ in range(1000):
            hashlib.sha256(sample).digest()
        count += 1000
    return count / (time.perf_counter() - start)


def _raw_insert_rate(sample: str) -> float:
    from django.db import connection, transaction

    blob = "BLOB" if connection.vendor == "sqlite" else "BYTEA"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")
        cursor.execute(
            "CREATE TABLE bench_raw_insert (id BIGINT PRIMARY KEY, kind VARCHAR(64), "
            f"subject VARCHAR(200), digest VARCHAR(64), data TEXT, leaf {blob})"
        )
    digest = hashlib.sha256(b"x").hexdigest()
    leaf = hashlib.sha256(b"y").digest()
    start = time.perf_counter()
    for first in range(0, RAW_ROWS, BATCH):
        rows = [
            (i, "case.accepted", f"360102-2026-{i:06d}", digest, sample, leaf)
            for i in range(first, first + BATCH)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_raw_insert (id, kind, subject, digest, data, leaf) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_insert")
    return RAW_ROWS / elapsed


def _wipe_ledger() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "ledger_logstate",
            "ledger_ledgerentry",
            "ledger_checkpoint",
            "ledger_merklenode",
            "ledger_signingkey",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def _append_figures(raw_inserts: float, raw_hashes: float) -> tuple[list[Figure], list[Any]]:
    from django.db import transaction

    from yiwang.ledger.anchoring import anchor
    from yiwang.ledger.models import LedgerEntry
    from yiwang.ledger.sequencer import sequence_batch

    def anchor_all() -> None:
        for first in range(0, APPENDS, BATCH):
            with transaction.atomic():
                for i in range(first, min(first + BATCH, APPENDS)):
                    anchor("case.accepted", f"360102-2026-{i:06d}", {"case": i, "event": "受理"})

    def seal_all() -> None:
        while sequence_batch(max_entries=BATCH) is not None:
            pass

    anchoring = _seconds(anchor_all)
    sealing = _seconds(seal_all)
    assert LedgerEntry.objects.filter(index__isnull=True).count() == 0
    durable = APPENDS / (anchoring + sealing)
    figures = [
        Figure("raw SHA-256 of one entry (hashlib)", raw_hashes, "hashes/s"),
        Figure("raw row insert, 256 per commit", raw_inserts, "rows/s"),
        Figure(
            "durable appends: anchor + seal (batches of 256)",
            durable,
            "entries/s",
            "raw row insert",
            raw_inserts,
            f"{APPENDS:,} entries; {durable / raw_hashes:.4f}× of raw SHA-256",
        ),
        Figure(
            "  anchor only (256 per transaction)",
            APPENDS / anchoring,
            "entries/s",
            "raw row insert",
            raw_inserts,
        ),
        Figure(
            "  seal only (sequencer, 256 per batch)",
            APPENDS / sealing,
            "entries/s",
            "raw row insert",
            raw_inserts,
        ),
    ]
    entries = list(LedgerEntry.objects.order_by("?")[:200])
    return figures, entries


def _receipt_figures(entries: list[Any]) -> list[Figure]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from yiwang.ledger import queries
    from yiwang.ledger.tlog.note import verifier_from_vkey
    from yiwang.ledger.tlog.proof import verify_receipt

    log = queries.published()
    start = time.perf_counter()
    receipts = [(queries.receipt_for(e, log), e.entry_data.encode()) for e in entries]
    built = len(receipts) / (time.perf_counter() - start)
    key = verifier_from_vkey(str(queries.log_vkey()))
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    message = (log.note or "").encode()
    signature = private.sign(message)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        public.verify(signature, message)
        count += 1
    raw_verify = count / (time.perf_counter() - start)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.5:
        for receipt, data in receipts:
            verify_receipt(receipt or "", key, entry=data)
        count += len(receipts)
    verified = count / (time.perf_counter() - start)
    return [
        Figure("raw Ed25519 verify (cryptography)", raw_verify, "verifies/s"),
        Figure(
            f"receipts verified offline (size {log.size:,})",
            verified,
            "receipts/s",
            "raw Ed25519 verify",
            raw_verify,
            "signature + inclusion proof + entry hash",
        ),
        Figure(f"receipts generated from the database (size {log.size:,})", built, "receipts/s"),
    ]


class _RecordingStore:
    """Answers any node with zeros and remembers which nodes a proof asked for."""

    def __init__(self) -> None:
        self.nodes: set[tuple[int, int]] = set()

    def node_hashes(self, nodes: Any) -> list[bytes]:
        self.nodes.update(nodes)
        return [b"\0" * 32 for _ in nodes]


def _fill_nodes(filler: int, needed: set[tuple[int, int]]) -> int:
    """A node table shaped like a real log of filler/2 leaves, plus the proof nodes."""
    from django.db import connection, transaction

    leaves = filler // 2
    levels: list[tuple[int, int]] = []
    level, count = 0, leaves
    while count:
        levels.append((level, count))
        level, count = level + 1, count >> 1
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for level, count in levels:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < %s) "
                    'INSERT INTO ledger_merklenode (level, "index", hash) '
                    "SELECT %s, x, randomblob(32) FROM c",
                    [count - 1, level],
                )
            else:
                cursor.execute(
                    'INSERT INTO ledger_merklenode (level, "index", hash) '
                    "SELECT %s, g, sha256(int8send(g)) FROM generate_series(0, %s) AS g",
                    [level, count - 1],
                )
            rows += count
        extra = [(lvl, idx, os.urandom(32)) for lvl, idx in needed if idx >= leaves >> lvl]
        cursor.executemany(
            'INSERT INTO ledger_merklenode (level, "index", hash) VALUES (%s, %s, %s)', extra
        )
        rows += len(extra)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_merklenode")
    return rows


def _proof_figures() -> list[Figure]:
    from django.db import connection

    from yiwang.ledger.store import DatabaseHashStore
    from yiwang.ledger.tlog import merkle

    rng = random.Random(10_000_000)
    indexes = [rng.randrange(TREE_SIZE) for _ in range(PROOF_SAMPLES)]
    recorder = _RecordingStore()
    for index in indexes:
        merkle.inclusion_proof(recorder, index, TREE_SIZE)
    per_proof = len(merkle.inclusion_proof(_RecordingStore(), indexes[0], TREE_SIZE))
    figures: list[Figure] = []
    store = DatabaseHashStore()
    for filler in FILLERS:
        _wipe_ledger()
        built = _seconds(lambda filler=filler: _fill_nodes(filler, recorder.nodes))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM ledger_merklenode")
            total = cursor.fetchone()[0]
        # Warm the cache the way a running server's would be, then time each proof.
        for index in indexes[:20]:
            merkle.inclusion_proof(store, index, TREE_SIZE)
        times = []
        for index in indexes:
            start = time.perf_counter()
            merkle.inclusion_proof(store, index, TREE_SIZE)
            times.append(time.perf_counter() - start)
        # Baseline: one bare primary-key SELECT of a node in the same table.
        probes = [(0, rng.randrange(filler // 2)) for _ in range(PROOF_SAMPLES)]
        with connection.cursor() as cursor:
            start = time.perf_counter()
            for level, index in probes:
                cursor.execute(
                    'SELECT hash FROM ledger_merklenode WHERE level = %s AND "index" = %s',
                    [level, index],
                )
                cursor.fetchone()
            bare = (time.perf_counter() - start) / len(probes)
        mean = statistics.fmean(times)
        p99 = sorted(times)[int(len(times) * 0.99) - 1]
        figures.append(
            Figure(
                f"inclusion proof at size 10,000,000, table {total:,} rows",
                mean * 1000,
                "ms/proof",
                "bare PK select",
                bare * 1000,
                f"p99 {p99 * 1000:.2f} ms; {per_proof} hashes in 1 query; "
                f"table built in {built:.0f} s",
            )
        )
    _wipe_ledger()
    return figures


def worker(url: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from yiwang.ledger.anchoring import entry_data

    call_command("migrate", "--noinput", verbosity=0)
    _wipe_ledger()
    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL, synchronous=NORMAL)"
    import datetime as dt

    sample = entry_data("case.accepted", "360102-2026-000001", "ab" * 32, dt.datetime.now(dt.UTC))
    raw_hashes = _raw_hash_rate(sample)
    raw_inserts = _raw_insert_rate(sample.decode())
    appends, entries = _append_figures(raw_inserts, raw_hashes)
    report(f"ledger: durable appends, {vendor}", appends)
    report(f"ledger: receipts, {vendor}", _receipt_figures(entries))
    report(
        f"ledger: inclusion proofs at 10M entries (synthetic node table), {vendor}",
        _proof_figures(),
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        run()
