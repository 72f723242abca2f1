"""The signed message protocol between exchange nodes, in the manner of X-Road. Django-free.

A request carries, as HTTP headers: the client subsystem (INSTANCE/CLASS/MEMBER/SUBSYSTEM),
the service (the provider subsystem + '/' + service code), a message id (UUID), the user on
whose behalf the client acts, the authorisation (purpose id) it calls under, the concrete
purpose (e.g. a case number), an RFC 3339 timestamp, the SHA-256 of the body, and an Ed25519
signature of the consumer node over the canonical string of all of these:

    yiwang-exchange-request/v1 LF client LF service LF id LF user LF authorisation LF
    purpose LF timestamp LF sha-256=<hex>

The response repeats client, service and id, carries the hash of the request it answers,
its status, result code, timestamp and body hash, and the provider node's signature over

    yiwang-exchange-response/v1 LF client LF service LF id LF sha-256=<request hex> LF
    status LF code LF timestamp LF sha-256=<response hex>

Non-ASCII header values (the purpose) travel percent-encoded UTF-8; they are signed decoded.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

REQUEST_DOMAIN = "yiwang-exchange-request/v1"
RESPONSE_DOMAIN = "yiwang-exchange-response/v1"

CLIENT = "X-Yiwang-Client"
SERVICE = "X-Yiwang-Service"
MESSAGE_ID = "X-Yiwang-Id"
USER_ID = "X-Yiwang-UserId"
AUTHORISATION = "X-Yiwang-Authorisation"
PURPOSE = "X-Yiwang-Purpose"
TIMESTAMP = "X-Yiwang-Timestamp"
REQUEST_HASH = "X-Yiwang-Request-Hash"
RESPONSE_HASH = "X-Yiwang-Response-Hash"
STATUS = "X-Yiwang-Status"
RESULT_CODE = "X-Yiwang-Result"
SIGNATURE = "X-Yiwang-Signature"

MESSAGE_PATH = "/exchange/v1/message"
CALL_PATH = "/exchange/v1/call"
HEALTH_PATH = "/exchange/v1/health"

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")
MAX_FIELD = 300


class ProtocolError(Exception):
    """A message that does not follow the protocol; `code` is stable and goes into the log."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


def parse_identity(value: str, *, service: bool = False) -> tuple[str, ...]:
    """Split INSTANCE/CLASS/MEMBER/SUBSYSTEM (plus /SERVICE for a service id) or refuse."""
    parts = value.split("/")
    wanted = 5 if service else 4
    if len(parts) != wanted or not all(_SEGMENT.match(part) for part in parts):
        raise ProtocolError("identity_invalid", value[:80])
    return tuple(parts)


def subsystem_of_service(service_id: str) -> str:
    """The provider subsystem part of a service id."""
    return "/".join(parse_identity(service_id, service=True)[:4])


def body_hash(body: bytes) -> str:
    """Hex SHA-256 of a message body."""
    return hashlib.sha256(body).hexdigest()


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    """Request and response bodies are RFC 8785 canonical JSON, so hashes are reproducible."""
    return bytes(rfc8785.dumps(dict(payload)))


def now_timestamp(now: dt.datetime | None = None) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-10-10T02:03:04.567Z."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> dt.datetime:
    """Read a timestamp written by now_timestamp (any RFC 3339 UTC form with Z)."""
    if not value.endswith("Z"):
        raise ProtocolError("timestamp_invalid", value[:40])
    try:
        return dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=dt.UTC)
    except ValueError:
        raise ProtocolError("timestamp_invalid", value[:40]) from None


def _field(value: str, name: str) -> str:
    if not value or len(value) > MAX_FIELD or not _PRINTABLE.match(value):
        raise ProtocolError("header_invalid", name)
    return value


@dataclass(frozen=True)
class RequestHeaders:
    """The signed part of a request."""

    client: str
    service: str
    message_id: str
    user_id: str
    authorisation: str
    purpose: str
    timestamp: str
    request_hash: str

    def canonical(self) -> bytes:
        lines = [
            REQUEST_DOMAIN,
            self.client,
            self.service,
            self.message_id,
            self.user_id,
            self.authorisation,
            self.purpose,
            self.timestamp,
            f"sha-256={self.request_hash}",
        ]
        return "\n".join(lines).encode("utf-8")

    def to_http(self, signature: str) -> dict[str, str]:
        return {
            CLIENT: self.client,
            SERVICE: self.service,
            MESSAGE_ID: self.message_id,
            USER_ID: quote(self.user_id, safe=""),
            AUTHORISATION: self.authorisation,
            PURPOSE: quote(self.purpose, safe=""),
            TIMESTAMP: self.timestamp,
            REQUEST_HASH: self.request_hash,
            SIGNATURE: signature,
        }

    @classmethod
    def from_http(cls, headers: Mapping[str, str]) -> tuple[RequestHeaders, str]:
        """Read and check the shape of a request's headers; returns them and the signature."""
        values = _read(headers, [CLIENT, SERVICE, MESSAGE_ID, USER_ID, AUTHORISATION, PURPOSE,
                                 TIMESTAMP, REQUEST_HASH, SIGNATURE])  # fmt: skip
        parsed = cls(
            client=values[CLIENT],
            service=values[SERVICE],
            message_id=values[MESSAGE_ID],
            user_id=_field(unquote(values[USER_ID], errors="strict"), USER_ID),
            authorisation=values[AUTHORISATION],
            purpose=_field(unquote(values[PURPOSE], errors="strict"), PURPOSE),
            timestamp=values[TIMESTAMP],
            request_hash=values[REQUEST_HASH],
        )
        parsed.check_shape()
        return parsed, values[SIGNATURE]

    def check_shape(self) -> None:
        parse_identity(self.client)
        parse_identity(self.service, service=True)
        check_message_id(self.message_id)
        parse_timestamp(self.timestamp)
        if not _HEX64.match(self.request_hash):
            raise ProtocolError("header_invalid", REQUEST_HASH)


@dataclass(frozen=True)
class ResponseHeaders:
    """The signed part of a response: it names the request it answers by its hash."""

    client: str
    service: str
    message_id: str
    request_hash: str
    status: int
    code: str
    timestamp: str
    response_hash: str

    def canonical(self) -> bytes:
        lines = [
            RESPONSE_DOMAIN,
            self.client,
            self.service,
            self.message_id,
            f"sha-256={self.request_hash}",
            str(self.status),
            self.code,
            self.timestamp,
            f"sha-256={self.response_hash}",
        ]
        return "\n".join(lines).encode("utf-8")

    def to_http(self, signature: str) -> dict[str, str]:
        return {
            CLIENT: self.client,
            SERVICE: self.service,
            MESSAGE_ID: self.message_id,
            REQUEST_HASH: self.request_hash,
            STATUS: str(self.status),
            RESULT_CODE: self.code,
            TIMESTAMP: self.timestamp,
            RESPONSE_HASH: self.response_hash,
            SIGNATURE: signature,
        }

    @classmethod
    def from_http(cls, headers: Mapping[str, str]) -> tuple[ResponseHeaders, str]:
        values = _read(headers, [CLIENT, SERVICE, MESSAGE_ID, REQUEST_HASH, STATUS, RESULT_CODE,
                                 TIMESTAMP, RESPONSE_HASH, SIGNATURE])  # fmt: skip
        try:
            status = int(values[STATUS])
        except ValueError:
            raise ProtocolError("header_invalid", STATUS) from None
        parsed = cls(
            client=values[CLIENT],
            service=values[SERVICE],
            message_id=values[MESSAGE_ID],
            request_hash=values[REQUEST_HASH],
            status=status,
            code=values[RESULT_CODE],
            timestamp=values[TIMESTAMP],
            response_hash=values[RESPONSE_HASH],
        )
        if not (_HEX64.match(parsed.request_hash) and _HEX64.match(parsed.response_hash)):
            raise ProtocolError("header_invalid", RESPONSE_HASH)
        return parsed, values[SIGNATURE]


def _read(headers: Mapping[str, str], names: list[str]) -> dict[str, str]:
    lowered = {key.lower(): value for key, value in headers.items()}
    values: dict[str, str] = {}
    for name in names:
        value = lowered.get(name.lower())
        if value is None or value == "":
            raise ProtocolError("header_missing", name)
        values[name] = _field(value.strip(), name)
    return values


def check_message_id(value: str) -> str:
    """A message id is a UUID in its canonical text form."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ProtocolError("header_invalid", MESSAGE_ID) from None
    if str(parsed) != value:
        raise ProtocolError("header_invalid", MESSAGE_ID)
    return value


# --- Keys and signatures ---------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The registry form of a public key: raw 32 bytes, base64url without padding."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return _b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """Read a PKCS#8 PEM Ed25519 private key (as written by `exchange_node keygen`)."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def is_public_key(text: str) -> bool:
    """True if `text` is a registry-form Ed25519 public key (43 base64url characters)."""
    if len(text) != 43 or not re.match(r"^[A-Za-z0-9_-]+$", text):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(text))
    except ValueError:
        return False
    return True


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return _b64(key.sign(message))


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """True if `signature` (base64url) is `public_key`'s Ed25519 signature of `message`."""
    try:
        raw_key = _unb64(public_key)
        raw_signature = _unb64(signature)
        if len(raw_key) != 32 or len(raw_signature) != 64:
            return False
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def new_message_id() -> str:
    return str(uuid.uuid4())


# --- Log entries -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryContent:
    """What a message-log entry asserts; its digest is what the ledger anchors."""

    node: str
    side: str
    message_id: str
    client: str
    service: str
    user_id: str
    authorisation: str
    purpose: str
    request_timestamp: str
    request_hash: str
    request_signature: str
    request_key: str
    response_status: int | None
    response_code: str
    response_timestamp: str
    response_hash: str
    response_signature: str
    response_key: str
    subject_hash: str
    items: tuple[str, ...]

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = list(self.items)
        return {"v": 1, "type": "yiwang.exchange.message", **data}

    def digest(self) -> str:
        return hashlib.sha256(rfc8785.dumps(self.payload())).hexdigest()

    def request_headers(self) -> RequestHeaders:
        return RequestHeaders(
            client=self.client,
            service=self.service,
            message_id=self.message_id,
            user_id=self.user_id,
            authorisation=self.authorisation,
            purpose=self.purpose,
            timestamp=self.request_timestamp,
            request_hash=self.request_hash,
        )

    def response_headers(self) -> ResponseHeaders | None:
        if self.response_status is None or not self.response_signature:
            return None
        return ResponseHeaders(
            client=self.client,
            service=self.service,
            message_id=self.message_id,
            request_hash=self.request_hash,
            status=self.response_status,
            code=self.response_code,
            timestamp=self.response_timestamp,
            response_hash=self.response_hash,
        )

    def problems(self) -> list[str]:
        """Why the entry's signatures do not hold (empty when both verify)."""
        found: list[str] = []
        if not self.request_key or not verify(
            self.request_key, self.request_headers().canonical(), self.request_signature
        ):
            found.append("request_signature_invalid")
        response = self.response_headers()
        if response is None:
            found.append("response_missing")
        elif not verify(self.response_key, response.canonical(), self.response_signature):
            found.append("response_signature_invalid")
        return found
