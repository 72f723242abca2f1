"""Multibase strings and Ed25519 Multikeys, as Data Integrity proofs and did:key spell them.

Only the two encodings the W3C specifications use here are supported: base58btc (prefix `z`,
signatures and keys) and base64url without padding (prefix `u`, Bitstring Status Lists).
"""

from __future__ import annotations

import base64
import binascii

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

# Multicodec varints: ed25519-pub (0xed) and ed25519-priv (0x1300).
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


class MultibaseError(ValueError):
    """A multibase or multikey string that cannot be decoded."""


def encode_base58btc(data: bytes) -> str:
    """Encode bytes as multibase base58btc (`z...`)."""
    return "z" + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Decode a multibase base58btc string (`z...`)."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise MultibaseError("expected a multibase base58btc string starting with 'z'")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise MultibaseError(f"invalid base58btc: {exc}") from exc


def encode_base64url(data: bytes) -> str:
    """Encode bytes as multibase base64url without padding (`u...`)."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(value: str) -> bytes:
    """Decode a multibase base64url string (`u...`); padding is optional."""
    if not isinstance(value, str) or not value.startswith("u"):
        raise MultibaseError("expected a multibase base64url string starting with 'u'")
    body = value[1:]
    # Standard base64 characters would decode silently to other bytes; refuse them.
    if any(c in body for c in "+/"):
        raise MultibaseError("base64url must not contain '+' or '/'")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MultibaseError(f"invalid base64url: {exc}") from exc


def public_key_to_multikey(key: Ed25519PublicKey) -> str:
    """Encode an Ed25519 public key as a Multikey (`z6Mk...`)."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(ED25519_PUB_PREFIX + raw)


def multikey_to_public_key(value: str) -> Ed25519PublicKey:
    """Decode a `z6Mk...` Multikey into an Ed25519 public key."""
    data = decode_base58btc(value)
    if not data.startswith(ED25519_PUB_PREFIX) or len(data) != 34:
        raise MultibaseError("not an Ed25519 public Multikey (0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_key_to_multikey(key: Ed25519PrivateKey) -> str:
    """Encode an Ed25519 private key (its 32-byte seed) as a secret Multikey (`z3u2...`)."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_base58btc(ED25519_PRIV_PREFIX + raw)


def multikey_to_private_key(value: str) -> Ed25519PrivateKey:
    """Decode a `z3u2...` secret Multikey into an Ed25519 private key."""
    data = decode_base58btc(value)
    if not data.startswith(ED25519_PRIV_PREFIX) or len(data) != 34:
        raise MultibaseError("not an Ed25519 secret Multikey (0x8026 + 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(data[2:])
