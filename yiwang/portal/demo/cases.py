"""Demo cases: 26 scenarios in each of the 9 counties (234 cases), every state of the
machine, overdue and paused ones among them.

Everything goes through the actions with back-dated `now=` moments (so the timeline, audit
log and outbox look like a working city's), then the periodic tick runs as of today: it
deems old receipts accepted and computes the yellow/red warnings the queues show.

The catalogue demo may not be on this branch yet, so five published items per county are
created here through catalog.actions (idempotently, by task code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.cases import actions
from yiwang.cases.models import Case
from yiwang.cases.tasks import run_tick
from yiwang.cases.uploads import check_upload
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CatalogItem, Task, TaskVersion
from yiwang.core.actors import SYSTEM
from yiwang.core.workdays import SHANGHAI, get_calendar
from yiwang.identity.models import User
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region, Staff

DEMO_PASSWORD = "Yiwang@2026"  # noqa: S105 - the demo's published password

# (catalogue code, name, department kind, fields, materials)
ITEMS: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]]]] = [
    (
        "000201001000", "食品经营许可", "市场监督管理局",
        {"task_type": "01", "anticipate_day": 20, "promise_day": 10, "result_type": "1",
         "result_name": "食品经营许可证", "aliases": "开餐馆、开饭店、开超市",
         "server_type": ["1", "2"]},
        [{"material_name": "食品经营许可申请书"}, {"material_name": "经营场所平面图"},
         {"material_name": "营业执照", "source_type": "4",
          "source_certificate_type_code": "11100000000013127D001"}],
    ),
    (
        "000201002000", "个体工商户设立登记", "市场监督管理局",
        {"task_type": "01", "anticipate_day": 15, "promise_day": 0, "project_type": "1",
         "result_type": "3", "result_name": "个体工商户营业执照", "server_type": ["1"]},
        [{"material_name": "个体工商户登记申请书"}, {"material_name": "经营者身份证明"}],
    ),
    (
        "000105003000", "就业创业证申领", "人力资源和社会保障局",
        {"task_type": "20", "anticipate_day": 10, "promise_day": 5, "result_type": "1",
         "result_name": "就业创业证", "server_type": ["1"]},
        [{"material_name": "就业创业证申请表"}, {"material_name": "近期免冠照片"}],
    ),
    (
        "000114004000", "建设工程消防设计审查", "行政审批局",
        {"task_type": "01", "anticipate_day": 20, "promise_day": 15, "result_type": "2",
         "result_name": "消防设计审查意见书", "server_type": ["1", "2"],
         "other_dept": "市场监督管理局"},
        [{"material_name": "消防设计审查申请表"}, {"material_name": "消防设计文件"},
         {"material_name": "建设工程规划许可证", "source_type": "4"}],
    ),
    (
        "000117005000", "公共场所卫生许可", "行政审批局",
        {"task_type": "01", "anticipate_day": 20, "promise_day": 10, "result_type": "1",
         "result_name": "公共场所卫生许可证", "server_type": ["1", "2"]},
        [{"material_name": "卫生许可申请书"}, {"material_name": "卫生管理制度"},
         {"material_name": "从业人员健康证明"}],
    ),
]  # fmt: skip
STEPS = [
    {"name": "受理", "role": "window_clerk", "limit_days": 1},
    {"name": "审查", "role": "reviewer", "limit_days": 5},
    {"name": "决定", "role": "approver", "limit_days": 2},
]
KIND_SLUG = {"行政审批局": "", "市场监督管理局": "scjg.", "人力资源和社会保障局": "rs."}
COUNTY_SLUG = {"360102": "donghu", "360103": "xihu"}


@dataclass
class Desk:
    """The staff of one department who work its cases."""

    clerk: User
    reviewer: User
    approver: User


def _item(code: str, name: str, task_type: str) -> CatalogItem:
    existing = CatalogItem.objects.filter(catalog_code=code).first()
    return existing or catalog_actions.create_catalog_item(
        actor=SYSTEM, catalog_code=code, name=name, task_type=task_type
    )


def _published(department: Department, county: Region, spec: tuple[Any, ...]) -> TaskVersion:
    code, name, _kind, fields, materials = spec
    task_code = f"{department.uscc}4{code}"
    task = Task.objects.filter(task_code=task_code).select_related("current_version").first()
    if task is not None and task.current_version is not None:
        return task.current_version
    item = _item(code, name, fields["task_type"])
    version = catalog_actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=department,
        region=county,
        task_code=task_code,
        fields={"task_name": name, "use_level": "4", "transact_addr": f"{county.name}政务服务中心",
                **fields},
        children={"materials": materials, "steps": STEPS},
    )  # fmt: skip
    catalog_actions.submit_version(actor=SYSTEM, version=version)
    catalog_actions.approve_version(actor=SYSTEM, version=version)
    return catalog_actions.publish_version(actor=SYSTEM, version=version)


def _staff_user(username: str, name: str, department: Department, role: Role, **kw: Any) -> User:
    existing = Staff.objects.filter(user__username=username).select_related("user").first()
    if existing is not None:
        return existing.user
    from yiwang.regions import actions as region_actions

    return region_actions.create_staff(
        actor=SYSTEM, username=username, display_name=name, password=DEMO_PASSWORD,
        department=department, roles=[role], **kw,
    ).user  # fmt: skip


def _desk(county: Region, department: Department, kind: str) -> Desk:
    """Existing demo staff where there are some (donghu.*, xihu.*, clerk.<code>), else new."""
    code = county.code[:6]
    slug = KIND_SLUG[kind]
    county_slug = COUNTY_SLUG.get(code)
    names = {}
    for role in ("clerk", "reviewer", "approver"):
        if county_slug and not slug:
            names[role] = f"{county_slug}.{role}"
        else:
            names[role] = f"{slug}{role}.{code}"
    labels = {"clerk": "窗口人员", "reviewer": "审查人员", "approver": "审批人员"}
    roles = {"clerk": Role.WINDOW_CLERK, "reviewer": Role.REVIEWER, "approver": Role.APPROVER}
    users = {
        role: _staff_user(names[role], f"{department.name}{labels[role]}", department, roles[role])
        for role in names
    }
    if not county_slug:  # a head for escalations in every county without named demo admins
        _staff_user(f"admin.{code}", f"{county.name}部门管理员", department,
                    Role.DEPARTMENT_ADMIN, department_only=False)  # fmt: skip
    return Desk(users["clerk"], users["reviewer"], users["approver"])


class Clock:
    """Moments n working days before today, at office hours, never in the future."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.today = now.astimezone(SHANGHAI).date()
        calendar = get_calendar()
        self.days: list[dt.date] = []
        day = self.today
        while len(self.days) < 80:
            if calendar.is_workday(day):
                self.days.append(day)
            day -= dt.timedelta(days=1)

    def at(self, age: int, hour: int = 10) -> dt.datetime:
        """`age` working days ago (0 = the latest working day up to today)."""
        day = self.days[max(age, 0)]
        moment = dt.datetime.combine(day, dt.time(hour, 7 * age % 60), tzinfo=SHANGHAI)
        return min(moment, self.now - dt.timedelta(minutes=5))


def _files(version: TaskVersion, salt: str) -> dict[int, Any]:
    body = b"%PDF-1.4\n% Yiwang demo material\n"
    return {
        m.pk: check_upload(f"{m.material_name}.pdf", body + f"{salt}-{m.pk}".encode() + b"\n%%EOF")
        # Certificate materials too: no reuse provider is wired on this branch yet.
        for m in version.materials.all()
    }


Step = Callable[..., Case]


def run_scenario(
    name: str, case_age: int, clock: Clock, version: TaskVersion, desk: Desk,
    applicant: User, joint: Department | None, salt: str,
) -> Case | None:  # fmt: skip
    """Drive one case to the scenario's state; `case_age` = working days since submission."""
    a = case_age

    def t(offset: int, hour: int = 10) -> dt.datetime:
        return clock.at(a - offset, hour)

    uploads = _files(version, salt)
    if name == "draft":
        return actions.submit_case(actor=applicant, version_id=version.pk, uploads=uploads,
                                   draft=True, now=t(0))  # fmt: skip
    case = actions.submit_case(actor=applicant, version_id=version.pk, uploads=uploads, now=t(0, 9))
    if name == "submitted":
        return case
    if name == "returned":
        return actions.return_case(actor=desk.clerk, case=case, reason="申请事项不属于本窗口受理范围，请向属地窗口申请。", now=t(0, 14))  # fmt: skip  # noqa: E501
    if name == "withdrawn_early":
        return actions.withdraw_case(actor=applicant, case=case, reason="信息填写有误，重新申请", now=t(0, 15))  # fmt: skip  # noqa: E501
    case = actions.receive_case(actor=desk.clerk, case=case, now=t(0, 11))
    if name in {"received", "deemed"}:
        return case
    if name == "not_accepted":
        return actions.not_accept(actor=desk.clerk, case=case, reason="申请人不具备法定条件：经营场所位于规划禁止区域。", now=t(1))  # fmt: skip  # noqa: E501
    if name in {"correction", "returned_after_correction"}:
        row = case.materials.order_by("id").first()
        assert row is not None
        case = actions.request_correction(
            actor=desk.clerk, case=case, rejections={row.pk: "缺少申请人签字，且复印件不清晰。"},
            explain="请一次性补齐", now=t(1),
        )  # fmt: skip
        if name == "returned_after_correction":
            case = actions.return_case(actor=desk.clerk, case=case, reason="逾期未补正", now=t(8))
        return case
    mode = {"tolerance": "tolerance", "notify_commit": "notify_commit"}.get(name, "normal")
    deferred = {}
    if mode == "tolerance":
        row = case.materials.order_by("id").last()
        assert row is not None
        actions.check_material(actor=desk.clerk, case=case, material_id=row.pk, accepted=False,
                               reason="原件未到，容缺后补", now=t(1, 9))  # fmt: skip
        case.refresh_from_db()
        deferred = {row.material_id: clock.today + dt.timedelta(days=10)}
    joint_departments = [joint] if joint is not None and name == "joint" else []
    case = actions.accept_case(actor=desk.clerk, case=case, mode=mode, deferred=deferred,
                               joint_departments=joint_departments, now=t(1))  # fmt: skip
    if name in {"accepted", "tolerance", "overdue_accepted"}:
        return case
    if name == "immediate":
        case = actions.decide_case(actor=desk.approver, case=case, granted=True, now=t(1, 11))
        return actions.complete_case(actor=desk.clerk, case=case, now=t(1, 15))
    if name == "notify_commit":
        case = actions.decide_case(actor=desk.approver, case=case, granted=True, now=t(1, 15))
        case = actions.issue_result(actor=desk.approver, case=case, now=t(2))
        case = actions.start_delivery(actor=desk.clerk, case=case, method="electronic", now=t(2, 14))  # fmt: skip  # noqa: E501
        return actions.complete_case(actor=desk.clerk, case=case, now=t(2, 16))
    if name == "terminated":
        return actions.terminate_case(actor=desk.approver, case=case, reason="申请人营业执照已被吊销，依法终止办理。", now=t(2))  # fmt: skip  # noqa: E501
    if name == "withdrawn":
        return actions.withdraw_case(actor=applicant, case=case, reason="经营计划调整", now=t(2))
    case = actions.review_case(actor=desk.reviewer, case=case, opinion="agree", explain="材料齐全，符合条件", now=t(2))  # fmt: skip  # noqa: E501
    if name in {"joint", "in_review", "overdue_review"}:
        return case
    if name in {"special", "special_done"}:
        case = actions.start_special_procedure(
            actor=desk.reviewer, case=case, special_type="4", reason="需对经营场所进行现场检验",
            duration_explain="检验约需 5 个工作日，期间不计入办理时限", now=t(3),
        )  # fmt: skip
        if name == "special":
            return case
        case = actions.end_special_procedure(actor=desk.reviewer, case=case, result="检验合格", now=t(6))  # fmt: skip  # noqa: E501
    if name == "suspended":
        return actions.suspend_case(actor=desk.approver, case=case, reason="申请人涉及行政复议，待复议结果", now=t(3))  # fmt: skip  # noqa: E501
    if name == "extended":
        return actions.extend_case(actor=desk.approver, case=case, reason="需征求相关部门意见", now=t(3))  # fmt: skip  # noqa: E501
    refused = name in {"refused", "completed_refused"}
    case = actions.decide_case(
        actor=desk.approver, case=case, granted=not refused,
        reason="经现场核查，经营场所不符合卫生要求。" if refused else "",
        remedy_notice="如不服本决定，可自收到之日起六十日内申请行政复议，或六个月内提起行政诉讼。"
        if refused else "", now=t(7 if name == "special_done" else 4),
    )  # fmt: skip
    if name in {"granted", "refused"}:
        return case
    if not refused:
        case = actions.issue_result(actor=desk.approver, case=case, now=t(5))
        if name == "cert_issuing":
            return case
    case = actions.start_delivery(actor=desk.clerk, case=case, method="window", now=t(5, 15))
    if name == "delivering":
        return case
    return actions.complete_case(actor=desk.clerk, case=case, now=t(6))


# (scenario, working days since submission); each county gets every scenario once.
SCENARIOS = [
    ("draft", 0), ("submitted", 0), ("returned", 3), ("withdrawn_early", 4), ("received", 1),
    ("deemed", 9), ("correction", 3), ("returned_after_correction", 14), ("not_accepted", 5),
    ("accepted", 2), ("tolerance", 3), ("notify_commit", 6), ("joint", 4), ("in_review", 5),
    ("overdue_review", 24), ("overdue_accepted", 19), ("special", 6), ("special_done", 12),
    ("suspended", 8), ("extended", 13), ("granted", 7), ("refused", 8), ("cert_issuing", 9),
    ("delivering", 10), ("completed", 15), ("completed_refused", 16), ("terminated", 5),
    ("withdrawn", 4), ("immediate", 2),
]  # fmt: skip
FOR_IMMEDIATE = {"draft", "submitted", "returned", "received", "not_accepted", "withdrawn_early",
                 "correction", "immediate"}  # fmt: skip


def load(now: dt.datetime | None = None, county_codes: list[str] | None = None) -> int:
    """Create the demo cases once; returns how many exist afterwards.

    Items whose department the city lacks are left out; `county_codes` limits the counties.
    """
    if Case.objects.exists():
        return Case.objects.count()
    now = now or timezone.now()
    clock = Clock(now)
    counties = list(Region.objects.filter(level=2).order_by("code"))
    if county_codes is not None:
        counties = [c for c in counties if c.code in county_codes]
    citizens = list(User.objects.filter(kind="citizen", person__isnull=False).order_by("phone"))
    if not counties or not citizens:
        return 0
    serial = 0
    for c_index, county in enumerate(counties):
        desks: dict[str, tuple[TaskVersion, Desk, Department]] = {}
        departments = {}
        for spec in ITEMS:
            kind = spec[2]
            department = Department.objects.filter(
                name=f"{county.name}{kind}", region=county
            ).first()
            if department is None:
                continue
            departments[kind] = department
            desks[spec[1]] = (_published(department, county, spec), _desk(county, department, kind), department)  # fmt: skip  # noqa: E501
        names = [s[1] for s in ITEMS if s[3].get("project_type") != "1" and s[1] in desks]
        # The named demo log-ins (donghu.*, xihu.*) work at the 行政审批局 of the first two
        # districts: that department gets every scenario there, so each of their queues shows
        # cases; the other counties spread the scenarios over their departments.
        named_desks = c_index < 2
        if named_desks:
            names = [n for n in names if desks[n][2].name.endswith("行政审批局")] or names
        immediate = "个体工商户设立登记" if "个体工商户设立登记" in desks else None
        if not names:
            continue
        for s_index, (scenario, age) in enumerate(SCENARIOS):
            if scenario == "immediate" and immediate is None:
                continue
            if immediate and (
                scenario == "immediate"
                or (not named_desks and s_index % 3 == 0 and scenario in FOR_IMMEDIATE)
            ):
                item = immediate
            else:
                item = names[(s_index + c_index) % len(names)]
            version, desk, department = desks[item]
            others = [d for d in departments.values() if d.pk != department.pk]
            joint = others[0] if others else None
            # The first citizen (13800000001, of 东湖区) applies for most of 东湖区's cases.
            if c_index == 0 and s_index % 2 == 0:
                applicant = citizens[0]
            else:
                applicant = citizens[(c_index * 7 + s_index) % len(citizens)]
            serial += 1
            run_scenario(scenario, age, clock, version, desk, applicant, joint, f"{serial}")
    run_tick(now)
    return Case.objects.count()
