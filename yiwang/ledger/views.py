"""Public ledger pages and the C2SP tlog-tiles resources under /ledger/ (no log-in anywhere).

Cache policy: full tiles and full entry bundles never change, so they are immutable for a
year; partial tiles and bundles only for a minute (tlog-tiles lets a log drop them once the
full tile exists); the checkpoint must always be revalidated.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.core.errors import DomainError
from yiwang.ledger import queries
from yiwang.ledger.choices import KIND_LABELS, EntryStatus
from yiwang.ledger.store import DatabaseHashStore
from yiwang.ledger.tlog import tiles
from yiwang.ledger.tlog.encoding import b64encode

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_LIVED = "public, max-age=60"
REVALIDATE = "no-cache"
PAGE_SIZE = 25


def _text(body: str, cache: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _binary(body: bytes, cache: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/octet-stream")
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(message: str = "not found\n") -> HttpResponse:
    return _text(message, REVALIDATE, status=404)


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (tlog-checkpoint), cosigned when a witness is configured."""
    note = queries.published().note
    if note is None:
        return _not_found("no checkpoint yet\n")
    return _text(note, REVALIDATE)


@require_GET
def log_key(request: HttpRequest) -> HttpResponse:
    """The log's verifier key (signed-note vkey), to check checkpoints and receipts with."""
    vkey = queries.log_vkey()
    if vkey is None:
        return _not_found("no key yet\n")
    return _text(vkey + "\n", SHORT_LIVED)


@require_GET
def witness_key(request: HttpRequest) -> HttpResponse:
    """The witness's verifier key, when the log is witnessed."""
    vkey = queries.published_witness_vkey()
    if vkey is None:
        return _not_found("no witness configured\n")
    return _text(vkey + "\n", SHORT_LIVED)


@require_GET
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """A hash tile `tile/<L>/<N>[.p/<W>]` or entry bundle `tile/entries/<N>[.p/<W>]`."""
    try:
        is_bundle, wanted = tiles.parse_tile_path("tile/" + path)
    except tiles.TileError:
        return _not_found()
    log = queries.published()
    level_size = log.size >> (tiles.TILE_HEIGHT * wanted.level)
    if (wanted.index * tiles.TILE_WIDTH) + wanted.width > level_size:
        return _not_found()
    cache = SHORT_LIVED if wanted.is_partial else IMMUTABLE
    if is_bundle:
        first = wanted.index * tiles.TILE_WIDTH
        entries = queries.sealed_entries(first, wanted.width, log)
        if len(entries) != wanted.width:
            raise Http404("entry bundle incomplete")
        return _binary(tiles.encode_entry_bundle([e.entry_data.encode() for e in entries]), cache)
    return _binary(tiles.tile_data(DatabaseHashStore(), wanted), cache)


def _digest_or_404(digest: str, request: HttpRequest) -> tuple[Any, queries.Published]:
    log = queries.published()
    raw = request.GET.get("index") or ""
    index = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 20 else None
    try:
        entry = queries.pick_by_digest(digest, index, log)
    except DomainError:
        entry = None
    if entry is None:
        raise Http404("no sealed entry with this digest")
    return entry, log


@require_GET
def receipt(request: HttpRequest, digest: str) -> HttpResponse:
    """Download the tlog-proof receipt of the (first, or ?index=N) sealed entry of a digest."""
    try:
        entry, log = _digest_or_404(digest, request)
    except Http404:
        return _not_found("no sealed entry with this digest\n")
    text = queries.receipt_for(entry, log)
    if text is None:
        return _not_found()
    response = _text(text, REVALIDATE)
    response["Content-Disposition"] = (
        f'attachment; filename="yiwang-ledger-{entry.index}-{entry.digest[:12]}.tlog-proof"'
    )
    return response


@require_GET
def entry_data(request: HttpRequest, index: int) -> HttpResponse:
    """The exact entry bytes of a sealed entry (for `verify receipt --entry`)."""
    entry = queries.sealed_entry(index, queries.published())
    if entry is None:
        return _not_found()
    response = HttpResponse(entry.entry_data.encode(), content_type="application/json")
    response["Cache-Control"] = IMMUTABLE
    response["Content-Disposition"] = f'attachment; filename="yiwang-ledger-{index}.json"'
    return response


def _kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind.split(".", 1)[0], kind))


def _row(entry: Any, log: queries.Published) -> dict[str, Any]:
    status = queries.status_of(entry, log)
    return {
        "entry": entry,
        "kind_label": _kind_label(entry.kind),
        "status": status,
        "sealed": status == EntryStatus.SEQUENCED,
    }


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """溯源: find entries by digest or subject, no log-in needed."""
    text = (request.GET.get("q") or "").strip()
    log = queries.published()
    context: dict[str, Any] = {"q": text, "log": log, "searched": bool(text)}
    status = 200
    if text:
        try:
            found = list(queries.search(text))
        except DomainError as exc:
            context["error"] = exc.message
            found = []
            status = 400
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = [_row(entry, log) for entry in page]
    return render(request, "ledger/search.html", context, status=status)


@require_GET
def entry_detail(request: HttpRequest, index: int) -> HttpResponse:
    """One sealed entry: status, checkpoint, inclusion proof, receipt download."""
    log = queries.published()
    entry = queries.sealed_entry(index, log)
    if entry is None:
        raise Http404("no sealed entry at this index")
    proof = queries.inclusion_proof(entry, log) or []
    context = {
        **_row(entry, log),
        "log": log,
        "proof": [b64encode(value) for value in proof],
        "leaf_hash": b64encode(bytes(entry.leaf_hash)),
        "root_hash": b64encode(log.root_hash),
        "vkey": queries.log_vkey(),
        "witness_vkey": queries.published_witness_vkey(),
    }
    return render(request, "ledger/entry.html", context)
