"""The log's signing key (stored encrypted) and the optional witness key (from settings)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.crypto import decrypt_text
from yiwang.ledger.models import SigningKey
from yiwang.ledger.tlog.note import (
    CosignatureV1Signer,
    Ed25519Signer,
    NoteError,
    Verifier,
    is_valid_key_name,
    signer_from_skey,
    verifier_from_vkey,
)


def key_context(name: str) -> str:
    """Encryption context: binds a ciphertext to its key's name, so rows cannot be swapped."""
    return f"ledger.signing_key:{name}"


def log_origin() -> str:
    """The origin line of this city's log (also the log key's name)."""
    origin: str = settings.YIWANG_LEDGER_ORIGIN
    if not is_valid_key_name(origin):
        raise ImproperlyConfigured(
            f"YIWANG_LEDGER_ORIGIN {origin!r} is not a valid note key name "
            "(non-empty, no spaces or '+')"
        )
    return origin


def log_key_row() -> SigningKey | None:
    """The stored key of the configured origin, if it has been created."""
    return SigningKey.objects.filter(name=log_origin()).first()


def log_signer(row: SigningKey) -> Ed25519Signer:
    """Decrypt a stored key; refuses a row whose private and public halves disagree."""
    signer = signer_from_skey(decrypt_text(row.skey_encrypted, context=key_context(row.name)))
    if not isinstance(signer, Ed25519Signer) or signer.name != row.name or signer.vkey != row.vkey:
        raise ImproperlyConfigured(f"stored ledger key {row.name!r} does not match its vkey")
    return signer


def log_verifier(row: SigningKey) -> Verifier:
    """The published half of a stored key."""
    return verifier_from_vkey(row.vkey)


@lru_cache(maxsize=4)
def _parse_witness(skey: str) -> Ed25519Signer | CosignatureV1Signer:
    try:
        return signer_from_skey(skey)
    except NoteError as exc:
        raise ImproperlyConfigured(f"YIWANG_LEDGER_WITNESS_KEY is not a signer key: {exc}") from exc


def witness_signer() -> Ed25519Signer | CosignatureV1Signer | None:
    """The configured witness, or None; its name must not be the log's own."""
    skey: str = settings.YIWANG_LEDGER_WITNESS_KEY
    if not skey:
        return None
    signer = _parse_witness(skey)
    if signer.name == log_origin():
        raise ImproperlyConfigured("the witness key must have a name other than the log origin")
    return signer


def witness_vkey() -> str | None:
    """The witness's verifier key text, for publication beside the log key."""
    signer = witness_signer()
    return signer.vkey if signer is not None else None
