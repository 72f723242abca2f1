"""Who plays which part in a ticket, and who may see ratings."""

from __future__ import annotations

from typing import Any

from yiwang.core.actors import is_system
from yiwang.ratings import machine
from yiwang.ratings.models import PoorRatingTicket
from yiwang.regions.choices import Role
from yiwang.regions.models import Department
from yiwang.regions.permissions import has_role, serves_department
from yiwang.regions.queries import staff_of

HANDLER_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.DEPARTMENT_ADMIN)


def is_supervisor_of(user: Any, department: Department) -> bool:
    """A supervisor (监督人员) whose jurisdiction covers the department."""
    staff = staff_of(user)
    return (
        staff is not None
        and has_role(user, Role.SUPERVISOR)
        and staff.jurisdiction.contains(department.region)
    )


def is_supervisor(user: Any) -> bool:
    return has_role(user, Role.SUPERVISOR)


def ticket_roles(user: Any, ticket: PoorRatingTicket) -> set[str]:
    """The parts `user` plays in `ticket` (empty: a stranger to it)."""
    if is_system(user):
        return {machine.SUPERVISOR, machine.HANDLER}
    roles: set[str] = set()
    if is_supervisor_of(user, ticket.department):
        roles.add(machine.SUPERVISOR)
    if has_role(user, *HANDLER_ROLES) and serves_department(user, ticket.department):
        roles.add(machine.HANDLER)
    if getattr(user, "is_authenticated", False) and ticket.rating.rater_id == user.pk:
        roles.add(machine.EVALUATOR)
    return roles
