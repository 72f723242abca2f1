"""Demo 一件事: 24 published bundles over the demo catalogue, offered in 东湖区, and a few
bundle applications so that the 东湖区 clerks' queues, the citizen 13800000001 and the
enterprise operator 13800000004 have some.

Every bundle is saved and published through the catalogue's bundle actions, every
application through `submit_bundle` with back-dated moments. Running it again changes
nothing (bundles by code; an applicant who already applied for a bundle is skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from yiwang.cases import actions
from yiwang.cases.actions.bundles import refresh_bundle, submit_bundle
from yiwang.cases.models import BundleCase, Case
from yiwang.cases.outbox import deliver_pending
from yiwang.cases.uploads import check_upload
from yiwang.catalog.bundle_actions import publish_bundle, save_bundle
from yiwang.catalog.bundles import load_bundle, resolve
from yiwang.catalog.models import Bundle, Task
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.core.workdays import SHANGHAI, get_calendar
from yiwang.identity.models import LegalPerson, User
from yiwang.portal.demo.catalog import ITEMS
from yiwang.regions.models import Department, Region, Staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Member:
    name: str
    stage: int = 1
    # The situation option (question code, option code) that adds it; None: always.
    when: tuple[str, str] | None = None


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    life_cycle: str
    theme: str
    lead: str  # a city department, or a county department kind
    description: str
    members: tuple[Member, ...]
    # (code, text, ((option code, label), ...))
    questions: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


YES_NO = (("yes", "是"), ("no", "否"))


def _q(code: str, text: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (code, text, YES_NO)


SPECS: list[Spec] = [
    # ---- 个人全生命周期 ----
    Spec("newborn", "新生儿出生一件事", "person", "birth", "南昌市卫生健康委员会",
         "出生医学证明、户口登记、预防接种证、医保参保、社会保障卡，一次申请。",
         (Member("出生医学证明"), Member("出生登记（户口申报）", 2), Member("预防接种证办理", 2),
          Member("基本医疗保险参保登记", 3),
          Member("社会保障卡申领", 3, ("card", "yes"))),
         (_q("card", "是否同时为孩子申领社会保障卡？"),)),
    Spec("school-entry", "教育入学一件事", "person", "education", "南昌市教育局",
         "义务教育入学登记，非本市户籍的同时办理居住证。",
         (Member("居住证申领", 1, ("local", "no")), Member("义务教育入学登记", 2)),
         (_q("local", "孩子是否为本市户籍？"),)),
    Spec("retirement", "退休一件事", "person", "elderly", "人力资源和社会保障局",
         "养老金申领与医保退休待遇核定同步办理。",
         (Member("城镇职工基本养老保险待遇申领"), Member("职工医保退休待遇核定"),
          Member("社会保障卡申领", 1, ("card", "yes"))),
         (_q("card", "是否需要换领社会保障卡？"),)),
    Spec("after-death", "身后一件事", "person", "after_death", "南昌市公安局",
         "户口注销与丧葬补助金、抚恤金申领一次办。",
         (Member("居民死亡户口注销"),
          Member("丧葬补助金、抚恤金申领", 2, ("insured", "yes"))),
         (_q("insured", "逝者是否参加了职工基本养老保险？"),)),
    Spec("property", "不动产登记一件事", "person", "housing", "南昌市不动产登记中心",
         "二手房过户，可同时办理抵押登记和户口迁入。",
         (Member("不动产登记（转移登记）"),
          Member("不动产登记（抵押登记）", 1, ("loan", "yes")),
          Member("户口迁移（迁入）", 2, ("move", "yes"))),
         (_q("loan", "是否办理贷款抵押？"), _q("move", "是否将户口迁入新房？"))),
    Spec("marriage", "婚育一件事", "person", "living", "南昌市民政局",
         "结婚登记，可同时办理户口迁移。",
         (Member("结婚登记"), Member("户口迁移（迁入）", 2, ("move", "yes"))),
         (_q("move", "婚后是否迁移户口？"),)),
    Spec("unemployment", "失业保障一件事", "person", "employment", "人力资源和社会保障局",
         "失业保险金申领，就业困难人员认定、灵活就业参保按需办理。",
         (Member("失业保险金申领"), Member("就业困难人员认定", 1, ("help", "yes")),
          Member("灵活就业人员参保登记", 1, ("flexible", "yes"))),
         (_q("help", "是否需要就业援助？"), _q("flexible", "是否以灵活就业方式继续参保？"))),
    Spec("job-start", "就业创业一件事", "person", "employment", "人力资源和社会保障局",
         "灵活就业参保与社会保障卡一次办。",
         (Member("灵活就业人员参保登记"), Member("社会保障卡申领", 1, ("card", "yes"))),
         (_q("card", "是否需要申领社会保障卡？"),)),
    Spec("disability", "残疾人服务一件事", "person", "relief", "南昌市残疾人联合会",
         "残疾人证办理，按需认定就业困难人员。",
         (Member("残疾人证办理"), Member("就业困难人员认定", 2, ("job", "yes"))),
         (_q("job", "是否需要就业援助？"),)),
    Spec("medical", "异地就医一件事", "person", "medical", "南昌市医疗保障局",
         "零星报销与门诊慢特病认定一次办。",
         (Member("医疗费用报销（异地就医零星报销）"),
          Member("门诊慢特病待遇认定", 1, ("chronic", "yes"))),
         (_q("chronic", "是否患有门诊慢特病？"),)),
    Spec("travel", "出国（境）一件事", "person", "travel", "南昌市公安局",
         "普通护照签发，身份证到期的同时换领。",
         (Member("普通护照签发"), Member("居民身份证换领", 1, ("renew", "yes"))),
         (_q("renew", "身份证是否即将到期？"),)),
    Spec("social-card", "社保卡居民服务一卡通", "person", "living", "人力资源和社会保障局",
         "社会保障卡与医保参保登记一次办。",
         (Member("社会保障卡申领"), Member("基本医疗保险参保登记"))),
    Spec("new-resident", "新市民落户一件事", "person", "living", "南昌市公安局",
         "户口迁入、医保参保、社会保障卡一次办。",
         (Member("户口迁移（迁入）"), Member("基本医疗保险参保登记", 2),
          Member("社会保障卡申领", 2))),
    # ---- 经营主体全生命周期 ----
    Spec("restaurant", "开办餐饮店一件事", "enterprise", "entry", "市场监督管理局",
         "个体工商户登记后，食品经营许可与酒类零售许可并联办理；卖酒才办酒类许可。",
         (Member("个体工商户登记"), Member("食品经营许可", 2),
          Member("酒类商品零售许可", 2, ("liquor", "yes"))),
         (_q("liquor", "店里是否销售酒类？"),)),
    Spec("company-start", "企业开办一件事", "enterprise", "entry", "市场监督管理局",
         "营业执照、公章刻制、单位参保登记一次办，一个工作日内全部办结。",
         (Member("营业执照（企业设立登记）"), Member("公章刻制备案", 2),
          Member("单位参保登记", 2))),
    Spec("company-exit", "企业注销一件事", "enterprise", "exit", "市场监督管理局",
         "社保注销、公章缴销后办理注销登记，一套材料。",
         (Member("单位社会保险注销登记"), Member("公章缴销"), Member("企业注销登记", 2))),
    Spec("pharmacy", "开办药店一件事", "enterprise", "entry", "市场监督管理局",
         "药品零售许可，兼营医疗器械的同时备案。",
         (Member("药品零售企业经营许可"),
          Member("第二类医疗器械经营备案", 1, ("devices", "yes"))),
         (_q("devices", "是否销售第二类医疗器械？"),)),
    Spec("bookshop", "开办书店一件事", "enterprise", "entry", "行政审批局",
         "出版物零售许可，兼营饮品的同时办食品经营许可。",
         (Member("出版物零售单位设立"), Member("食品经营许可", 1, ("drinks", "yes"))),
         (_q("drinks", "是否兼营咖啡、饮品？"),)),
    Spec("tobacco-liquor", "开办烟花爆竹零售店一件事", "enterprise", "operation", "行政审批局",
         "烟花爆竹零售许可，兼营酒类的同时办酒类零售许可。",
         (Member("烟花爆竹经营（零售）许可"),
          Member("酒类商品零售许可", 1, ("liquor", "yes"))),
         (_q("liquor", "是否兼营酒类？"),)),
    Spec("ktv", "开办娱乐场所一件事", "enterprise", "entry", "行政审批局",
         "娱乐场所经营许可与公共场所卫生许可并联，按需办理酒类零售和营业性演出。",
         (Member("娱乐场所经营许可"), Member("公共场所卫生许可"),
          Member("酒类商品零售许可", 1, ("liquor", "yes")),
          Member("营业性演出许可", 2, ("shows", "yes"))),
         (_q("liquor", "是否销售酒类？"), _q("shows", "是否举办营业性演出？"))),
    Spec("construction", "建筑工程施工许可一件事", "enterprise", "construction",
         "南昌市自然资源和规划局",
         "用地规划、工程规划、施工许可按阶段串联，环评按需并联。",
         (Member("建设用地规划许可"), Member("建设工程规划许可", 2),
          Member("建设项目环境影响报告表审批", 2, ("eia", "yes")),
          Member("建筑工程施工许可证核发", 3)),
         (_q("eia", "项目是否需要编制环境影响报告表？"),)),
    Spec("hiring", "招聘用工一件事", "enterprise", "hiring", "人力资源和社会保障局",
         "单位参保登记，从事职业中介的同时办人力资源服务许可。",
         (Member("单位参保登记"), Member("人力资源服务许可", 1, ("agency", "yes"))),
         (_q("agency", "是否从事职业中介活动？"),)),
    Spec("pollution", "环保手续一件事", "enterprise", "operation", "南昌市生态环境局",
         "环评审批后办理排污许可。",
         (Member("建设项目环境影响报告表审批"), Member("排污许可", 2))),
    Spec("food-factory", "开办食品生产企业一件事", "enterprise", "entry", "南昌市市场监督管理局",
         "食品生产许可，使用锅炉等特种设备的同时办使用登记。",
         (Member("食品生产许可"), Member("特种设备使用登记", 1, ("boiler", "yes"))),
         (_q("boiler", "是否使用锅炉、压力容器等特种设备？"),)),
]  # fmt: skip

_INDEX = {item.name: index for index, item in enumerate(ITEMS)}


def _task(name: str, county: Region) -> Task:
    index = _INDEX[name]
    item = ITEMS[index]
    code = f"{item.task_type}{index + 1:04d}001000"
    tasks = Task.objects.filter(catalog_item__catalog_code=code, current_version__isnull=False)
    if item.level == "county":
        tasks = tasks.filter(region=county)
    task = tasks.order_by("task_code").first()
    if task is None:
        raise LookupError(f"demo item {name} is not published")
    return task


def _department(lead: str, county: Region) -> Department:
    if lead.startswith("南昌市"):
        return Department.objects.get(name=lead)
    return Department.objects.get(name=f"{county.name}{lead}")


def _save(spec: Spec, county: Region, city: Region) -> Bundle:
    tasks = {m.name: _task(m.name, county) for m in spec.members}
    local = any(ITEMS[_INDEX[m.name]].level == "county" for m in spec.members)
    adds: dict[tuple[str, str], list[str]] = {}
    for member in spec.members:
        if member.when is not None:
            adds.setdefault(member.when, []).append(tasks[member.name].task_code)
    return save_bundle(
        actor=SYSTEM,
        code=spec.code,
        name=spec.name,
        life_cycle=spec.life_cycle,
        theme=spec.theme,
        region=county if local else city,
        lead_department=_department(spec.lead, county),
        description=spec.description,
        members=[
            {
                "task_code": tasks[m.name].task_code,
                "stage": m.stage,
                "always": m.when is None,
            }
            for m in spec.members
        ],
        questions=[
            {
                "code": code,
                "text": text,
                "options": [
                    {"code": option, "label": label, "adds": adds.get((code, option), [])}
                    for option, label in options
                ],
            }
            for code, text, options in spec.questions
        ],
    )


def _moment(days_ago: int, hour: int = 10) -> dt.datetime:
    calendar = get_calendar()
    day = dt.datetime.now(SHANGHAI).date()
    back = days_ago
    while back > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day):
            back -= 1
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _files(bundle: Bundle, answers: dict[str, str]) -> dict[str, Any]:
    plan = resolve(load_bundle(bundle), answers)
    return {
        row.identity: check_upload(f"{row.name}.pdf", PDF + row.identity.encode())
        for row in plan.materials
        if row.asked
    }


def _clerk(department: Department, role: str) -> User | None:
    """A staff member of the department holding `role` (the demo's desks have one each)."""
    staff = (
        Staff.objects.filter(department=department, roles__role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return staff.user if staff is not None else None


def _apply(
    user: User, code: str, answers: dict[str, str], days_ago: int, **kw: Any
) -> BundleCase | None:
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        return None
    existing = BundleCase.objects.filter(bundle=bundle, applicant_user=user).first()
    if existing is not None:
        return None
    return submit_bundle(
        actor=user,
        bundle_code=code,
        answers=answers,
        form_data=kw.pop("form_data", {}),
        uploads=_files(bundle, answers),
        now=_moment(days_ago),
        **kw,
    )


def _advance(case: Case, when: dt.datetime, *, to: str) -> None:
    """Take a sub-case through the window (and on to the end, for `to="done"`)."""
    department = case.implementing_department
    clerk, reviewer, approver = (
        _clerk(department, r) for r in ("window_clerk", "reviewer", "approver")
    )
    if clerk is None:
        return
    case = actions.receive_case(actor=clerk, case=case, now=when)
    if to == "received":
        return
    case = actions.accept_case(actor=clerk, case=case, now=when)
    if to == "accepted" or reviewer is None or approver is None:
        return
    later = when + dt.timedelta(hours=2)
    case = actions.review_case(actor=reviewer, case=case, opinion="agree", now=later)
    case = actions.decide_case(actor=approver, case=case, granted=True, now=later)
    if case.status != "completed":
        try:
            case = actions.issue_result(actor=approver, case=case, now=later)
        except DomainError:  # the item's certificate type is not in the demo: deliver anyway
            case.refresh_from_db()
        try:
            case = actions.start_delivery(actor=clerk, case=case, method="electronic", now=later)
        except DomainError:  # a fee is still unpaid (payments gate): it waits at the window
            return
        actions.complete_case(actor=clerk, case=case, now=later)


def _applications() -> int:
    made = 0
    citizen = User.objects.filter(phone="13800000001").first()
    operator = User.objects.filter(phone="13800000004").first()
    if citizen is not None:
        restaurant = _apply(
            citizen,
            "restaurant",
            {"liquor": "yes"},
            3,
            form_data={
                "premises": "东湖区八一大道 88 号",
                "scope": "餐饮服务",
                "items": "热食类食品制售",
                "liquor_kinds": "啤酒",
            },
        )
        if restaurant is not None:
            made += 1
            shop = restaurant.sub_cases.get(bundle_stage=1)
            _advance(shop, _moment(2), to="accepted")
        retirement = _apply(citizen, "retirement", {"card": "no"}, 6)
        if retirement is not None:
            made += 1
            for case in retirement.sub_cases.all():
                _advance(case, _moment(4), to="done")
        social = _apply(citizen, "social-card", {}, 1)
        made += social is not None
        job = _apply(citizen, "job-start", {"card": "no"}, 5)
        if job is not None:
            made += 1
            for case in job.sub_cases.all():
                _advance(case, _moment(3), to="done")
    if operator is not None:
        company = LegalPerson.objects.filter(operators__user=operator).order_by("pk").first()
        if company is not None:
            hiring = _apply(operator, "hiring", {"agency": "no"}, 2, legal_person=company)
            if hiring is not None:
                made += 1
                for case in hiring.sub_cases.all():
                    _advance(case, _moment(1), to="received")
            pharmacy = _apply(operator, "pharmacy", {"devices": "yes"}, 1, legal_person=company)
            made += pharmacy is not None
            # Three sub-cases in the 东湖区行政审批局 queue of donghu.clerk.
            ktv = _apply(operator, "ktv", {"liquor": "yes", "shows": "no"}, 2, legal_person=company)
            if ktv is not None:
                made += 1
                first = ktv.sub_cases.order_by("pk").first()
                if first is not None:
                    _advance(first, _moment(1), to="received")
    deliver_pending()
    for parent in BundleCase.objects.all():
        refresh_bundle(actor=SYSTEM, bundle_case=parent)
    return made


def load(counties: list[Region]) -> dict[str, int]:
    """Save and publish the demo bundles (in 东湖区), then a few applications; idempotent."""
    county = counties[0]
    city = county.parent
    assert city is not None
    created = 0
    for spec in SPECS:
        if Bundle.objects.filter(code=spec.code).exists():
            continue
        bundle = _save(spec, county, city)
        publish_bundle(actor=SYSTEM, bundle=bundle)
        created += 1
    return {"bundles": created, "applications": _applications()}
