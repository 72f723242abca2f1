"""The verifier CLI run as a citizen or auditor would: its own process, and no Django."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from yiwang.ledger.tlog import merkle, note, tiles
from yiwang.ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from yiwang.ledger.tlog.merkle import MemoryHashStore
from yiwang.ledger.tlog.proof import build_receipt

REPO = Path(__file__).resolve().parents[3]
ORIGIN = "ledger.yiwang.example/city"
LOG = note.Ed25519Signer(ORIGIN, bytes(range(32)))
ENTRIES = [f'{{"certificate":"1.2.156.3005.2.{i}","op":"issue"}}'.encode() for i in range(1000)]
FORBIDDEN = {"django", "psycopg", "psycopg2", "psycopg_binary"}


def run(*args: str, python_flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "yiwang.ledger.verify", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published log of 1,000 entries: checkpoint, tiles and entry bundles, plus extras."""
    root = tmp_path_factory.mktemp("log")
    store = MemoryHashStore()
    for entry in ENTRIES:
        store.append(entry)
    for path, data in tiles.tile_resources(store, 1000, ENTRIES).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    checkpoint = sign_checkpoint(Checkpoint(ORIGIN, 1000, store.root()), LOG)
    (root / "checkpoint").write_text(checkpoint, encoding="utf-8")

    extras = tmp_path_factory.mktemp("extras")
    old = sign_checkpoint(Checkpoint(ORIGIN, 600, store.root(600)), LOG)
    (extras / "old.checkpoint").write_text(old, encoding="utf-8")
    # A split view: the same key signed a different history of size 600.
    forked = MemoryHashStore(merkle.leaf_hash(b"forged %d" % i) for i in range(600))
    fork = sign_checkpoint(Checkpoint(ORIGIN, 600, forked.root()), LOG)
    (extras / "fork.checkpoint").write_text(fork, encoding="utf-8")
    (extras / "log.vkey").write_text(LOG.vkey + "\n", encoding="utf-8")

    proof = merkle.inclusion_proof(store, 517, 1000)
    receipt = build_receipt(index=517, proof=proof, checkpoint=checkpoint, entry=ENTRIES[517])
    (extras / "517.tlog-proof").write_text(receipt, encoding="utf-8")
    (extras / "517.entry").write_bytes(ENTRIES[517])
    (extras / "518.entry").write_bytes(ENTRIES[518])
    return root


def extra(log_dir: Path, name: str) -> str:
    return str(next(log_dir.parent.glob(f"extras*/{name}")))


def test_receipt_verifies_and_prints_ok_in_both_languages(log_dir: Path):
    result = run(
        "receipt",
        extra(log_dir, "517.tlog-proof"),
        "--key",
        LOG.vkey,
        "--entry",
        extra(log_dir, "517.entry"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK 回执有效")
    assert "OK receipt valid: entry 517" in result.stdout
    assert "entry's content matches" in result.stdout


def test_receipt_for_another_entry_fails_with_reason(log_dir: Path):
    result = run(
        "receipt",
        extra(log_dir, "517.tlog-proof"),
        "--key",
        extra(log_dir, "log.vkey"),
        "--entry",
        extra(log_dir, "518.entry"),
    )
    assert result.returncode == 1
    assert "FAIL 验证失败" in result.stderr
    assert "does not match the leaf hash" in result.stderr


def test_missing_receipt_file_fails(log_dir: Path):
    result = run("receipt", str(log_dir / "nope.tlog-proof"), "--key", LOG.vkey)
    assert result.returncode == 1
    assert "cannot read receipt" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("receipt",),
        ("receipt", "x.tlog-proof"),
        ("receipt", "x.tlog-proof", "--key", "example.com+00000000+AAAA"),
        ("receipt", "x.tlog-proof", "--key", LOG.vkey, "--witness-quorum", "1"),
        ("log", "--key", LOG.vkey),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]):
    assert run(*args).returncode == 2


def test_published_log_verifies_from_a_directory(log_dir: Path):
    old = extra(log_dir, "old.checkpoint")
    result = run(
        "log",
        "--url-or-dir",
        str(log_dir),
        "--key",
        LOG.vkey,
        "--entries",
        "--from-checkpoint",
        old,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK 账本有效")
    assert "OK log valid: ledger.yiwang.example/city size 1000" in result.stdout
    assert "OK consistent: the old checkpoint (size 600)" in result.stdout


def test_split_view_is_detected(log_dir: Path):
    fork = extra(log_dir, "fork.checkpoint")
    result = run("log", "--url-or-dir", str(log_dir), "--key", LOG.vkey, "--from-checkpoint", fork)
    assert result.returncode == 1
    assert "consistency with the old checkpoint" in result.stderr


@pytest.mark.parametrize(
    ("path", "position"),
    [("tile/0/001", 4000), ("tile/0/003.p/232", 7), ("tile/1/000.p/3", 95), ("checkpoint", 3)],
)
def test_one_corrupted_byte_fails(tmp_path: Path, log_dir: Path, path: str, position: int):
    copy = tmp_path / "log"
    shutil.copytree(log_dir, copy)
    target = copy / path
    data = bytearray(target.read_bytes())
    data[position] ^= 0x01
    target.write_bytes(bytes(data))
    result = run("log", "--url-or-dir", str(copy), "--key", LOG.vkey)
    assert result.returncode == 1
    assert result.stderr.startswith("FAIL")


def test_corrupted_entry_bundle_fails_with_entries_flag(tmp_path: Path, log_dir: Path):
    copy = tmp_path / "log"
    shutil.copytree(log_dir, copy)
    bundle = copy / "tile/entries/002"
    data = bytearray(bundle.read_bytes())
    data[100] ^= 0x01
    bundle.write_bytes(bytes(data))
    assert run("log", "--url-or-dir", str(copy), "--key", LOG.vkey).returncode == 0
    result = run("log", "--url-or-dir", str(copy), "--key", LOG.vkey, "--entries")
    assert result.returncode == 1
    assert "tile/entries/002" in result.stderr


@pytest.fixture
def http_root(log_dir: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(log_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_published_log_verifies_over_http(http_root: str, log_dir: Path):
    old = extra(log_dir, "old.checkpoint")
    result = run(
        "log", "--url-or-dir", http_root, "--key", LOG.vkey, "--entries", "--from-checkpoint", old
    )
    assert result.returncode == 0, result.stderr
    missing = run("log", "--url-or-dir", http_root + "nothing/", "--key", LOG.vkey)
    assert missing.returncode == 1
    assert "cannot fetch the checkpoint" in missing.stderr


def test_verifier_imports_neither_django_nor_a_database_driver(log_dir: Path):
    result = run(
        "receipt",
        extra(log_dir, "517.tlog-proof"),
        "--key",
        LOG.vkey,
        python_flags=("-X", "importtime"),
    )
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "yiwang.ledger.tlog.merkle" in imported and "cryptography" in imported
    assert not {name for name in imported if name.split(".")[0] in FORBIDDEN}


def test_log_command_leaves_sys_modules_clean(log_dir: Path):
    script = (
        "import runpy, sys\n"
        f"sys.argv = ['verify', 'log', '--url-or-dir', {str(log_dir)!r}, '--key', {LOG.vkey!r}]\n"
        "try:\n"
        "    runpy.run_module('yiwang.ledger.verify', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
        "print('FORBIDDEN', bad)\n" % (FORBIDDEN,)
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "FORBIDDEN []" in result.stdout
