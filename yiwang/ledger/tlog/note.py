"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys and tlog-cosignature v1 witnesses.

A signed note is UTF-8 text ending in a newline, a blank line, then one or more lines
``— <key name> <base64(4-byte key ID || signature)>``. Verification follows the spec: signatures
from unknown keys (name *and* key ID) are ignored, a signature from a known key that fails
rejects the whole note, and a note without any verified signature is rejected.

Keys travel as text:

- verifier key (vkey): ``<name>+<8 hex key ID>+<base64(type byte || 32-byte public key)>``;
- signer key (skey): ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type byte || 32-byte seed)>``,
  the form of golang.org/x/mod/sumdb/note, so Go tools can share Yiwang's keys.

Type 0x01 is a plain Ed25519 note signature over the note text. Type 0x04 is a C2SP
tlog-cosignature ``cosignature/v1``: the signature is a big-endian uint64 POSIX timestamp
followed by an Ed25519 signature over ``"cosignature/v1\\ntime <t>\\n" || note text``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .encoding import b64decode_strict, b64encode

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "CosignatureV1Signer",
    "CosignatureV1Verifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Note",
    "NoteError",
    "NoteSignature",
    "Signer",
    "Verifier",
    "add_signatures",
    "generate_private_key",
    "generate_signer_key",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
    "signer_from_skey",
    "verifier_from_vkey",
]

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
# The spec requires accepting at least 16 signatures and asks for a limit; Go's note package
# uses 100, which leaves room for many witnesses while bounding the work per note.
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
SKEY_PREFIX = "PRIVATE+KEY+"
_MAX_TIMESTAMP = (1 << 63) - 1


class NoteError(ValueError):
    """A signed note is malformed, or its signatures do not verify against the trusted keys."""


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty, with no Unicode space, no '+' and no control character."""
    return bool(name) and not any(ch.isspace() or ch == "+" or ch < " " for ch in name)


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """Signed-note key ID: the first 4 bytes of SHA-256(name || 0x0A || alg || public key)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _cosigned_message(timestamp: int, text: bytes) -> bytes:
    return b"cosignature/v1\ntime " + str(timestamp).encode("ascii") + b"\n" + text


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}")


class Verifier(Protocol):
    """Something that checks one key's signatures on note text."""

    @property
    def name(self) -> str:
        """Key name as written in signature lines."""
        ...

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True if `signature` (key ID stripped) is valid for the note text."""
        ...


class Signer(Protocol):
    """Something that signs note text with one key."""

    @property
    def name(self) -> str:
        """Key name as written in signature lines."""
        ...

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        ...

    def sign(self, text: bytes) -> bytes:
        """Signature bytes (without the key ID) over the note text."""
        ...


class _Ed25519Key:
    """Shared parts of the verifier types: a named Ed25519 public key and its key ID."""

    alg = ALG_ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        if len(public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")
        self._name = name
        self._public_bytes = public_key
        self._public_key = Ed25519PublicKey.from_public_bytes(public_key)
        self._key_id = key_id(name, self.alg, public_key)

    @property
    def name(self) -> str:
        """Key name."""
        return self._name

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte Ed25519 public key."""
        return self._public_bytes

    @property
    def vkey(self) -> str:
        """The verifier key string ``name+hexid+base64(type||key)``."""
        material = b64encode(bytes([self.alg]) + self._public_bytes)
        return f"{self._name}+{self._key_id:08x}+{material}"

    def _check(self, message: bytes, signature: bytes) -> bool:
        try:
            self._public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"


class Ed25519Verifier(_Ed25519Key):
    """Verifies plain Ed25519 note signatures (type 0x01)."""

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True if the 64-byte signature is valid over the note text."""
        return len(signature) == 64 and self._check(text, signature)


class CosignatureV1Verifier(_Ed25519Key):
    """Verifies C2SP tlog-cosignature v1 signatures (type 0x04, timestamped)."""

    alg = ALG_COSIGNATURE_V1

    @staticmethod
    def timestamp(signature: bytes) -> int:
        """POSIX timestamp carried in a cosignature."""
        return int.from_bytes(signature[:8], "big")

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True if the timestamped signature is valid over ``cosignature/v1`` || text."""
        if len(signature) != 8 + 64:
            return False
        timestamp = self.timestamp(signature)
        if timestamp > _MAX_TIMESTAMP:
            return False
        return self._check(_cosigned_message(timestamp, text), signature[8:])


class _Ed25519SignerBase:
    alg = ALG_ED25519
    verifier_class: type[Ed25519Verifier] | type[CosignatureV1Verifier] = Ed25519Verifier

    def __init__(self, name: str, private_key: bytes) -> None:
        _check_name(name)
        if len(private_key) != 32:
            raise NoteError("an Ed25519 private key (seed) is 32 bytes")
        self._name = name
        self._seed = private_key
        self._private_key = Ed25519PrivateKey.from_private_bytes(private_key)
        self._public_bytes = self._private_key.public_key().public_bytes_raw()
        self._key_id = key_id(name, self.alg, self._public_bytes)

    @property
    def name(self) -> str:
        """Key name."""
        return self._name

    @property
    def key_id(self) -> int:
        """32-bit key ID."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte Ed25519 public key."""
        return self._public_bytes

    @property
    def skey(self) -> str:
        """The signer key string ``PRIVATE+KEY+name+hexid+base64(type||seed)``; keep secret."""
        material = b64encode(bytes([self.alg]) + self._seed)
        return f"{SKEY_PREFIX}{self._name}+{self._key_id:08x}+{material}"

    @property
    def vkey(self) -> str:
        """The matching verifier key string."""
        return self.verifier().vkey

    def verifier(self) -> Ed25519Verifier | CosignatureV1Verifier:
        """A verifier for this signer's signatures."""
        return self.verifier_class(self._name, self._public_bytes)

    def __repr__(self) -> str:
        # Never print the seed.
        return f"{type(self).__name__}({self.vkey!r})"


class Ed25519Signer(_Ed25519SignerBase):
    """Signs note text with Ed25519 (type 0x01); the log's own checkpoint signature."""

    def sign(self, text: bytes) -> bytes:
        """64-byte Ed25519 signature over the note text."""
        return self._private_key.sign(text)


class CosignatureV1Signer(_Ed25519SignerBase):
    """Signs as a tlog-cosignature v1 witness (type 0x04), stamping the current time."""

    alg = ALG_COSIGNATURE_V1
    verifier_class = CosignatureV1Verifier

    def __init__(
        self, name: str, private_key: bytes, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(name, private_key)
        self._clock = clock

    def sign(self, text: bytes) -> bytes:
        """uint64 timestamp || Ed25519 signature over the cosigned message."""
        timestamp = int(self._clock())
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise NoteError(f"cosignature timestamp {timestamp} is out of range")
        signature = self._private_key.sign(_cosigned_message(timestamp, text))
        return timestamp.to_bytes(8, "big") + signature


def generate_private_key() -> bytes:
    """A fresh random 32-byte Ed25519 private key (seed)."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def generate_signer_key(name: str, *, cosigner: bool = False) -> tuple[str, str]:
    """A new key pair as (skey, vkey) strings; `cosigner` makes a tlog-cosignature v1 key."""
    seed = generate_private_key()
    signer: _Ed25519SignerBase = (
        CosignatureV1Signer(name, seed) if cosigner else Ed25519Signer(name, seed)
    )
    return signer.skey, signer.vkey


def _split_key(text: str, what: str) -> tuple[str, int, int, bytes]:
    parts = text.split("+", 2)  # base64 key material may itself contain "+"
    if len(parts) != 3:
        raise NoteError(f"{what} must have the form name+keyid+key")
    name, hex_id, material = parts
    _check_name(name)
    if len(hex_id) != 8 or any(ch not in "0123456789abcdef" for ch in hex_id):
        raise NoteError(f"{what} key ID must be 8 lowercase hex digits")
    try:
        raw = b64decode_strict(material, f"{what} key material")
    except ValueError as exc:
        raise NoteError(str(exc)) from exc
    if len(raw) != 33:
        raise NoteError(f"{what} key material must be a type byte and 32 key bytes")
    return name, int(hex_id, 16), raw[0], raw[1:]


def verifier_from_vkey(vkey: str) -> Ed25519Verifier | CosignatureV1Verifier:
    """Parse a verifier key string; the key ID must match the name and key."""
    name, stated_id, alg, public_key = _split_key(vkey.strip(), "verifier key")
    verifier: Ed25519Verifier | CosignatureV1Verifier
    if alg == ALG_ED25519:
        verifier = Ed25519Verifier(name, public_key)
    elif alg == ALG_COSIGNATURE_V1:
        verifier = CosignatureV1Verifier(name, public_key)
    else:
        raise NoteError(f"unsupported signature type 0x{alg:02x} in verifier key")
    if verifier.key_id != stated_id:
        raise NoteError("verifier key ID does not match its name and public key")
    return verifier


def signer_from_skey(
    skey: str, clock: Callable[[], float] = time.time
) -> Ed25519Signer | CosignatureV1Signer:
    """Parse a signer key string (``PRIVATE+KEY+...``); the key ID must match."""
    skey = skey.strip()
    if not skey.startswith(SKEY_PREFIX):
        raise NoteError("signer key must start with PRIVATE+KEY+")
    name, stated_id, alg, seed = _split_key(skey[len(SKEY_PREFIX) :], "signer key")
    signer: Ed25519Signer | CosignatureV1Signer
    if alg == ALG_ED25519:
        signer = Ed25519Signer(name, seed)
    elif alg == ALG_COSIGNATURE_V1:
        signer = CosignatureV1Signer(name, seed, clock)
    else:
        raise NoteError(f"unsupported signature type 0x{alg:02x} in signer key")
    if signer.key_id != stated_id:
        raise NoteError("signer key ID does not match its name and public key")
    return signer


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """The signature line, newline included."""
        blob = b64encode(self.key_id.to_bytes(4, "big") + self.signature)
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """A note whose text was verified by at least one trusted key."""

    text: str
    signatures: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...] = field(default=())

    def signed_by(self, verifier: Verifier) -> NoteSignature | None:
        """The verified signature of this key, if any."""
        for signature in self.signatures:
            if signature.name == verifier.name and signature.key_id == verifier.key_id:
                return signature
        return None


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ch < " " and ch != "\n" for ch in text):
        raise NoteError("note text must not contain control characters other than newline")


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign note text with one or more keys; returns the signed note."""
    _check_text(text)
    if not signers:
        raise NoteError("a signed note needs at least one signer")
    data = text.encode("utf-8")
    lines = [NoteSignature(s.name, s.key_id, s.sign(data)).line() for s in signers]
    return text + "\n" + "".join(lines)


def parse_note(data: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into text and signature lines, WITHOUT verifying anything."""
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    else:
        raw = data
    try:
        message = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    if any(ch < " " and ch != "\n" for ch in message):
        raise NoteError("note must not contain control characters other than newline")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note must end with newline-terminated signature lines")
    signatures: list[NoteSignature] = []
    for line in block[:-1].split("\n"):
        if len(signatures) >= MAX_SIGNATURES:
            raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("signature line does not start with an em dash and a space")
        name, space, blob = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not space or not is_valid_key_name(name):
            raise NoteError(f"malformed signature line for key name {name!r}")
        try:
            raw_signature = b64decode_strict(blob, f"signature by {name}")
        except ValueError as exc:
            raise NoteError(str(exc)) from exc
        if len(raw_signature) < 5:
            raise NoteError(f"signature by {name} is too short")
        signatures.append(
            NoteSignature(name, int.from_bytes(raw_signature[:4], "big"), raw_signature[4:])
        )
    return text, signatures


def open_note(data: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse and verify a signed note against trusted keys (see module docstring for rules)."""
    known = {(v.name, v.key_id): v for v in verifiers}
    text, signatures = parse_note(data)
    text_bytes = text.encode("utf-8")
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for signature in signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            unverified.append(signature)
            continue
        if not verifier.verify(text_bytes, signature.signature):
            raise NoteError(f"signature by {signature.name} ({signature.key_id:08x}) is invalid")
        if signature not in verified:
            verified.append(signature)
    if not verified:
        raise NoteError("note has no valid signature from a trusted key")
    return Note(text, tuple(verified), tuple(unverified))


def add_signatures(signed: str, signers: Sequence[Signer]) -> str:
    """Append signatures (e.g. a witness cosignature) to an already signed note."""
    text, existing = parse_note(signed)
    data = text.encode("utf-8")
    lines = [s.line() for s in existing]
    lines += [NoteSignature(s.name, s.key_id, s.sign(data)).line() for s in signers]
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note would have more than {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(lines)
