"""JSON API of the ledger: public look-ups and receipts; anchoring for system tokens only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from yiwang.api.auth import TokenAuth
from yiwang.api.schemas import ErrorOut
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound
from yiwang.ledger import actions, queries
from yiwang.ledger.models import LedgerEntry, as_bytes
from yiwang.ledger.tlog.encoding import b64encode

router = Router(tags=["ledger"])


class CheckpointOut(Schema):
    origin: str
    size: int
    root_hash: str = Field(description="base64, as in the checkpoint")
    note: str = Field(description="the signed (and cosigned) checkpoint, C2SP tlog-checkpoint")
    created_at: dt.datetime


class EntryOut(Schema):
    kind: str
    subject: str
    digest: str
    created_at: dt.datetime
    status: str = Field(description="pending | sequenced")
    index: int | None
    leaf_hash: str = Field(description="base64 RFC 9162 leaf hash of the entry data")
    entry_data: str = Field(description="the exact bytes hashed into the log (RFC 8785 JSON)")


class ReceiptOut(Schema):
    index: int
    digest: str
    receipt: str = Field(description="C2SP tlog-proof@v1 text")


class AnchorIn(Schema):
    kind: str = Field(description='dotted kind; stored as "external.<kind>"')
    subject: str
    digest: str = Field(description="hex SHA-256 of the payload the caller keeps")


def _entry_out(entry: LedgerEntry, log: queries.Published) -> dict[str, Any]:
    status = queries.status_of(entry, log)
    return {
        "kind": entry.kind,
        "subject": entry.subject,
        "digest": entry.digest,
        "created_at": entry.created_at,
        "status": str(status),
        "index": entry.index if status == "sequenced" else None,
        "leaf_hash": b64encode(as_bytes(entry.leaf_hash)),
        "entry_data": entry.entry_data,
    }


@router.get(
    "/checkpoint",
    auth=None,
    response={200: CheckpointOut, 404: ErrorOut},
    operation_id="ledger_checkpoint",
)
def checkpoint(request: HttpRequest) -> Any:
    """The latest signed checkpoint (the same text as /ledger/checkpoint)."""
    log = queries.published()
    if log.checkpoint is None:
        raise NotFound(_("账本尚未签发任何检查点。"), code="ledger_not_initialised")
    return {
        "origin": log.origin,
        "size": log.size,
        "root_hash": b64encode(log.root_hash),
        "note": log.checkpoint.note,
        "created_at": log.checkpoint.created_at,
    }


@router.get(
    "/entries",
    auth=None,
    response={200: list[EntryOut], 400: ErrorOut},
    operation_id="ledger_entries",
)
def entries(request: HttpRequest, digest: str = "", subject: str = "") -> Any:
    """Entries by digest or by subject (exact), oldest first, at most 200."""
    if bool(digest) == bool(subject):
        raise DomainError("ledger_query_invalid", _("请提供摘要或对象编号，二者选一。"))
    log = queries.published()
    found = queries.entries_by_digest(digest) if digest else queries.entries_by_subject(subject)
    return [_entry_out(entry, log) for entry in found]


@router.get(
    "/entries/{digest}",
    auth=None,
    response={200: list[EntryOut], 400: ErrorOut, 404: ErrorOut},
    operation_id="ledger_entries_by_digest",
)
def entries_by_digest(request: HttpRequest, digest: str) -> Any:
    """Every entry anchoring this digest; 404 if there is none."""
    log = queries.published()
    found = [_entry_out(entry, log) for entry in queries.entries_by_digest(digest)]
    if not found:
        raise NotFound(_("没有找到该摘要的存证记录。"), code="ledger_entry_not_found")
    return found


@router.get(
    "/receipts/{digest}",
    auth=None,
    response={200: ReceiptOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="ledger_receipt",
)
def receipt(request: HttpRequest, digest: str, index: int | None = None) -> Any:
    """The receipt of the first sealed entry with this digest (or the one at `index`)."""
    log = queries.published()
    entry = queries.pick_by_digest(digest, index, log)
    text = queries.receipt_for(entry, log) if entry is not None else None
    if entry is None or text is None or entry.index is None:
        raise NotFound(_("该摘要尚无已记入账本的条目。"), code="ledger_receipt_not_found")
    return {"index": entry.index, "digest": entry.digest, "receipt": text}


@router.post(
    "/anchors",
    auth=[TokenAuth()],
    response={201: EntryOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    operation_id="ledger_anchor",
)
def anchor(request: HttpRequest, payload: AnchorIn) -> HttpResponse:
    """Anchor a digest (system tokens only). Accepts an Idempotency-Key header."""

    def operation() -> tuple[int, dict[str, Any]]:
        entry = actions.anchor_external_digest(
            actor=request.user, kind=payload.kind, subject=payload.subject, digest=payload.digest
        )
        body = _entry_out(entry, queries.published())
        body["created_at"] = entry.created_at.isoformat()
        return 201, body

    outcome = idempotency.run_once(
        actor=request.user,
        scope="ledger.anchor",
        key=request.headers.get(idempotency.HEADER),
        payload=payload.dict(),
        operation=operation,
    )
    return outcome.json_response()
