"""Who may bill, refund and reconcile: staff of the charging department (or the system)."""

from __future__ import annotations

from typing import Any

from yiwang.core.actors import is_system
from yiwang.regions.choices import Role
from yiwang.regions.models import Department
from yiwang.regions.permissions import has_role, serves_department

BILLING_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.DEPARTMENT_ADMIN)
REFUND_ROLES = (Role.APPROVER, Role.DEPARTMENT_ADMIN)
FINANCE_ROLES = (Role.DEPARTMENT_ADMIN, Role.SUPERVISOR, Role.SYSTEM_ADMIN)


def may_bill(user: Any, department: Department) -> bool:
    return is_system(user) or (
        has_role(user, *BILLING_ROLES) and serves_department(user, department)
    )


def may_refund(user: Any, department: Department) -> bool:
    return is_system(user) or (
        has_role(user, *REFUND_ROLES) and serves_department(user, department)
    )


def may_reconcile(user: Any) -> bool:
    return is_system(user) or has_role(user, Role.SYSTEM_ADMIN, Role.SUPERVISOR)
