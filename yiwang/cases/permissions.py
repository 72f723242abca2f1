"""Who may act on a case: the applicant's side, and staff by role, jurisdiction, department."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yiwang.core.actors import is_system
from yiwang.identity.choices import OperatorScope
from yiwang.identity.models import Operator
from yiwang.regions.permissions import has_role
from yiwang.regions.queries import staff_of

if TYPE_CHECKING:
    from yiwang.cases.models import Case, CaseReviewTask
    from yiwang.regions.models import Department


def is_applicant_side(user: Any, case: Case) -> bool:
    """The account that applied, or an active operator of the applying legal person."""
    if not getattr(user, "is_authenticated", False):
        return False
    if case.applicant_user_id == user.pk:
        return True
    if case.applicant_legal_person_id is None:
        return False
    posts = Operator.objects.filter(legal_person_id=case.applicant_legal_person_id, user=user)
    return any(post.may(OperatorScope.APPLY) for post in posts)


def staff_covers(user: Any, case: Case) -> bool:
    """The case's implementing department lies in the staff member's jurisdiction.

    Acceptance, review, decision and delivery belong to the implementing side. When another
    department's hall received the case (跨域通办), that side sees the case (queries.py) and
    acts only as `proxy_clerk` through `serves_receiving_hall`.
    """
    return _serves(user, case.implementing_department)


def serves_receiving_hall(user: Any, case: Case) -> bool:
    """The staff member works for the hall that received the case on the implementing
    department's behalf (异地代收代办)."""
    if case.accepting_department_id == case.implementing_department_id:
        return False
    return _serves(user, case.accepting_department)


def _serves(user: Any, department: Department) -> bool:
    staff = staff_of(user)
    if staff is None:
        return False
    if not staff.jurisdiction.contains(department.region):
        return False
    return not staff.department_only or staff.department_id == department.pk


def may_review(user: Any, task: CaseReviewTask) -> bool:
    """A reviewer of the task's department (joint handling reaches other departments)."""
    staff = staff_of(user)
    if staff is None or not has_role(user, "reviewer"):  # type: ignore[arg-type]
        return False
    if not staff.jurisdiction.contains(task.department.region):
        return False
    return not staff.department_only or staff.department_id == task.department_id


def may_perform(user: Any, case: Case, performer: str) -> bool:
    """True when `user` may act in the role `performer` of a transition on `case`."""
    if performer == "system":
        return is_system(user)
    if performer == "applicant":
        return is_applicant_side(user, case)
    if performer == "proxy_clerk":
        return has_role(user, "window_clerk") and serves_receiving_hall(user, case)  # type: ignore[arg-type]
    return has_role(user, performer) and staff_covers(user, case)  # type: ignore[arg-type]
