"""Strict text encodings shared by the ledger formats."""

from __future__ import annotations

import base64
import binascii

__all__ = ["b64decode_strict", "b64encode", "parse_decimal"]


def b64encode(data: bytes) -> str:
    """Standard base64 (RFC 4648 §4) with padding, as every C2SP tlog format uses."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode standard base64, accepting only the one canonical encoding of the bytes.

    Python (like Go) ignores the unused low bits of the last character, so two different
    strings can decode to the same bytes. Re-encoding and comparing closes that gap: a receipt
    or checkpoint with any character changed must not verify.
    """
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if base64.b64encode(data).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    return data


def parse_decimal(text: str, what: str, maximum: int = (1 << 64) - 1) -> int:
    """An ASCII decimal with no sign, no spaces and no leading zeroes (except "0")."""
    if not text or not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"{what} {text!r} is not a decimal number without leading zeroes")
    if len(text) > len(str(maximum)) or int(text) > maximum:
        raise ValueError(f"{what} {text} is too large")
    return int(text)
