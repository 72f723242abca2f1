"""W3C Bitstring Status List v1.0: revocation and suspension of certificates without a call home.

A status list is a bitstring of at least 131,072 entries, GZIP-compressed and published as
multibase base64url (`u...`) in a signed status list credential. Entry 0 is the most significant
bit of the first byte. Every certificate carries a `BitstringStatusListEntry` pointing at its
index, so a verifier downloads one list (shared by 131,072 certificates, which hides which one
it checks) instead of asking about a certificate by number.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from .loader import CREDENTIALS_V2_URL
from .multibase import MultibaseError, decode_base64url, encode_base64url

MIN_ENTRIES: Final = 131_072
# A decoded list larger than this is refused: a few KB of GZIP can inflate to gigabytes.
MAX_DECODED_BYTES: Final = 16 * 1024 * 1024
REVOCATION: Final = "revocation"
SUSPENSION: Final = "suspension"
STATUS_PURPOSES: Final = (REVOCATION, SUSPENSION, "refresh", "message")


class StatusListError(ValueError):
    """A malformed status list or entry; `code` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class BitstringStatusList:
    """A mutable bitstring status list of `size` entries of `status_size` bits each."""

    def __init__(self, size: int = MIN_ENTRIES, *, status_size: int = 1) -> None:
        if status_size < 1 or status_size > 8:
            raise StatusListError("bad_status_size", "status size must be 1 to 8 bits")
        if size < MIN_ENTRIES:
            # The minimum is there for privacy: a short list narrows down who is being checked.
            raise StatusListError("list_too_short", f"a status list needs {MIN_ENTRIES} entries")
        self.size = size
        self.status_size = status_size
        self._bits = bytearray((size * status_size + 7) // 8)

    @classmethod
    def from_bytes(cls, data: bytes, *, status_size: int = 1) -> BitstringStatusList:
        """Wrap an uncompressed bitstring."""
        bits = len(data) * 8
        if bits < MIN_ENTRIES:
            raise StatusListError("list_too_short", f"a status list needs {MIN_ENTRIES} bits")
        status_list = cls(MIN_ENTRIES, status_size=status_size)
        status_list.size = bits // status_size
        status_list._bits = bytearray(data)
        return status_list

    @classmethod
    def decode(cls, encoded: str, *, status_size: int = 1) -> BitstringStatusList:
        """Decode an `encodedList` value (multibase base64url of the GZIP-compressed bits)."""
        try:
            compressed = decode_base64url(encoded)
        except MultibaseError as exc:
            raise StatusListError("bad_encoding", str(exc)) from exc
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
        except zlib.error as exc:
            raise StatusListError("bad_encoding", f"not GZIP data: {exc}") from exc
        if len(data) > MAX_DECODED_BYTES or inflater.unconsumed_tail:
            raise StatusListError("list_too_long", "the status list is too large")
        if not inflater.eof:
            raise StatusListError("bad_encoding", "truncated GZIP data")
        return cls.from_bytes(data, status_size=status_size)

    def encode(self) -> str:
        """The `encodedList` value; mtime=0 keeps the output the same for the same bits."""
        return encode_base64url(gzip.compress(bytes(self._bits), mtime=0))

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusListError("index_out_of_range", f"status index {index!r} out of range")

    def get(self, index: int) -> int:
        """The status value of entry `index` (0 = not revoked/suspended for 1-bit lists)."""
        self._check_index(index)
        value = 0
        start = index * self.status_size
        for bit in range(start, start + self.status_size):
            value = (value << 1) | ((self._bits[bit // 8] >> (7 - bit % 8)) & 1)
        return value

    def set(self, index: int, value: int | bool = 1) -> None:
        """Set the status value of entry `index`."""
        self._check_index(index)
        value = int(value)
        if not 0 <= value < (1 << self.status_size):
            raise StatusListError("bad_status_value", f"status value {value} does not fit")
        start = index * self.status_size
        for offset in range(self.status_size):
            bit = start + offset
            mask = 1 << (7 - bit % 8)
            if (value >> (self.status_size - 1 - offset)) & 1:
                self._bits[bit // 8] |= mask
            else:
                self._bits[bit // 8] &= ~mask & 0xFF


def status_list_entry(
    *, list_credential: str, index: int, status_purpose: str = REVOCATION
) -> dict[str, Any]:
    """A `credentialStatus` entry pointing at `index` of the list credential `list_credential`."""
    if status_purpose not in STATUS_PURPOSES:
        raise StatusListError("bad_status_purpose", f"unknown status purpose {status_purpose!r}")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError("index_out_of_range", "status index must be a non-negative integer")
    return {
        "id": f"{list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_purpose,
        # The specification makes the index a string of digits, not a JSON number.
        "statusListIndex": str(index),
        "statusListCredential": list_credential,
    }


def _xsd_datetime(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("datetimes in credentials must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_status_list_credential(
    *,
    list_id: str,
    issuer: str | Mapping[str, Any],
    status_list: BitstringStatusList,
    status_purpose: str = REVOCATION,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential publishing `status_list` at `list_id`."""
    if status_purpose not in STATUS_PURPOSES:
        raise StatusListError("bad_status_purpose", f"unknown status purpose {status_purpose!r}")
    subject: dict[str, Any] = {
        "id": f"{list_id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": status_list.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2_URL],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": _xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = _xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    return credential


def credential_status(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> int:
    """The status value `entry` has in `list_credential` (verify the list's proof first)."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("bad_entry", "not a BitstringStatusListEntry")
    if entry.get("statusListCredential") != list_credential.get("id"):
        raise StatusListError("wrong_list", "the entry points at another status list")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isdigit():
        raise StatusListError("bad_entry", "statusListIndex must be a string of digits")
    types = list_credential.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise StatusListError("bad_list", "not a BitstringStatusListCredential")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise StatusListError("bad_list", "status list credential has no subject")
    purposes = subject.get("statusPurpose")
    purpose_list = purposes if isinstance(purposes, list) else [purposes]
    if entry.get("statusPurpose") not in purpose_list:
        raise StatusListError("wrong_purpose", "status purposes of entry and list differ")
    status_size = entry.get("statusSize", 1)
    if isinstance(status_size, bool) or not isinstance(status_size, int):
        raise StatusListError("bad_entry", "statusSize must be an integer")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusListError("bad_list", "encodedList is missing")
    status_list = BitstringStatusList.decode(encoded, status_size=status_size)
    return status_list.get(int(index_text))
