"""Who may do what with the ledger. Reading is public by design (hashes only)."""

from __future__ import annotations

from typing import Any

from yiwang.core.actors import is_system
from yiwang.identity.choices import AccountKind


def may_anchor(actor: Any) -> bool:
    """Anchor a digest from outside: the platform itself, or another government system."""
    if is_system(actor):
        return True
    return bool(getattr(actor, "is_authenticated", False)) and actor.kind == AccountKind.SYSTEM
