"""Role predicates: pure functions of the actor, no I/O beyond the actor's own roles."""

from __future__ import annotations

from typing import Any

from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region
from yiwang.regions.queries import staff_of


def roles_of(user: Any) -> frozenset[str]:
    """The roles a user holds (empty for non-staff); cached on the user object per request."""
    cached: frozenset[str] | None = getattr(user, "_yiwang_roles", None)
    if cached is not None:
        return cached
    staff = staff_of(user)
    roles = frozenset(staff.roles.values_list("role", flat=True)) if staff else frozenset()
    if getattr(user, "is_authenticated", False):
        user._yiwang_roles = roles
    return roles


def has_role(user: Any, *roles: Role) -> bool:
    """True if the user holds any of `roles`."""
    return bool(roles_of(user) & {str(role) for role in roles})


def within_jurisdiction(user: Any, region: Region) -> bool:
    """True if `region` lies in the user's jurisdiction."""
    staff = staff_of(user)
    return staff is not None and staff.jurisdiction.contains(region)


def serves_department(user: Any, department: Department) -> bool:
    """Staff of `department`, or staff over its region without a department restriction."""
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.department_id == department.pk:
        return True
    return not staff.department_only and staff.jurisdiction.contains(department.region)
