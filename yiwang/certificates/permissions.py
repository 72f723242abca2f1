"""Who may define types, manage keys, issue and change certificates, and who holds one."""

from __future__ import annotations

from typing import Any

from yiwang.certificates.models import Certificate, IssuingSystem
from yiwang.core.actors import is_system
from yiwang.identity.choices import OperatorScope
from yiwang.identity.models import Operator
from yiwang.regions.choices import Role
from yiwang.regions.models import Department
from yiwang.regions.permissions import has_role
from yiwang.regions.queries import staff_of


def may_manage_types(actor: Any) -> bool:
    """Certificate types are part of the catalogue: its administrators keep them."""
    return is_system(actor) or has_role(actor, Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN)


def _covers(actor: Any, department: Department) -> bool:
    staff = staff_of(actor)
    if staff is None:
        return False
    if staff.department_only:
        return staff.department_id == department.pk
    return staff.jurisdiction.contains(department.region)


def may_manage_keys(actor: Any, department: Department) -> bool:
    """The department's administrator (or a system administrator over it) manages its keys."""
    if is_system(actor):
        return True
    if has_role(actor, Role.SYSTEM_ADMIN) and _covers(actor, department):
        return True
    return has_role(actor, Role.DEPARTMENT_ADMIN) and _covers(actor, department)


def issuing_system_department(actor: Any) -> Department | None:
    """The department a system account issues for, if it is registered as an issuing system."""
    if not getattr(actor, "is_authenticated", False):
        return None
    system = IssuingSystem.objects.select_related("department").filter(user=actor).first()
    return system.department if system else None


def may_issue(actor: Any, department: Department) -> bool:
    """Approvers and administrators of the department, its registered systems, the platform."""
    if is_system(actor):
        return True
    system_department = issuing_system_department(actor)
    if system_department is not None:
        return system_department.pk == department.pk
    return has_role(actor, Role.APPROVER, Role.DEPARTMENT_ADMIN) and _covers(actor, department)


def legal_person_ids_for(user: Any) -> list[int]:
    """Legal persons whose certificates `user` may use as an authorised operator."""
    if not getattr(user, "is_authenticated", False):
        return []
    posts = Operator.objects.filter(user=user, is_active=True)
    # Scopes are a JSON list, checked in Python (SQLite has no JSON `contains`).
    return [post.legal_person_id for post in posts if post.may(OperatorScope.CERTIFICATES)]


def holds(user: Any, certificate: Certificate) -> bool:
    """True if `user` is the holder, or an operator of the holding legal person."""
    if not getattr(user, "is_authenticated", False):
        return False
    if certificate.holder_person_id is not None:
        person = certificate.holder_person
        return person is not None and person.user_id == user.pk
    return certificate.holder_legal_person_id in legal_person_ids_for(user)
