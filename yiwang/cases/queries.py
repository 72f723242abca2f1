"""Reads of cases, scoped: applicants see their own, staff what lies in their jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from yiwang.cases import crossarea
from yiwang.cases.choices import PAUSED_STATUSES, TERMINAL_STATUSES, CaseStatus, ReviewKind
from yiwang.cases.models import Case, CaseMaterial, CaseReviewTask
from yiwang.catalog.choices import ProjectType
from yiwang.core.errors import NotFound
from yiwang.identity.choices import OperatorScope
from yiwang.identity.models import Operator
from yiwang.regions.models import Department, Staff
from yiwang.regions.queries import staff_of

QUEUES = ("receive", "review", "decide", "deliver", "overdue", "paused", "proxy", "all")
MAX_JOINT_IDS = 5000
_OPEN = [s for s in CaseStatus.values if s not in TERMINAL_STATUSES and s != CaseStatus.DRAFT]
QUEUE_STATUSES: dict[str, list[str] | None] = {
    "receive": [CaseStatus.SUBMITTED, CaseStatus.RECEIVED],
    "review": [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW],
    "decide": [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW],
    "deliver": [CaseStatus.DECIDED, CaseStatus.CERT_ISSUING, CaseStatus.DELIVERING],
    "overdue": _OPEN,
    "paused": sorted(PAUSED_STATUSES),
    # 跨域通办: what this hall received on others' behalf and must forward or hand over.
    "proxy": crossarea.PROXY_QUEUE_STATUSES,
    "all": None,
}
LIST_RELATED = ("task_version", "implementing_department", "accepting_department")


def _staff_filter(staff: Staff, statuses: Iterable[str] | None = None) -> Q:
    """Cases of the staff member's jurisdiction (and department, where it applies).

    Built from plain column conditions (department ids, case ids) so that PostgreSQL can
    answer a queue from the (department, status) indexes with a bitmap OR instead of
    scanning every open case of the city. With `statuses`, joint-review cases are looked up
    first (few: only open ones); without, an EXISTS covers them (single-case reads).
    """
    if staff.department_only:
        in_area = staff.jurisdiction.contains(staff.department.region)
        departments = [staff.department_id] if in_area else []
    else:
        departments = list(
            Department.objects.filter(
                region__prefix__startswith=staff.jurisdiction.prefix
            ).values_list("pk", flat=True)
        )
    scope = Q(implementing_department_id__in=departments) | Q(
        accepting_department_id__in=departments
    )
    # 联办: a joint department's staff see the cases they have a review task on.
    joint = CaseReviewTask.objects.filter(department_id=staff.department_id)
    if statuses is None:
        return scope | Q(Exists(joint.filter(case=OuterRef("pk"))))
    ids = list(
        joint.filter(case__status__in=list(statuses))
        .values_list("case_id", flat=True)
        .distinct()[:MAX_JOINT_IDS]
    )
    return scope | Q(pk__in=ids) if ids else scope


def applicant_legal_person_ids(user: Any) -> list[int]:
    posts = Operator.objects.filter(user=user, is_active=True)
    return [post.legal_person_id for post in posts if post.may(OperatorScope.APPLY)]


def cases_for_user(user: Any, statuses: Iterable[str] | None = None) -> QuerySet[Case]:
    """Every case the user may see (only those in `statuses`, when given)."""
    base = Case.objects.select_related(*LIST_RELATED)
    if statuses is not None:
        base = base.filter(status__in=list(statuses))
    staff = staff_of(user)
    if staff is not None:
        return base.filter(_staff_filter(staff, statuses))
    if not getattr(user, "is_authenticated", False):
        return base.none()
    companies = applicant_legal_person_ids(user)
    own = Q(applicant_user=user)
    if companies:
        own |= Q(applicant_legal_person_id__in=companies)
    return base.filter(own)


def get_case_for_user(user: Any, pk: int) -> Case:
    """One case, if the user may see it; 404 otherwise (existence is not revealed)."""
    case = cases_for_user(user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def get_case_by_uuid_for_user(user: Any, value: str) -> Case:
    import uuid

    try:
        key = uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None
    case = cases_for_user(user).filter(uuid=key).first()
    if case is None:
        raise NotFound()
    return case


def _open_review(staff: Staff) -> Exists:
    tasks = CaseReviewTask.objects.filter(
        case=OuterRef("pk"), kind=ReviewKind.REVIEW, done_at__isnull=True
    )
    if staff.department_only:
        tasks = tasks.filter(department_id=staff.department_id)
    else:
        tasks = tasks.filter(department__region__prefix__startswith=staff.jurisdiction.prefix)
    return Exists(tasks)


def queue_for_user(
    user: Any, name: str, filters: Mapping[str, str] | None = None
) -> QuerySet[Case]:
    """A work queue (to receive, review, decide, deliver; overdue; paused) with filters."""
    staff = staff_of(user)
    if staff is None:
        return Case.objects.none()
    if name not in QUEUE_STATUSES:
        raise NotFound()
    cases = cases_for_user(user, QUEUE_STATUSES[name])
    any_open_review = Exists(
        CaseReviewTask.objects.filter(
            case=OuterRef("pk"), kind=ReviewKind.REVIEW, done_at__isnull=True
        )
    )
    if name == "receive":
        cases = cases.filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.RECEIVED])
    elif name == "review":
        cases = cases.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW]).filter(
            _open_review(staff)
        )
    elif name == "decide":
        straight = Q(status=CaseStatus.ACCEPTED) & (
            Q(project_type=ProjectType.IMMEDIATE) | Q(acceptance_mode="notify_commit")
        )
        cases = cases.filter(straight | (Q(status=CaseStatus.IN_REVIEW) & ~any_open_review))
    elif name == "deliver":
        cases = cases.filter(
            status__in=[CaseStatus.DECIDED, CaseStatus.CERT_ISSUING, CaseStatus.DELIVERING]
        )
    elif name == "overdue":
        cases = cases.filter(warning_level="red").exclude(status__in=TERMINAL_STATUSES)
    elif name == "paused":
        cases = cases.filter(status__in=PAUSED_STATUSES)
    elif name == "proxy":
        cases = cases.filter(crossarea.proxy_queue_filter(staff))
    elif name != "all":
        raise NotFound()
    if name == "overdue":
        # A hand-off this hall is late forwarding (or handing over) is its own overdue work.
        cases = cases.exclude(
            crossarea.not_yours_to_work(staff) & ~crossarea.proxy_queue_filter(staff)
        )
    elif name not in {"all", "proxy", "review"}:
        # 跨域通办: a case still at another hall, or one this hall only received on the
        # implementing department's behalf, is nobody's work in these queues here.
        cases = cases.exclude(crossarea.not_yours_to_work(staff))
    cases = apply_filters(cases, filters or {})
    if name == "all":
        return cases.order_by("-id")
    return cases.order_by("due_date", "id")


def apply_filters(cases: QuerySet[Case], filters: Mapping[str, str]) -> QuerySet[Case]:
    """Filters shared by pages and API; unknown values simply match nothing."""
    status = filters.get("status") or ""
    if status:
        cases = cases.filter(status=status)
    warning = filters.get("warning") or ""
    if warning in {"yellow", "red"}:
        cases = cases.filter(warning_level=warning)
    text = (filters.get("q") or "").strip()[:60]
    if text:
        cases = cases.filter(
            Q(project_no__startswith=text)
            | Q(applyer_name__contains=text)
            | Q(task_name__contains=text)
        )
    department = filters.get("department") or ""
    if department.isdigit():
        cases = cases.filter(implementing_department_id=int(department))
    return cases


def case_material_for_user(user: Any, case_id: int, material_id: int) -> CaseMaterial:
    case = get_case_for_user(user, case_id)
    row = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if row is None:
        raise NotFound()
    return row


def detail(case: Case) -> dict[str, Any]:
    """Everything a case page shows, in a fixed number of queries."""
    return {
        "processes": list(
            case.processes.select_related("handle_user", "handle_department").order_by(
                "event_end_time", "id"
            )
        ),
        "materials": list(case.materials.select_related("material")),
        "review_tasks": list(case.review_tasks.select_related("department")),
        "pauses": list(case.pauses.all()),
        "special_procedures": list(case.special_procedures.all()),
        "escalations": list(case.escalations.all()),
        "handoffs": crossarea.handoffs_for(case),
        "result": getattr(case, "result", None) if hasattr(case, "result") else None,
    }
