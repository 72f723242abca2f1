"""Demo 跨域通办: items open to cross-area handling, and cases that cross 东湖区 and 西湖区.

The demo catalogue defines most county items as 全市通办 already (`portal/demo/catalog.py`,
`Item.area`); the items the demo cases run on (`portal/demo/cases.py`) are 本级. Here the
named clerks' item (公共场所卫生许可 at each 行政审批局) gets a new version open city-wide,
published through the catalogue actions, and more 本级 county items are opened the same way
until at least `MIN_OPEN` current items are open beyond their county.

Then a few cases are received at one district's hall for the other district's department
(and the reverse), each left at a different hand-off step, so that donghu.clerk and
xihu.clerk find them in their 代收代办 and 待收件 queues. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yiwang.cases import actions
from yiwang.cases.choices import HandoffMode
from yiwang.cases.models import Case, CaseHandoff
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.choices import APPLICABLE_TASK_TYPES, HandleArea, VersionStatus
from yiwang.catalog.models import Task, TaskVersion
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import Person, User
from yiwang.portal.demo.cases import Clock, _files
from yiwang.regions.models import Department

MIN_OPEN = 24
NAMED_ITEM = "公共场所卫生许可"
EAST, WEST = "东湖区", "西湖区"


def _open(task: Task) -> TaskVersion | None:
    """Publish a new version of `task` with 全市通办 (unless a draft is in the way)."""
    current = task.current_version
    if current is None or current.handle_area != HandleArea.LOCAL:
        return current
    if task.versions.exclude(status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED]).exists():
        return current
    draft = catalog_actions.new_draft_version(actor=SYSTEM, task=task)
    catalog_actions.update_draft(
        actor=SYSTEM, version=draft, fields={"handle_area": HandleArea.CITY_WIDE}
    )
    catalog_actions.submit_version(actor=SYSTEM, version=draft)
    catalog_actions.approve_version(actor=SYSTEM, version=draft)
    published: TaskVersion = catalog_actions.publish_version(actor=SYSTEM, version=draft)
    return published


def open_count() -> int:
    """Current published items open beyond their county."""
    return (
        Task.objects.filter(
            current_version__status=VersionStatus.PUBLISHED,
            current_version__task_type__in=APPLICABLE_TASK_TYPES,
        )
        .exclude(current_version__handle_area=HandleArea.LOCAL)
        .count()
    )


def open_items() -> dict[str, TaskVersion]:
    """The named clerks' item opened in both districts, and enough others; by district."""
    named: dict[str, TaskVersion] = {}
    for district in (EAST, WEST):
        task = (
            Task.objects.filter(
                current_version__task_name=NAMED_ITEM, department__name=f"{district}行政审批局"
            )
            .select_related("current_version")
            .first()
        )
        if task is not None:
            version = _open(task)
            if version is not None:
                named[district] = version
    if open_count() < MIN_OPEN:
        local = (
            Task.objects.filter(
                current_version__status=VersionStatus.PUBLISHED,
                current_version__handle_area=HandleArea.LOCAL,
                current_version__task_type__in=APPLICABLE_TASK_TYPES,
                department__region__level=2,
            )
            .select_related("current_version")
            .order_by("task_code")
        )
        for task in local:
            if open_count() >= MIN_OPEN:
                break
            _open(task)
    return named


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load(now: dt.datetime | None = None) -> int:
    """Open the items and create the demo 跨域通办 cases once; returns how many exist."""
    versions = open_items()
    if CaseHandoff.objects.filter(mode=HandoffMode.PROXY).exists():
        return CaseHandoff.objects.count()
    staff = {
        name: _user(name)
        for name in (
            "donghu.clerk",
            "donghu.reviewer",
            "donghu.approver",
            "xihu.clerk",
            "xihu.reviewer",
            "xihu.approver",
        )
    }
    residents = {
        district: Person.objects.filter(region__code__startswith=code, user__isnull=False)
        .order_by("id")
        .first()
        for district, code in ((EAST, "360102"), (WEST, "360103"))
    }
    if len(versions) < 2 or None in staff.values() or None in residents.values():
        return 0
    clock = Clock(now or timezone.now())
    plans = [
        # (hall district, stage to stop at, working days since 代收)
        (EAST, "received", 0),
        (EAST, "checked", 0),
        (EAST, "forwarded", 1),
        (EAST, "in_review", 3),
        (EAST, "completed", 9),
        (WEST, "forwarded_post", 2),
        (WEST, "returning", 7),
        (WEST, "joint", 4),
    ]
    for serial, (hall_district, stop, age) in enumerate(plans, start=1):
        other = WEST if hall_district == EAST else EAST
        hall_slug = "donghu" if hall_district == EAST else "xihu"
        home_slug = "xihu" if hall_district == EAST else "donghu"
        _run(
            stop,
            clock,
            age,
            versions[other],
            hall=staff[f"{hall_slug}.clerk"],
            clerk=staff[f"{home_slug}.clerk"],
            reviewer=staff[f"{home_slug}.reviewer"],
            approver=staff[f"{home_slug}.approver"],
            person=residents[hall_district],  # type: ignore[arg-type]
            # 多地联办: a department of the hall's district does part of the review.
            joint=Department.objects.filter(name=f"{hall_district}市场监督管理局").first()
            if stop == "joint"
            else None,
            salt=f"tongban-{serial}",
        )
    return CaseHandoff.objects.count()


def _run(
    stop: str,
    clock: Clock,
    age: int,
    version: TaskVersion,
    *,
    hall: Any,
    clerk: Any,
    reviewer: Any,
    approver: Any,
    person: Person,
    joint: Department | None,
    salt: str,
) -> Case:
    """Drive one 代收 case to `stop`; `age` = working days since the hall received it."""

    def t(offset: int, hour: int = 10) -> dt.datetime:
        return clock.at(age - offset, hour)

    back = stop in {"returning", "completed"}
    case = actions.receive_on_behalf(
        actor=hall,
        version_id=version.pk,
        person=person,
        uploads=_files(version, salt),
        project_name=f"{person.name}就近代收申请{version.task_name}",
        return_to_hall=back,
        now=t(0, 9),
    )
    if stop == "received":
        return case
    case = actions.proxy_check(actor=hall, case=case, now=t(0, 10))
    if stop == "checked":
        return case
    if stop == "forwarded_post":
        return actions.proxy_forward(
            actor=hall, case=case, channel="post", tracking_no="EMS9826011234", now=t(0, 16)
        )
    case = actions.proxy_forward(actor=hall, case=case, channel="electronic", now=t(0, 11))
    if stop == "forwarded":
        return case
    case = actions.receive_case(actor=clerk, case=case, now=t(1, 9))
    case = actions.accept_case(actor=clerk, case=case, now=t(1, 10))
    if stop == "joint":
        if joint is None:  # a city without that department: the case waits in review
            return case
        actions.assign_joint_part(
            actor=clerk, case=case, department=joint, step_name="经营场所现场核查", now=t(1, 11)
        )
        return actions.review_case(
            actor=reviewer, case=Case.objects.get(pk=case.pk), opinion="agree", now=t(2)
        )
    if stop == "in_review":
        return case
    case = actions.review_case(actor=reviewer, case=case, opinion="agree", now=t(2))
    case = actions.decide_case(actor=approver, case=case, granted=True, now=t(3))
    case = actions.issue_result(actor=approver, case=case, now=t(4))
    case = actions.return_result(actor=clerk, case=case, now=t(4, 15))
    if stop == "returning":
        return case
    return actions.hall_handover(actor=hall, case=case, now=t(5))
