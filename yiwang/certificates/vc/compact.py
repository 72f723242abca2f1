"""The compact signed payload printed in a certificate's QR code, checkable offline.

    <credential URL>#YW1.<base64url(JCS(claims))>.<base64url(Ed25519 signature)>

A phone opens the URL (the fragment never reaches the server) and sees the live status. An
offline checker splits at '#', verifies the signature over b"yiwang-qr-v1\\n" + JCS(claims)
with the issuer's public key named in claims["m"] (a verification method it has cached, or
resolves), and compares the printed face with the claims. claims["d"] is the SHA-256 of the
signed credential, binding the paper to the exact electronic certificate.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .canonical import CanonicalizationError, jcs
from .dataintegrity import KeyResolver

PREFIX: Final = "YW1"
DOMAIN_SEPARATOR: Final = b"yiwang-qr-v1\n"
MAX_TOKEN_LENGTH: Final = 2048


class CompactError(ValueError):
    """A QR payload that cannot be trusted; `code` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if any(c in text for c in "+/="):
        raise CompactError("malformed", "expected unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CompactError("malformed", f"bad base64url: {exc}") from exc


def sign_compact(claims: Mapping[str, Any], private_key: Ed25519PrivateKey) -> str:
    """The `YW1.<claims>.<signature>` token for `claims` (which must name "m", the key)."""
    if not isinstance(claims.get("m"), str):
        raise ValueError("claims must name the verification method in 'm'")
    body = jcs(dict(claims))
    signature = private_key.sign(DOMAIN_SEPARATOR + body)
    return f"{PREFIX}.{_b64(body)}.{_b64(signature)}"


def verify_compact(text: str, resolver: KeyResolver) -> dict[str, Any]:
    """Return the claims of a QR text (a URL with `#YW1…`, or the bare token) or raise."""
    if not isinstance(text, str) or len(text) > MAX_TOKEN_LENGTH:
        raise CompactError("malformed", "not a Yiwang QR payload")
    token = text.rpartition("#")[2]
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise CompactError("malformed", "not a Yiwang QR payload")
    body, signature = _unb64(parts[1]), _unb64(parts[2])
    try:
        claims = json.loads(body)
    except ValueError as exc:
        raise CompactError("malformed", "claims are not JSON") from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("m"), str):
        raise CompactError("malformed", "claims must be an object naming its key")
    try:
        canonical = jcs(claims)
    except CanonicalizationError as exc:
        raise CompactError("malformed", "claims are not canonicalisable") from exc
    if canonical != body:
        raise CompactError("malformed", "claims are not in canonical form")
    key = resolver(claims["m"])
    if key is None:
        raise CompactError("unknown_key", "the signing key is not known")
    try:
        key.verify(signature, DOMAIN_SEPARATOR + body)
    except InvalidSignature:
        raise CompactError("bad_signature", "the QR payload was altered") from None
    return claims
