"""What the ledger publishes under /ledger/: checkpoint, key, tiles, entry bundles, receipts;
checked with the Django-free verifier, in its own process, against a live server."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.test import Client

from yiwang.ledger import queries
from yiwang.ledger.sequencer import sequence_pending
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog import merkle, tiles
from yiwang.ledger.tlog.checkpoint import open_checkpoint
from yiwang.ledger.tlog.note import verifier_from_vkey
from yiwang.ledger.tlog.proof import Receipt, verify_receipt

REPO = Path(__file__).resolve().parents[3]


def verify_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "yiwang.ledger.verify", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def fetcher(client: Client):
    def fetch(path: str) -> bytes:
        response = client.get("/ledger/" + path)
        if response.status_code != 200:
            raise OSError(f"{path}: {response.status_code}")
        return response.content

    return fetch


@pytest.fixture
def log_of_600(db, no_task, settings):
    settings.YIWANG_LEDGER_BATCH_SIZE = 256
    anchor_many(600)
    sequence_pending()
    return queries.published()


@pytest.mark.django_db
def test_empty_ledger_says_so() -> None:
    client = Client()
    assert client.get("/ledger/checkpoint").status_code == 404
    assert client.get("/ledger/key").status_code == 404
    assert client.get("/ledger/tile/0/000.p/1").status_code == 404


def test_checkpoint_and_key_are_public_and_verify(log_of_600) -> None:
    client = Client()
    vkey = client.get("/ledger/key").content.decode().strip()
    response = client.get("/ledger/checkpoint")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Type"].startswith("text/plain")
    head = open_checkpoint(response.content, verifier_from_vkey(vkey))
    assert head.size == 600 and head.root_hash == log_of_600.root_hash


def test_tiles_cache_rules_and_bounds(log_of_600) -> None:
    client = Client()
    full = client.get("/ledger/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert "immutable" in full["Cache-Control"] and "max-age=31536000" in full["Cache-Control"]
    partial = client.get("/ledger/tile/0/002.p/88")
    assert partial.status_code == 200 and len(partial.content) == 88 * 32
    assert partial["Cache-Control"] == "public, max-age=60"
    # An older, narrower view of a tile is a prefix of the full one.
    assert client.get("/ledger/tile/0/000.p/10").content == full.content[: 10 * 32]
    bundle = client.get("/ledger/tile/entries/001")
    assert "immutable" in bundle["Cache-Control"]
    assert len(tiles.decode_entry_bundle(bundle.content)) == 256
    level1 = client.get("/ledger/tile/1/000.p/2")
    assert level1.status_code == 200 and len(level1.content) == 64
    for beyond in (
        "/ledger/tile/0/002",  # not full yet
        "/ledger/tile/0/002.p/89",  # wider than the tree
        "/ledger/tile/1/000",
        "/ledger/tile/0/003.p/1",
        "/ledger/tile/entries/002.p/89",
        "/ledger/tile/0/2",  # not canonical
        "/ledger/tile/0/000.p/256",
        "/ledger/tile/99/000",
        "/ledger/tile/../checkpoint",
        "/ledger/tile/0/x001/000",  # non-canonical leading zeros group... well-formed but beyond
    ):
        assert client.get(beyond).status_code == 404, beyond


def test_the_whole_log_verifies_from_its_tiles(log_of_600) -> None:
    checked = tiles.verify_tiles(fetcher(Client()), 600, log_of_600.root_hash, check_entries=True)
    assert checked == 3 + 1 + 3  # level-0 tiles, the level-1 tile, entry bundles


def test_proofs_computed_from_the_tiles_match_the_database(log_of_600) -> None:
    reader = tiles.TileHashReader(fetcher(Client()), 600)
    proof = merkle.consistency_proof(reader, 300, 600)
    old = merkle.tree_root(reader, 300)
    merkle.verify_consistency(300, 600, proof, old, log_of_600.root_hash)
    assert merkle.inclusion_proof(reader, 417, 600) == queries.inclusion_proof(
        queries.sealed_entry(417, log_of_600), log_of_600
    )


def test_downloaded_receipt_verifies_offline_and_fails_on_any_changed_byte(
    log_of_600, tmp_path
) -> None:
    client = Client()
    entry = queries.sealed_entry(417, log_of_600)
    response = client.get(f"/ledger/receipt/{entry.digest}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    receipt = response.content
    data = client.get("/ledger/entries/417/data").content
    vkey = client.get("/ledger/key").content.decode().strip()
    (tmp_path / "r.tlog-proof").write_bytes(receipt)
    (tmp_path / "entry.json").write_bytes(data)
    ok = verify_cli(
        "receipt",
        str(tmp_path / "r.tlog-proof"),
        "--entry",
        str(tmp_path / "entry.json"),
        "--key",
        vkey,
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK receipt valid: entry 417" in ok.stdout

    # One byte changed in the entry, in a proof hash, or in the checkpoint: each fails.
    key = verifier_from_vkey(vkey)
    verify_receipt(receipt, key, entry=data)
    parsed = Receipt.parse(receipt)
    flipped_entry = data.replace(b'"kind":"case.accepted"', b'"kind":"case.acceptee"')
    path = bytearray(parsed.proof[3])
    path[0] ^= 1
    tampered_path = (
        Receipt(
            parsed.index,
            (*parsed.proof[:3], bytes(path), *parsed.proof[4:]),
            parsed.checkpoint,
            parsed.extra,
        )
        .text()
        .encode()
    )
    tampered_checkpoint = receipt.replace(b"\n600\n", b"\n601\n")
    cases = [
        (receipt, flipped_entry),
        (tampered_path, data),
        (tampered_checkpoint, data),
    ]
    for number, (bad_receipt, bad_entry) in enumerate(cases):
        assert bad_receipt != receipt or bad_entry != data
        (tmp_path / f"bad{number}.tlog-proof").write_bytes(bad_receipt)
        (tmp_path / f"bad{number}.json").write_bytes(bad_entry)
        failed = verify_cli(
            "receipt",
            str(tmp_path / f"bad{number}.tlog-proof"),
            "--entry",
            str(tmp_path / f"bad{number}.json"),
            "--key",
            vkey,
        )
        assert failed.returncode == 1, (number, failed.stdout)
        assert "FAIL" in failed.stderr


def test_receipt_endpoint_refuses_garbage_and_unknown_digests(log_of_600) -> None:
    client = Client()
    assert client.get("/ledger/receipt/not-a-digest").status_code == 404
    assert client.get("/ledger/receipt/" + "0" * 64).status_code == 404
    entry = queries.sealed_entry(5, log_of_600)
    assert client.get(f"/ledger/receipt/{entry.digest}?index=abc").status_code == 200
    assert client.get(f"/ledger/receipt/{entry.digest}?index=6").status_code == 404
    assert client.get(f"/ledger/receipt/{entry.digest}?index=²").status_code == 200
    assert client.get("/ledger/entries/600/data").status_code == 404


def test_a_pending_entry_has_no_receipt_yet(log_of_600) -> None:
    [entry] = anchor_many(1, start=600)
    assert Client().get(f"/ledger/receipt/{entry.digest}").status_code == 404
    assert queries.receipt_for(entry) is None


@pytest.mark.django_db(transaction=True)
def test_verifier_checks_the_live_server_log_and_a_kept_checkpoint(
    live_server, settings, witness, tmp_path
) -> None:
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = False
    settings.YIWANG_LEDGER_BATCH_SIZE = 100
    anchor_many(300)
    sequence_pending()
    client = Client()
    old_checkpoint = tmp_path / "old.checkpoint"
    old_checkpoint.write_bytes(client.get("/ledger/checkpoint").content)
    anchor_many(333, start=300)
    sequence_pending()
    vkey = client.get("/ledger/key").content.decode().strip()
    witness_vkey = client.get("/ledger/witness-key").content.decode().strip()
    url = f"{live_server.url}/ledger/"
    result = verify_cli(
        "log",
        "--url-or-dir",
        url,
        "--key",
        vkey,
        "--entries",
        "--from-checkpoint",
        str(old_checkpoint),
        "--witness-key",
        witness_vkey,
        "--witness-quorum",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "OK log valid" in result.stdout and "size 633" in result.stdout
    assert "OK consistent: the old checkpoint (size 300)" in result.stdout
    assert "witness" in result.stdout
    # A key that did not sign this log is refused.
    other = verify_cli("log", "--url-or-dir", url, "--key", witness_vkey)
    assert other.returncode == 1


def test_publish_to_a_directory_incrementally(db, no_task, settings, tmp_path) -> None:
    from django.core.management import call_command

    settings.YIWANG_LEDGER_BATCH_SIZE = 256
    anchor_many(300)
    sequence_pending()
    site = tmp_path / "site"
    call_command("ledger_publish", str(site), stdout=StringIO())
    kept = tmp_path / "kept.checkpoint"
    kept.write_bytes((site / "checkpoint").read_bytes())
    anchor_many(333, start=300)
    sequence_pending()
    out = StringIO()
    call_command("ledger_publish", str(site), stdout=out)
    # 300 -> 633: level-0 tiles 1 (now full) and 2, the level-1 partial tile.
    assert "published size 633: 3 tile(s) written" in out.getvalue()
    vkey = queries.log_vkey()
    result = verify_cli(
        "log",
        "--url-or-dir",
        str(site),
        "--key",
        str(vkey),
        "--entries",
        "--from-checkpoint",
        str(kept),
    )
    assert result.returncode == 0, result.stderr
    assert "size 633" in result.stdout
