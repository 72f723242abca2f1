"""Reads of 一件事 bundle cases, scoped: the applicant's side sees its parents in full; staff
see a parent's summary only when they may see one of its sub-cases (and then only the
sub-cases' numbers and states, not the applicant's merged form)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from yiwang.cases.choices import BundleCaseStatus
from yiwang.cases.models import BundleCase, Case, CaseProcess
from yiwang.cases.queries import applicant_legal_person_ids, cases_for_user
from yiwang.core.errors import NotFound
from yiwang.regions.queries import staff_of


def bundle_cases_for_user(user: Any) -> QuerySet[BundleCase]:
    """The parents the user applied for (or their company did): the applicant's side only."""
    if not getattr(user, "is_authenticated", False) or staff_of(user) is not None:
        return BundleCase.objects.none()
    own = Q(applicant_user=user)
    companies = applicant_legal_person_ids(user)
    if companies:
        own |= Q(applicant_legal_person_id__in=companies)
    return BundleCase.objects.filter(own).select_related("bundle")


def get_bundle_case_for_user(user: Any, pk: int) -> tuple[BundleCase, bool]:
    """A parent and whether the user is on the applicant's side; 404 when neither side."""
    parent = bundle_cases_for_user(user).filter(pk=pk).first()
    if parent is not None:
        return parent, True
    if staff_of(user) is not None:
        visible = cases_for_user(user).filter(bundle_case=OuterRef("pk"))
        parent = BundleCase.objects.filter(Exists(visible), pk=pk).select_related("bundle").first()
        if parent is not None:
            return parent, False
    raise NotFound()


def sub_cases(parent: BundleCase) -> list[Case]:
    return list(
        Case.objects.filter(bundle_case=parent)
        .select_related("task_version", "implementing_department")
        .order_by("bundle_stage", "id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One process record of one sub-case, on the bundle's single timeline."""

    at: dt.datetime
    task_name: str
    project_no: str
    process_name: str
    handle_user_name: str
    explain: str
    case_id: int


def timeline(parent: BundleCase) -> list[TimelineEntry]:
    """Every sub-case's process records (过程信息), merged in time order."""
    rows = (
        CaseProcess.objects.filter(case__bundle_case=parent)
        .select_related("case")
        .order_by("event_end_time", "id")
    )
    return [
        TimelineEntry(
            at=row.event_end_time,
            task_name=row.case.task_name,
            project_no=row.case.project_no or "",
            process_name=row.process_name,
            handle_user_name=row.handle_user_name,
            explain=row.handle_explain,
            case_id=row.case_id,
        )
        for row in rows
    ]


def notice_ready(parent: BundleCase) -> bool:
    """The one result notice exists once every sub-case is finished."""
    return parent.status in {BundleCaseStatus.COMPLETED, BundleCaseStatus.NOT_PASSED}
