"""Ledger actions: creating the log key, anchoring a digest for an external system.

The sequencer (sequencer.py) is the other write path; entries are appended by
anchoring.anchor from inside other modules' actions.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.core.crypto import encrypt_text
from yiwang.core.errors import PermissionDenied
from yiwang.ledger import anchoring
from yiwang.ledger.keys import key_context, log_origin
from yiwang.ledger.models import LedgerEntry, SigningKey
from yiwang.ledger.permissions import may_anchor
from yiwang.ledger.tlog.note import generate_signer_key


@transaction.atomic
def ensure_log_key(*, actor: Any) -> SigningKey:
    """Create the configured origin's Ed25519 key once; the private half only encrypted."""
    origin = log_origin()
    existing = SigningKey.objects.select_for_update().filter(name=origin).first()
    if existing is not None:
        return existing
    skey, vkey = generate_signer_key(origin)
    row = SigningKey.objects.create(
        name=origin, vkey=vkey, skey_encrypted=encrypt_text(skey, context=key_context(origin))
    )
    audit.record("ledger.key_created", actor=actor, subject=row, after={"vkey": vkey})
    return row


@transaction.atomic
def anchor_external_digest(
    *, actor: Any, kind: str, subject: str, digest: str, once_key: str | None = None
) -> LedgerEntry:
    """Anchor a digest another government system computed (kind prefixed "external.")."""
    if not may_anchor(actor):
        raise PermissionDenied()
    kind = anchoring.check_kind(kind)
    if not kind.startswith("external."):
        kind = f"external.{kind}"
        anchoring.check_kind(kind)
    entry = anchoring.anchor_digest(kind, subject, digest, once_key=once_key)
    audit.record(
        "ledger.anchored",
        actor=actor,
        subject=entry,
        after={"kind": entry.kind, "subject": entry.subject, "digest": entry.digest},
    )
    return entry
