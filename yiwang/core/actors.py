"""The system as an actor: management commands and tasks act as SYSTEM, never as None.

Views always pass request.user (possibly anonymous), so a permission check can never be
skipped by accident; only code that deliberately imports SYSTEM bypasses role checks.
"""

from __future__ import annotations

from typing import Any


class SystemActor:
    """Stands for the platform itself in audit entries and permission checks."""

    is_authenticated = False
    is_anonymous = False
    pk = None

    def get_username(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    """True only for the SYSTEM sentinel."""
    return actor is SYSTEM
