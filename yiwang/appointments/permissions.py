"""Who runs a hall (its department's staff) and who may book (citizens and operators)."""

from __future__ import annotations

from typing import Any

from yiwang.appointments.models import Hall
from yiwang.core.actors import is_system
from yiwang.identity.choices import AccountKind
from yiwang.regions.choices import Role
from yiwang.regions.permissions import has_role
from yiwang.regions.queries import staff_of

DESK_ROLES = (Role.WINDOW_CLERK, Role.DEPARTMENT_ADMIN)
ADMIN_ROLES = (Role.DEPARTMENT_ADMIN, Role.SYSTEM_ADMIN)


def runs_hall(user: Any, hall: Hall) -> bool:
    """Staff of the hall's department, or staff over its region without a department limit."""
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.department_id == hall.department_id:
        return True
    return not staff.department_only and staff.jurisdiction.contains(hall.region)


def may_work_desk(user: Any, hall: Hall) -> bool:
    return is_system(user) or (has_role(user, *DESK_ROLES) and runs_hall(user, hall))


def may_manage_hall(user: Any, hall: Hall) -> bool:
    return is_system(user) or (has_role(user, *ADMIN_ROLES) and runs_hall(user, hall))


def may_book(user: Any) -> bool:
    """Citizens and enterprise operators book for themselves; staff accounts do not."""
    return getattr(user, "is_authenticated", False) and user.kind in (
        AccountKind.CITIZEN,
        AccountKind.ENTERPRISE,
    )
