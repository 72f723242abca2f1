"""Anchoring (存证): how any module puts a digest into the ledger.

    from yiwang.ledger.anchoring import anchor
    entry = anchor("certificate.issued", identifier, {"id": identifier, "status": "valid"})

`anchor` inserts a *pending* entry in the caller's transaction (so it exists exactly when the
caller's own change commits) and, after commit, asks the sequencer to seal it into the log.
Only the SHA-256 digest of the payload is kept, never the payload: the caller keeps its data
and can later prove it by recomputing the digest (`payload_digest`).

The entry data hashed into the log (the leaf) is the RFC 8785 canonical JSON

    {"digest":"<64 hex>","kind":"<kind>","subject":"<subject>","time":"<UTC, ms>Z","v":1}

The subject is public (tiles publish it): use identifiers such as a case number or a
certificate identifier, never a person's name or ID number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any

import rfc8785
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.ledger import errors
from yiwang.ledger.models import LedgerEntry
from yiwang.ledger.tlog.merkle import leaf_hash

ENTRY_VERSION = 1
MAX_KIND_LENGTH = 64
MAX_SUBJECT_LENGTH = 200
MAX_ONCE_KEY_LENGTH = 160
_KIND = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*")
_DIGEST = re.compile(r"[0-9a-f]{64}")

Payload = Mapping[str, Any] | bytes


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON object; refuses what JSON cannot say exactly."""
    if not isinstance(payload, Mapping):
        raise errors.payload_invalid("not a JSON object")
    try:
        return bytes(rfc8785.dumps(payload))
    except (rfc8785.CanonicalizationError, TypeError) as exc:
        raise errors.payload_invalid(str(exc) or type(exc).__name__) from exc


def payload_digest(payload: Payload) -> str:
    """Hex SHA-256 of the payload: of its bytes, or of its RFC 8785 canonical JSON."""
    data = bytes(payload) if isinstance(payload, bytes | bytearray) else canonical_json(payload)
    return hashlib.sha256(data).hexdigest()


def format_time(moment: dt.datetime) -> str:
    """RFC 3339 UTC time with milliseconds, as written into entries."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def entry_data(kind: str, subject: str, digest: str, moment: dt.datetime) -> bytes:
    """The bytes that become the Merkle leaf (see the module docstring)."""
    return canonical_json(
        {
            "digest": digest,
            "kind": kind,
            "subject": subject,
            "time": format_time(moment),
            "v": ENTRY_VERSION,
        }
    )


def check_kind(kind: str) -> str:
    """A dotted lower-case kind such as 'case.accepted'."""
    if not isinstance(kind, str) or len(kind) > MAX_KIND_LENGTH or not _KIND.fullmatch(kind):
        raise errors.kind_invalid()
    return kind


def check_subject(subject: str) -> str:
    """A printable identifier of what the entry is about."""
    if (
        not isinstance(subject, str)
        or not subject.strip()
        or len(subject) > MAX_SUBJECT_LENGTH
        or not subject.isprintable()
    ):
        raise errors.subject_invalid()
    return subject


def normalise_digest(digest: str) -> str:
    """64 hex digits, lower case (upper case is accepted and lowered)."""
    if not isinstance(digest, str):
        raise errors.digest_invalid()
    lowered = digest.strip().lower()
    if not _DIGEST.fullmatch(lowered):
        raise errors.digest_invalid()
    return lowered


def anchor(
    kind: str, subject: str, payload: Payload, *, once_key: str | None = None
) -> LedgerEntry:
    """Append a pending entry for `payload` within the caller's transaction.

    `once_key` (optional) makes the call idempotent: a second call with the same key returns
    the first entry (and refuses a different kind, subject or digest).
    """
    return anchor_digest(kind, subject, payload_digest(payload), once_key=once_key)


def anchor_digest(
    kind: str, subject: str, digest: str, *, once_key: str | None = None
) -> LedgerEntry:
    """Like `anchor`, for a caller that hashed its payload itself (hex SHA-256)."""
    kind = check_kind(kind)
    subject = check_subject(subject)
    digest = normalise_digest(digest)
    if once_key is not None and not 0 < len(once_key) <= MAX_ONCE_KEY_LENGTH:
        raise ValueError("once_key must be 1..160 characters")
    if once_key is not None:
        existing = _existing(once_key, kind, subject, digest)
        if existing is not None:
            return existing
    # Millisecond precision: what the entry data says is exactly what the row says.
    moment = timezone.now()
    now = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    data = entry_data(kind, subject, digest, now)
    fields = {
        "kind": kind,
        "subject": subject,
        "digest": digest,
        "created_at": now,
        "entry_data": data.decode("utf-8"),
        "leaf_hash": leaf_hash(data),
        "once_key": once_key,
    }
    if once_key is None:
        entry = LedgerEntry.objects.create(**fields)
    else:
        try:
            with transaction.atomic():  # a savepoint, only where a unique clash can happen
                entry = LedgerEntry.objects.create(**fields)
        except IntegrityError:
            # A concurrent caller with the same once_key committed first.
            existing = _existing(once_key, kind, subject, digest)
            if existing is None:
                raise
            return existing
    if settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT:
        _sequence_after_commit()
    return entry


def _enqueue_sequencer() -> None:
    from yiwang.ledger.tasks import sequence_ledger

    sequence_ledger.enqueue()


def _sequence_after_commit() -> None:
    """One sequencer task per committing transaction, however many entries it anchored."""
    connection = transaction.get_connection()
    # run_on_commit holds (savepoint ids, callback, robust) for the open transaction.
    pending = getattr(connection, "run_on_commit", [])
    if any(item[1] is _enqueue_sequencer for item in pending):
        return
    transaction.on_commit(_enqueue_sequencer)


def _existing(once_key: str, kind: str, subject: str, digest: str) -> LedgerEntry | None:
    entry = LedgerEntry.objects.filter(once_key=once_key).first()
    if entry is not None and (entry.kind, entry.subject, entry.digest) != (kind, subject, digest):
        raise errors.once_key_reused()
    return entry
