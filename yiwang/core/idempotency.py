"""Idempotency-Key handling: a retried submission returns the first answer, creates nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from yiwang.core.actors import is_system
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class Outcome:
    """What the submission answered, and whether this answer is a replay of an earlier one."""

    status_code: int
    body: dict[str, Any]
    replayed: bool

    def json_response(self) -> JsonResponse:
        """The API's answer; a replay says so in an `Idempotent-Replayed: true` header."""
        response = JsonResponse(self.body, status=self.status_code)
        if self.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def request_fingerprint(payload: Any) -> str:
    """A stable hash of the request body, to tell a true retry from a reused key."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str | None) -> str | None:
    """Validate a client's key; empty means the client did not ask for idempotency."""
    if key is None or key == "":
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError(
            "idempotency_key_invalid",
            _("Idempotency-Key 须为不超过 128 个可打印字符。"),
            field=HEADER,
        )
    return key


def run_once(
    *,
    actor: Any,
    scope: str,
    key: str | None,
    payload: Any,
    operation: Callable[[], tuple[int, dict[str, Any]]],
) -> Outcome:
    """Run `operation` once per (actor, scope, key); later calls get the stored answer.

    The record is written in the same transaction as the operation's own writes, so either
    both exist or neither does. A concurrent duplicate waits on the unique index and then
    reads the winner's answer.
    """
    key = check_key(key)
    if key is None:
        status, body = operation()
        return Outcome(status, body, replayed=False)
    fingerprint = request_fingerprint(payload)
    who = actor_key(actor)
    existing = _find(who, scope, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            status, body = operation()
            IdempotencyRecord.objects.create(
                actor_key=who,
                scope=scope,
                key=key,
                request_hash=fingerprint,
                status_code=status,
                response=body,
            )
    except IntegrityError:
        existing = _find(who, scope, key)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return Outcome(status, body, replayed=False)


def actor_key(actor: Any) -> str:
    """Whose key space a submission belongs to."""
    if getattr(actor, "is_authenticated", False):
        return f"user:{actor.pk}"
    return "system" if is_system(actor) else "anonymous"


def _find(who: str, scope: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(actor_key=who, scope=scope, key=key).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Outcome:
    if record.request_hash != fingerprint:
        raise Conflict(
            "idempotency_key_reused",
            _("该 Idempotency-Key 已用于另一个不同的请求。"),
        )
    return Outcome(record.status_code, dict(record.response), replayed=True)
