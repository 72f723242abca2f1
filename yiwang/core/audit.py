"""Writing the audit log from inside actions (never from signals)."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import models

from yiwang.core.actors import is_system
from yiwang.core.models import AuditEntry

# Set by RequestIdMiddleware so every entry a request writes can be tied back to it.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "yiwang_request_id", default=""
)


def _actor_label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return str(actor.get_username())


def record(
    action: str,
    *,
    actor: Any,
    subject: models.Model | tuple[str, str],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry; call it inside the action's transaction."""
    if isinstance(subject, tuple):
        subject_type, subject_id = subject
    else:
        subject_type = subject._meta.label_lower
        subject_id = str(subject.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=_actor_label(actor),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
        request_id=current_request_id.get(),
    )
