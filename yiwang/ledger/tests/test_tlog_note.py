"""C2SP signed notes, tlog-cosignature v1 and tlog-checkpoint."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from yiwang.ledger.tlog import note
from yiwang.ledger.tlog.checkpoint import (
    Checkpoint,
    CheckpointError,
    cosign_checkpoint,
    open_checkpoint,
    sign_checkpoint,
)
from yiwang.ledger.tlog.note import NoteError

# The example key pair and note of golang.org/x/mod/sumdb/note (the reference implementation).
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE_LINE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "ledger.yiwang.example/city"
LOG = note.Ed25519Signer(ORIGIN, bytes(range(32)))
WITNESS = note.CosignatureV1Signer("witness.example/w1", bytes(range(1, 33)), clock=lambda: 1e9)
OTHER_WITNESS = note.Ed25519Signer("witness.example/w2", bytes(range(2, 34)))
ROOT = hashlib.sha256(b"root").digest()


def test_go_reference_vector_round_trips_byte_for_byte():
    signer = note.signer_from_skey(GO_SKEY)
    assert signer.vkey == GO_VKEY
    assert signer.skey == GO_SKEY
    signed = note.sign_note(GO_TEXT, [signer])
    assert signed == GO_TEXT + "\n" + GO_SIGNATURE_LINE
    opened = note.open_note(signed, [note.verifier_from_vkey(GO_VKEY)])
    assert opened.text == GO_TEXT
    assert [s.name for s in opened.signatures] == ["PeterNeumann"]


def test_key_id_is_truncated_sha256_of_name_type_and_key():
    verifier = note.verifier_from_vkey(GO_VKEY)
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()
    assert verifier.key_id == int.from_bytes(digest[:4], "big") == 0xC74F20A3


def test_mangled_verifier_keys_are_refused():
    # As in Go's note tests: cutting any substring out of a vkey must not yield a valid key.
    for i in range(len(GO_VKEY)):
        for j in range(i + 1, len(GO_VKEY) + 1):
            with pytest.raises(NoteError):
                note.verifier_from_vkey(GO_VKEY[:i] + GO_VKEY[j:])
    name, key_id, material = GO_VKEY.split("+", 2)
    for bad in (
        f"{name}+{int(key_id, 16) ^ 1:08x}+{material}",  # key ID does not match
        f"{name}+{key_id.upper()}+{material}",
        f"Peter Neumann+{key_id}+{material}",
        f"{name}+{key_id}+" + base64.b64encode(b"\x09" + bytes(32)).decode(),  # unknown type
    ):
        with pytest.raises(NoteError):
            note.verifier_from_vkey(bad)


def test_generated_keys_work_and_repr_hides_secrets():
    skey, vkey = note.generate_signer_key("yiwang.example/log")
    signer = note.signer_from_skey(skey)
    assert signer.vkey == vkey
    assert skey not in repr(signer)
    signed = note.sign_note("hello\n", [signer])
    assert note.open_note(signed, [note.verifier_from_vkey(vkey)]).text == "hello\n"
    cosigner_skey, cosigner_vkey = note.generate_signer_key("w.example/1", cosigner=True)
    assert isinstance(note.verifier_from_vkey(cosigner_vkey), note.CosignatureV1Verifier)
    assert isinstance(note.signer_from_skey(cosigner_skey), note.CosignatureV1Signer)
    assert len(note.generate_private_key()) == 32


def test_unknown_signatures_are_ignored_known_bad_ones_reject():
    text = "text\n"
    stranger = note.Ed25519Signer("stranger.example", bytes(32))
    signed = note.sign_note(text, [stranger, LOG])
    opened = note.open_note(signed, [LOG.verifier()])
    assert [s.name for s in opened.signatures] == [ORIGIN]
    assert [s.name for s in opened.unverified] == ["stranger.example"]

    # Same name, other key: a different key ID, so ignored -> no trusted signature at all.
    impostor = note.Ed25519Signer(ORIGIN, bytes(range(3, 35)))
    with pytest.raises(NoteError, match="no valid signature"):
        note.open_note(note.sign_note(text, [impostor]), [LOG.verifier()])

    # A known key whose signature does not verify rejects the whole note.
    forged = note.sign_note("other\n", [LOG]).replace("other\n", text, 1)
    with pytest.raises(NoteError, match="invalid"):
        note.open_note(
            note.add_signatures(forged, [stranger]), [LOG.verifier(), stranger.verifier()]
        )


@pytest.mark.parametrize(
    "signed",
    [
        "no blank line\n\u2014 x AAAAAAA=\n",
        "text\n\n",
        "text\n\n\u2014 " + ORIGIN + " AAAAAAA=",  # no final newline
        "text\n\n- " + ORIGIN + " AAAAAAA=\n",  # hyphen, not em dash
        "text\n\n\u2014 " + ORIGIN + "AAAAAAA=\n",  # no space after name
        "text\n\n\u2014 " + ORIGIN + " AAAA\n",  # shorter than key ID + 1 byte
        "text\n\n\u2014 " + ORIGIN + " AAAAAAA\n",  # missing padding
        "te\txt\n\n\u2014 " + ORIGIN + " AAAAAAA=\n",  # control character
        "text\n\n\u2014 a+b AAAAAAA=\n",  # '+' in key name
    ],
)
def test_malformed_notes_are_rejected(signed: str):
    with pytest.raises(NoteError):
        note.open_note(signed, [LOG.verifier()])


def test_invalid_utf8_and_signature_limit():
    with pytest.raises(NoteError, match="UTF-8"):
        note.open_note(b"\xff\n\n\xe2\x80\x94 x AAAAAAA=\n", [LOG.verifier()])
    signed = note.sign_note("text\n", [LOG])
    filler = "".join(
        note.NoteSignature(f"s{i}.example", i, b"x").line() for i in range(note.MAX_SIGNATURES)
    )
    with pytest.raises(NoteError, match="more than"):
        note.open_note(signed + filler, [LOG.verifier()])
    sixteen = "".join(note.NoteSignature(f"s{i}.example", i, b"x").line() for i in range(15))
    assert note.open_note(signed + sixteen, [LOG.verifier()]).text == "text\n"


def test_cosignature_v1_signs_the_specified_message():
    text = f"{ORIGIN}\n5\n{base64.b64encode(ROOT).decode()}\n"
    signed = note.sign_note(text, [LOG, WITNESS])
    opened = note.open_note(signed, [LOG.verifier(), WITNESS.verifier()])
    cosignature = opened.signed_by(WITNESS.verifier())
    assert cosignature is not None
    assert cosignature.key_id == note.key_id(WITNESS.name, 0x04, WITNESS.public_key)
    assert len(cosignature.signature) == 8 + 64
    assert int.from_bytes(cosignature.signature[:8], "big") == 1_000_000_000
    message = b"cosignature/v1\ntime 1000000000\n" + text.encode()
    Ed25519PublicKey.from_public_bytes(WITNESS.public_key).verify(
        cosignature.signature[8:], message
    )
    # The same key as a plain (type 0x01) key has a different key ID, so it is not confused.
    plain = note.Ed25519Verifier(WITNESS.name, WITNESS.public_key)
    assert plain.key_id != WITNESS.key_id


def make_checkpoint(size: int = 5) -> Checkpoint:
    return Checkpoint(ORIGIN, size, ROOT)


def test_checkpoint_text_round_trips():
    checkpoint = Checkpoint(ORIGIN, 20852163, ROOT, ("ext one",))
    text = checkpoint.text()
    assert text == f"{ORIGIN}\n20852163\n{base64.b64encode(ROOT).decode()}\next one\n"
    assert Checkpoint.from_text(text) == checkpoint


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n5\n",
        f"{ORIGIN}\n05\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n-5\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n 5\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n18446744073709551616\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n5\n{base64.b64encode(ROOT).decode()}\n\n",
        f"\n5\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n5\n{base64.b64encode(ROOT).decode()}",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str):
    with pytest.raises(CheckpointError):
        Checkpoint.from_text(text)


def test_non_canonical_base64_root_is_rejected():
    encoded = base64.b64encode(ROOT).decode()
    # The last character before '=' carries 2 unused bits; setting one keeps the same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = encoded[:42] + alphabet[alphabet.index(encoded[42]) ^ 1] + "="
    assert base64.b64decode(twin) == ROOT
    with pytest.raises(CheckpointError, match="canonical"):
        Checkpoint.from_text(f"{ORIGIN}\n5\n{twin}\n")


def test_open_checkpoint_with_witness_quorum():
    signed = sign_checkpoint(make_checkpoint(), LOG)
    cosigned = cosign_checkpoint(signed, WITNESS, OTHER_WITNESS)
    log_key = note.verifier_from_vkey(LOG.vkey)
    witnesses = [WITNESS.verifier(), OTHER_WITNESS.verifier()]

    verified = open_checkpoint(cosigned, log_key, witnesses=witnesses, quorum=2)
    assert verified.size == 5 and verified.root_hash == ROOT
    assert verified.witness_timestamps() == {WITNESS.name: 1_000_000_000}
    assert open_checkpoint(cosigned, log_key).checkpoint == make_checkpoint()

    with pytest.raises(CheckpointError, match="1 valid witness"):
        open_checkpoint(cosign_checkpoint(signed, WITNESS), log_key, witnesses=witnesses, quorum=2)
    with pytest.raises(CheckpointError, match="not signed by the log"):
        open_checkpoint(
            sign_note_by(WITNESS, make_checkpoint()), log_key, witnesses=witnesses, quorum=1
        )
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(signed, log_key, origin="another.example/log")
    with pytest.raises(CheckpointError, match="quorum"):
        open_checkpoint(signed, log_key, quorum=1)


def sign_note_by(signer: note.Signer, checkpoint: Checkpoint) -> str:
    return note.sign_note(checkpoint.text(), [signer])


def test_log_key_name_must_be_the_origin():
    with pytest.raises(CheckpointError):
        sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), LOG)
