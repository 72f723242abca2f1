"""Who may manage the catalogue and who may read its metrics (pure role predicates)."""

from __future__ import annotations

from typing import Any

from yiwang.regions.choices import Role
from yiwang.regions.permissions import has_role

MANAGERS = (Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN)
METRICS_READERS = (Role.CATALOG_ADMIN, Role.SUPERVISOR, Role.SYSTEM_ADMIN)


def can_manage_catalog(user: Any) -> bool:
    """Catalogue and system administrators edit, review, publish and retire items."""
    return has_role(user, *MANAGERS)


def can_view_metrics(user: Any) -> bool:
    """Administrators and supervisors read the streamlining metrics of their jurisdiction."""
    return has_role(user, *METRICS_READERS)
