"""Protecting identity numbers at rest: AES-GCM encryption plus a keyed lookup hash.

A database dump shows neither the number nor an unkeyed hash of it (an 18-digit ID has too
little entropy for a plain hash to hide it). Ciphertexts carry their key id, so old rows stay
readable after the current key changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key(key_id: str) -> bytes:
    try:
        raw = settings.YIWANG_FIELD_KEYS[key_id]
    except KeyError as exc:
        raise ImproperlyConfigured(f"field encryption key {key_id!r} is not configured") from exc
    key = base64.urlsafe_b64decode(raw)
    if len(key) != 32:
        raise ImproperlyConfigured(f"field encryption key {key_id!r} must be 32 bytes")
    return key


def encrypt_text(plain: str, *, context: str) -> str:
    """Encrypt `plain`; `context` (e.g. 'person.id_number') binds the ciphertext to its use."""
    key_id = settings.YIWANG_FIELD_KEY_CURRENT
    nonce = os.urandom(12)
    sealed = AESGCM(_key(key_id)).encrypt(nonce, plain.encode("utf-8"), context.encode())
    return f"{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt_text(token: str, *, context: str) -> str:
    """Decrypt a value written by encrypt_text."""
    key_id, _, body = token.partition(":")
    blob = base64.urlsafe_b64decode(body)
    return AESGCM(_key(key_id)).decrypt(blob[:12], blob[12:], context.encode()).decode("utf-8")


def lookup_hash(value: str, *, context: str) -> str:
    """A keyed hash (HMAC-SHA256) to find a record by its number without decrypting."""
    key = settings.YIWANG_LOOKUP_KEY.encode()
    if not key:
        raise ImproperlyConfigured("YIWANG_LOOKUP_KEY is not configured")
    return hmac.new(key, f"{context}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_number(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """Show only the ends of a number: 360102199001011234 -> 3601**********1234."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
