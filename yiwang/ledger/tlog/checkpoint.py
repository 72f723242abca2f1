"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): a signed note holding a tree head.

Note text: origin line, tree size (decimal, no leading zeroes), base64 root hash, then optional
non-empty extension lines. The log signs it with its Ed25519 note key; witnesses may add
cosignatures (tlog-cosignature v1) or plain Ed25519 signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .encoding import b64decode_strict, b64encode, parse_decimal
from .merkle import HASH_SIZE
from .note import (
    CosignatureV1Verifier,
    Note,
    NoteError,
    NoteSignature,
    Signer,
    Verifier,
    add_signatures,
    open_note,
    parse_note,
    sign_note,
)

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "VerifiedCheckpoint",
    "cosign_checkpoint",
    "open_checkpoint",
    "parse_checkpoint_unverified",
    "sign_checkpoint",
]


class CheckpointError(ValueError):
    """A checkpoint is malformed, unsigned by the expected keys, or for another log."""


@dataclass(frozen=True)
class Checkpoint:
    """The tree head a checkpoint states: origin, size, root hash, extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("checkpoint origin must be one non-empty line")
        if not 0 <= self.size < 1 << 64:
            raise CheckpointError(f"tree size {self.size} is outside 0..2^64-1")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError("checkpoint root hash must be 32 bytes")
        for line in self.extensions:
            if not line or "\n" in line:
                raise CheckpointError("checkpoint extension lines must be non-empty lines")

    def text(self) -> str:
        """The note text (body) of this checkpoint, final newline included."""
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text (no signatures)."""
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint text needs origin, tree size and root hash lines")
        origin, size_line, root_line, *extensions = lines
        try:
            size = parse_decimal(size_line, "tree size")
            root = b64decode_strict(root_line, "root hash")
        except ValueError as exc:
            raise CheckpointError(str(exc)) from exc
        return cls(origin, size, root, tuple(extensions))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature (and witness quorum, if asked) verified."""

    checkpoint: Checkpoint
    note: Note
    log_signature: NoteSignature
    witness_signatures: tuple[NoteSignature, ...]

    @property
    def size(self) -> int:
        """Tree size."""
        return self.checkpoint.size

    @property
    def root_hash(self) -> bytes:
        """Root hash."""
        return self.checkpoint.root_hash

    def witness_timestamps(self) -> dict[str, int]:
        """Cosignature v1 timestamps by witness name (plain signatures carry none)."""
        return {
            s.name: CosignatureV1Verifier.timestamp(s.signature)
            for s in self.witness_signatures
            if len(s.signature) == 72
        }


def sign_checkpoint(checkpoint: Checkpoint, log_signer: Signer, *others: Signer) -> str:
    """Sign a checkpoint with the log key (first) and any further keys."""
    if log_signer.name != checkpoint.origin:
        # tlog-checkpoint: the log's key name SHOULD match the origin; we make it a rule so
        # verifiers can find the log signature by name alone.
        raise CheckpointError("the log's key name must equal the checkpoint origin")
    return sign_note(checkpoint.text(), [log_signer, *others])


def cosign_checkpoint(signed: str, *cosigners: Signer) -> str:
    """Add witness signatures to a signed checkpoint (after checking its consistency!)."""
    text, _ = parse_note(signed)
    Checkpoint.from_text(text)
    return add_signatures(signed, cosigners)


def parse_checkpoint_unverified(signed: str | bytes) -> Checkpoint:
    """The checkpoint in a signed note, with NO signature checked (for self-checks only)."""
    try:
        text, _ = parse_note(signed)
    except NoteError as exc:
        raise CheckpointError(str(exc)) from exc
    return Checkpoint.from_text(text)


def open_checkpoint(
    signed: str | bytes,
    log_key: Verifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[Verifier] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint: log signature, origin, and `quorum` distinct witnesses.

    `origin` defaults to the log key's name. Signatures by keys not passed in are ignored.
    """
    if quorum > len(witnesses):
        raise CheckpointError(f"quorum {quorum} exceeds the {len(witnesses)} witness keys given")
    try:
        note = open_note(signed, [log_key, *witnesses])
    except NoteError as exc:
        raise CheckpointError(str(exc)) from exc
    log_signature = note.signed_by(log_key)
    if log_signature is None:
        raise CheckpointError(f"checkpoint is not signed by the log key {log_key.name}")
    checkpoint = Checkpoint.from_text(note.text)
    expected = log_key.name if origin is None else origin
    if checkpoint.origin != expected:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {expected!r}")
    witnessed = tuple(
        signature
        for witness in witnesses
        if (signature := note.signed_by(witness)) is not None and signature != log_signature
    )
    if len({(s.name, s.key_id) for s in witnessed}) < quorum:
        raise CheckpointError(
            f"checkpoint has {len(witnessed)} valid witness signatures, {quorum} required"
        )
    return VerifiedCheckpoint(checkpoint, note, log_signature, witnessed)
