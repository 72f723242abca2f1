"""C2SP tlog-proof (c2sp.org/tlog-proof@v1): offline-verifiable ledger receipts.

    c2sp.org/tlog-proof@v1
    extra <base64 leaf hash>        (Yiwang: the 32-byte RFC 9162 leaf hash of the entry)
    index <decimal>
    <base64 inclusion proof hash>   (zero or more, leaf's sibling first)

    <signed checkpoint, verbatim>

The `extra` line is unauthenticated by design; Yiwang puts the entry's leaf hash there so a
receipt can be checked without the entry (proving "this leaf hash is in the log"). When the
entry is supplied, its own leaf hash is what gets proven, so a forged `extra` cannot help.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .checkpoint import (
    CheckpointError,
    VerifiedCheckpoint,
    open_checkpoint,
    parse_checkpoint_unverified,
)
from .encoding import b64decode_strict, b64encode, parse_decimal
from .merkle import HASH_SIZE, ProofError, leaf_hash, verify_inclusion
from .note import Verifier

__all__ = [
    "HEADER",
    "Receipt",
    "ReceiptError",
    "VerifiedReceipt",
    "build_receipt",
    "verify_receipt",
]

HEADER = "c2sp.org/tlog-proof@v1"
# A uint64 tree has at most 64 levels, so a longer proof is garbage whatever else it holds.
_MAX_PROOF_LINES = 64


class ReceiptError(ValueError):
    """A receipt is malformed or does not prove what it claims."""


@dataclass(frozen=True)
class Receipt:
    """The parts of a tlog-proof receipt; `checkpoint` is the signed note text, verbatim."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        """The receipt in tlog-proof@v1 text form."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def parse(cls, data: str | bytes) -> Receipt:
        """Parse receipt text; checks structure only, not signatures or proof."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReceiptError("receipt is not valid UTF-8") from exc
        head, blank, checkpoint = data.partition("\n\n")
        if not blank:
            raise ReceiptError("receipt has no blank line before the checkpoint")
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise ReceiptError(f"receipt does not start with {HEADER}")
        position = 1
        extra = None
        try:
            if position < len(lines) and lines[position].startswith("extra "):
                extra = b64decode_strict(lines[position][len("extra ") :], "extra data")
                position += 1
            if position >= len(lines) or not lines[position].startswith("index "):
                raise ReceiptError("receipt has no index line")
            index = parse_decimal(lines[position][len("index ") :], "index")
            hash_lines = lines[position + 1 :]
            if len(hash_lines) > _MAX_PROOF_LINES:
                raise ReceiptError("receipt has more proof hashes than any tree needs")
            proof = []
            for number, line in enumerate(hash_lines):
                value = b64decode_strict(line, f"proof hash #{number}")
                if len(value) != HASH_SIZE:
                    raise ReceiptError(f"proof hash #{number} is not 32 bytes")
                proof.append(value)
        except ReceiptError:
            raise
        except ValueError as exc:
            raise ReceiptError(str(exc)) from exc
        return cls(index, tuple(proof), checkpoint, extra)


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a verified receipt proves."""

    index: int
    leaf_hash: bytes
    entry_checked: bool
    checkpoint: VerifiedCheckpoint


def build_receipt(
    *,
    index: int,
    proof: Sequence[bytes],
    checkpoint: str,
    entry: bytes | None = None,
    leaf: bytes | None = None,
) -> str:
    """A receipt for the entry (or leaf hash) at `index`, checked against the checkpoint root.

    The checkpoint's signatures are not checked here (the caller just signed it), but the
    inclusion proof is, so a wrong proof fails now rather than in a citizen's hands.
    """
    if (entry is None) == (leaf is None):
        raise ReceiptError("give exactly one of entry or leaf hash")
    value = leaf_hash(entry) if entry is not None else leaf
    if value is None or len(value) != HASH_SIZE:
        raise ReceiptError("leaf hash must be 32 bytes")
    try:
        head = parse_checkpoint_unverified(checkpoint)
        verify_inclusion(value, index, head.size, proof, head.root_hash)
    except (CheckpointError, ProofError) as exc:
        raise ReceiptError(f"cannot build receipt: {exc}") from exc
    return Receipt(index, tuple(proof), checkpoint, extra=value).text()


def verify_receipt(
    data: str | bytes,
    log_key: Verifier,
    *,
    entry: bytes | None = None,
    origin: str | None = None,
    witnesses: Sequence[Verifier] = (),
    quorum: int = 0,
) -> VerifiedReceipt:
    """Verify a receipt offline: checkpoint signature(s), inclusion proof, and the entry.

    Without `entry`, the receipt's `extra` leaf hash is what gets proven (entry_checked False).
    """
    receipt = Receipt.parse(data)
    try:
        checkpoint = open_checkpoint(
            receipt.checkpoint, log_key, origin=origin, witnesses=witnesses, quorum=quorum
        )
    except CheckpointError as exc:
        raise ReceiptError(f"checkpoint: {exc}") from exc
    if entry is not None:
        value = leaf_hash(entry)
        if receipt.extra is not None and len(receipt.extra) == HASH_SIZE and receipt.extra != value:
            raise ReceiptError("the entry does not match the leaf hash in the receipt")
    elif receipt.extra is not None and len(receipt.extra) == HASH_SIZE:
        value = receipt.extra
    else:
        raise ReceiptError("receipt carries no leaf hash; the entry is needed to verify it")
    try:
        verify_inclusion(value, receipt.index, checkpoint.size, receipt.proof, checkpoint.root_hash)
    except ProofError as exc:
        raise ReceiptError(f"inclusion proof: {exc}") from exc
    return VerifiedReceipt(receipt.index, value, entry is not None, checkpoint)
