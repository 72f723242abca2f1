"""C2SP tlog-proof receipts: build, verify offline, and reject any single changed byte."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from yiwang.ledger.tlog import merkle, note
from yiwang.ledger.tlog.checkpoint import Checkpoint, cosign_checkpoint, sign_checkpoint
from yiwang.ledger.tlog.merkle import MemoryHashStore
from yiwang.ledger.tlog.proof import (
    HEADER,
    Receipt,
    ReceiptError,
    build_receipt,
    verify_receipt,
)

ORIGIN = "ledger.yiwang.example/city"
LOG = note.Ed25519Signer(ORIGIN, bytes(range(32)))
WITNESS = note.CosignatureV1Signer(
    "witness.example/w1", bytes(range(1, 33)), clock=lambda: 1_700_000_000
)
LOG_KEY = note.verifier_from_vkey(LOG.vkey)
WITNESS_KEY = note.verifier_from_vkey(WITNESS.vkey)

ENTRIES = [f'{{"case":"3601{i:04d}","state":"办结"}}'.encode() for i in range(13)]
INDEX = 5
ENTRY = ENTRIES[INDEX]


def make_receipt() -> str:
    store = MemoryHashStore()
    for entry in ENTRIES:
        store.append(entry)
    signed = sign_checkpoint(Checkpoint(ORIGIN, store.size, store.root()), LOG)
    cosigned = cosign_checkpoint(signed, WITNESS)
    proof = merkle.inclusion_proof(store, INDEX, store.size)
    return build_receipt(index=INDEX, proof=proof, checkpoint=cosigned, entry=ENTRY)


RECEIPT = make_receipt()


def strict(data: str | bytes, entry: bytes | None = ENTRY) -> None:
    verify_receipt(data, LOG_KEY, entry=entry, witnesses=[WITNESS_KEY], quorum=1)


def test_receipt_has_the_tlog_proof_layout():
    lines = RECEIPT.split("\n")
    assert lines[0] == HEADER
    assert lines[1] == "extra " + base64.b64encode(merkle.leaf_hash(ENTRY)).decode()
    assert lines[2] == f"index {INDEX}"
    assert len(lines[3:7]) == 4 and lines[7] == ""  # 4 proof hashes for a tree of 13
    assert lines[8:11] == [ORIGIN, "13", lines[10]]
    assert lines[12].startswith("\u2014 " + ORIGIN + " ")
    assert lines[13].startswith("\u2014 witness.example/w1 ")
    assert RECEIPT.endswith("\n")


def test_receipt_verifies_offline():
    result = verify_receipt(RECEIPT, LOG_KEY, entry=ENTRY, witnesses=[WITNESS_KEY], quorum=1)
    assert result.index == INDEX and result.entry_checked
    assert result.checkpoint.size == 13
    assert result.checkpoint.witness_timestamps() == {WITNESS.name: 1_700_000_000}
    without_entry = verify_receipt(RECEIPT.encode(), LOG_KEY)
    assert without_entry.leaf_hash == merkle.leaf_hash(ENTRY)
    assert not without_entry.entry_checked


def test_any_changed_entry_byte_fails():
    for position in range(len(ENTRY)):
        for mask in (0x01, 0x80):
            changed = ENTRY[:position] + bytes([ENTRY[position] ^ mask]) + ENTRY[position + 1 :]
            with pytest.raises(ReceiptError):
                strict(RECEIPT, changed)
    for changed in (ENTRY[:-1], ENTRY + b" ", b"", ENTRIES[INDEX + 1]):
        with pytest.raises(ReceiptError):
            strict(RECEIPT, changed)


def mutations(value: int) -> set[int]:
    return {value ^ 0x01, value ^ 0x20, value ^ 0x80, ord("A"), ord("\n")} - {value}


def test_any_changed_byte_of_index_proof_or_checkpoint_fails():
    data = RECEIPT.encode()
    # Everything but the `extra` line, which tlog-proof leaves unauthenticated: a changed extra
    # either fails (another 32-byte hash, see below) or is opaque data the entry overrides.
    extra_start, extra_end = data.index(b"\nextra ") + 1, data.index(b"\nindex ") + 1
    positions = [*range(extra_start), *range(extra_end, len(data))]
    tried = 0
    for position in positions:
        for replacement in mutations(data[position]):
            changed = data[:position] + bytes([replacement]) + data[position + 1 :]
            with pytest.raises(ReceiptError):
                strict(changed)
            tried += 1
    assert tried > 2000


def test_any_changed_proof_hash_byte_fails():
    receipt = Receipt.parse(RECEIPT)
    for number, value in enumerate(receipt.proof):
        for position in range(32):
            bad = list(receipt.proof)
            bad[number] = value[:position] + bytes([value[position] ^ 0x04]) + value[position + 1 :]
            changed = Receipt(receipt.index, tuple(bad), receipt.checkpoint, receipt.extra)
            with pytest.raises(ReceiptError):
                strict(changed.text())


def test_the_extra_leaf_hash_cannot_vouch_for_another_entry():
    receipt = Receipt.parse(RECEIPT)
    other = Receipt(receipt.index, receipt.proof, receipt.checkpoint, merkle.leaf_hash(b"x"))
    with pytest.raises(ReceiptError, match="does not match"):
        strict(other.text())
    with pytest.raises(ReceiptError, match="inclusion proof"):
        strict(other.text(), entry=None)
    opaque = Receipt(receipt.index, receipt.proof, receipt.checkpoint, b"app data")
    strict(opaque.text())  # spec: extra is opaque; the entry is what gets proven
    with pytest.raises(ReceiptError, match="no leaf hash"):
        strict(opaque.text(), entry=None)


def test_unrequired_witness_lines_are_ignored_as_the_spec_says():
    witness_line = RECEIPT.rstrip("\n").rsplit("\n", 1)[1]
    blob = witness_line.rsplit(" ", 1)[1]
    garbled = base64.b64encode(bytes(len(base64.b64decode(blob)))).decode()
    changed = RECEIPT.replace(blob, garbled)
    verify_receipt(changed, LOG_KEY, entry=ENTRY)  # unknown signature: ignored
    with pytest.raises(ReceiptError, match="witness"):
        strict(changed)


def test_wrong_keys_and_origins_fail():
    other = note.Ed25519Signer(ORIGIN, bytes(range(5, 37)))
    with pytest.raises(ReceiptError, match="no valid signature"):
        verify_receipt(RECEIPT, other.verifier(), entry=ENTRY)
    with pytest.raises(ReceiptError, match="origin"):
        verify_receipt(RECEIPT, LOG_KEY, entry=ENTRY, origin="elsewhere.example")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "c2sp.org/tlog-proof@v2\nindex 0\n\n",
        HEADER + "\n\n",
        HEADER + "\nindex 01\n\n",
        HEADER + "\nindex -1\n\n",
        HEADER + "\nextra !!\nindex 0\n\n",
        HEADER + "\nindex 0\nAAAA\n\n",
        HEADER + "\nindex 0\n" + "\n".join(["A" * 43 + "="] * 65) + "\n\n",
        b"\xff\xfe",
    ],
)
def test_malformed_receipts_are_rejected(text: str | bytes):
    with pytest.raises(ReceiptError):
        verify_receipt(text, LOG_KEY, entry=ENTRY)


def test_build_receipt_refuses_a_wrong_proof():
    receipt = Receipt.parse(RECEIPT)
    with pytest.raises(ReceiptError, match="cannot build"):
        build_receipt(
            index=INDEX + 1, proof=receipt.proof, checkpoint=receipt.checkpoint, entry=ENTRY
        )
    with pytest.raises(ReceiptError):
        build_receipt(index=INDEX, proof=receipt.proof, checkpoint=receipt.checkpoint)
    by_hash = build_receipt(
        index=INDEX,
        proof=receipt.proof,
        checkpoint=receipt.checkpoint,
        leaf=merkle.leaf_hash(ENTRY),
    )
    assert by_hash == RECEIPT


def test_worked_example_in_the_docs_verifies():
    docs = Path(__file__).resolve().parents[3] / "docs" / "ledger-formats.md"
    text = docs.read_text(encoding="utf-8")

    def block(marker: str) -> str:
        after = text.split(f"<!-- {marker} -->\n```\n", 1)[1]
        return after.split("```", 1)[0]

    receipt, entry = block("example-receipt"), block("example-entry").rstrip("\n").encode()
    key = note.verifier_from_vkey(
        "ledger.yiwang.example/city+7e6bc8b4+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
    )
    witness = note.verifier_from_vkey(
        "witness.example/w1+468d99bb+BHm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk"
    )
    assert key.vkey in text and witness.vkey in text
    result = verify_receipt(receipt, key, entry=entry, witnesses=[witness], quorum=1)
    assert result.index == 2 and result.entry_checked
