"""Who may do what in the exchange. Pure predicates over the actor's post and roles.

- The data administrator (数据主管部门): a DATA_ADMIN whose post is not limited to their own
  department (e.g. 南昌市数据管理局), within their jurisdiction; system administrators too.
  Reviews compliance, coordinates, publishes the catalogue, assigns demands, runs nodes.
- A department's data officer: a DATA_ADMIN or DEPARTMENT_ADMIN of that department (or a
  department admin over the department's region). Acts for the department as requester,
  provider, dispute source and quality owner.
"""

from __future__ import annotations

from typing import Any

from yiwang.core.actors import is_system
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region
from yiwang.regions.permissions import has_role
from yiwang.regions.queries import staff_of


def is_data_authority(user: Any, region: Region | None = None) -> bool:
    """The data administrator (or the system), over `region` when one is given."""
    if is_system(user):
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    authority = has_role(user, Role.SYSTEM_ADMIN) or (
        has_role(user, Role.DATA_ADMIN) and not staff.department_only
    )
    return authority and (region is None or staff.jurisdiction.contains(region))


def acts_for_department(user: Any, department: Department) -> bool:
    """A data officer of `department` (its DATA_ADMIN or a department admin over it)."""
    if is_system(user):
        return True
    staff = staff_of(user)
    if staff is None or not has_role(user, Role.DATA_ADMIN, Role.DEPARTMENT_ADMIN):
        return False
    if not staff.jurisdiction.contains(department.region):
        return False
    return not staff.department_only or staff.department_id == department.pk


def may_manage_resource(user: Any, provider: Department) -> bool:
    """Edit a resource's drafts: its provider's officer or the data administrator."""
    return acts_for_department(user, provider) or is_data_authority(user, provider.region)


def is_staff(user: Any) -> bool:
    return staff_of(user) is not None


def available_decisions(user: Any, request: Any) -> list[str]:
    """The decisions `user` may take on a sharing request in its current state."""
    from yiwang.exchange.choices import SharingStatus

    status = request.status
    requester = acts_for_department(user, request.requester_department)
    provider = acts_for_department(user, request.provider_department)
    authority = is_data_authority(user, request.requester_department.region)
    decisions: list[str] = []
    if status == SharingStatus.COMPLIANCE_REVIEW and authority:
        decisions += ["approve", "return"]
    if status == SharingStatus.PROVIDER_REVIEW and provider:
        decisions += ["authorise", "refuse"]
    if status == SharingStatus.REFUSED and requester:
        decisions += ["object"]
    if status == SharingStatus.NEGOTIATION:
        if provider:
            decisions += ["authorise"]
        if requester or provider or authority:
            decisions += ["escalate"]
    if status == SharingStatus.COORDINATION and authority:
        decisions += ["coordinate_authorise", "coordinate_close"]
    open_states = {
        SharingStatus.COMPLIANCE_REVIEW,
        SharingStatus.RETURNED,
        SharingStatus.PROVIDER_REVIEW,
        SharingStatus.REFUSED,
        SharingStatus.NEGOTIATION,
        SharingStatus.COORDINATION,
    }
    if status in open_states and requester:
        decisions += ["withdraw"]
    return decisions
