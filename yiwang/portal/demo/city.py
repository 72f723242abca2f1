"""The demo city: 南昌市's real city and county codes, generated townships and villages,
departments with checksum-valid USCCs, staff for every role, citizens and enterprises.

Everything is created through the domain actions, so the demo is audited like real data, and
each step looks its object up first, so running the loader twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from stdnum.cn import ric, uscc

from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity_actions
from yiwang.identity.choices import ApplicantType, DocumentType, OperatorScope, RealNameLevel
from yiwang.identity.models import LegalPerson, User
from yiwang.regions import actions as region_actions
from yiwang.regions.choices import RegionLevel, Role
from yiwang.regions.models import Department, Region, Staff

DEMO_PASSWORD = "Yiwang@2026"  # noqa: S105 - printed on purpose for the demo log-ins

CITY = ("360100000000", "南昌市")
COUNTIES = [
    ("360102000000", "东湖区"),
    ("360103000000", "西湖区"),
    ("360104000000", "青云谱区"),
    ("360111000000", "青山湖区"),
    ("360112000000", "新建区"),
    ("360113000000", "红谷滩区"),
    ("360121000000", "南昌县"),
    ("360123000000", "安义县"),
    ("360124000000", "进贤县"),
]
TOWNSHIP_STEMS = [
    "滨江",
    "城南",
    "新华",
    "朝阳",
    "长春",
    "丰和",
    "沙井",
    "桃花",
    "莲塘",
    "石埠",
    "望城",
    "昌北",
    "湖坊",
    "京东",
    "罗家",
    "塘山",
    "梅岭",
    "象湖",
    "洪都",
    "龙岗",
]
VILLAGE_STEMS = [
    "东升",
    "前进",
    "红星",
    "新村",
    "胜利",
    "和平",
    "幸福",
    "光明",
    "建设",
    "团结",
    "富民",
    "兴旺",
    "永安",
    "长青",
    "柳林",
    "杨家",
    "李家",
    "陈坊",
    "黄溪",
    "枫林",
]
CITY_DEPARTMENTS = [
    "南昌市行政审批局",
    "南昌市市场监督管理局",
    "南昌市公安局",
    "南昌市人力资源和社会保障局",
    "南昌市卫生健康委员会",
    "南昌市住房和城乡建设局",
    "南昌市自然资源和规划局",
    "南昌市民政局",
    "南昌市医疗保障局",
    "南昌市教育局",
    "南昌市交通运输局",
    "南昌市生态环境局",
    "南昌市文化广电新闻出版旅游局",
    "南昌市应急管理局",
    "南昌市城市管理和综合执法局",
    "南昌市农业农村局",
    "南昌市不动产登记中心",
    "南昌市数据管理局",
    "南昌市残疾人联合会",
    "南昌市司法局",
]
COUNTY_DEPARTMENT_KINDS = ["行政审批局", "市场监督管理局", "人力资源和社会保障局"]
CITIZEN_NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "黄磊",
    "赵敏",
    "周杰",
    "吴婷",
    "徐强",
    "孙丽",
    "胡军",
    "朱红",
    "高峰",
    "林琳",
    "何平",
    "郭涛",
    "马兰",
    "罗斌",
    "梁晨",
    "宋佳",
    "郑凯",
    "谢雨",
]
ENTERPRISES = [
    "南昌赣香餐饮管理有限公司",
    "江西洪城建设工程有限公司",
    "南昌滕王阁文化传媒有限公司",
    "江西绿野农业科技有限公司",
    "南昌昌北物流有限公司",
    "江西瓷都商贸有限公司",
    "南昌红谷智能科技有限公司",
    "江西鄱湖水产有限公司",
    "南昌青山湖纺织有限公司",
    "江西赣江新区医药有限公司",
    "南昌进贤文具制造有限公司",
]


@dataclass(frozen=True)
class DemoLogin:
    """A log-in printed for the person trying the demo."""

    login: str
    role: str
    where: str


def uscc_for(prefix8: str, serial: int) -> str:
    """A checksum-valid USCC: 8-character prefix (登记部门, 类别, 区划) + 9-char body + check."""
    body = f"{prefix8}{serial:09d}"
    return body + uscc.calc_check_digit(body + "0")


def resident_id_for(region6: str, birth: dt.date, sequence: int) -> str:
    """A checksum-valid 18-digit resident ID."""
    body = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def _region(code: str, name: str) -> Region:
    existing = Region.objects.filter(code=code).first()
    return existing or region_actions.create_region(actor=SYSTEM, code=code, name=name)


def _department(name: str, code: str, region: Region) -> Department:
    existing = Department.objects.filter(uscc=code).first()
    return existing or region_actions.create_department(
        actor=SYSTEM, name=name, uscc=code, region=region
    )


def _staff(
    username: str,
    name: str,
    department: Department,
    roles: list[Role],
    *,
    jurisdiction: Region | None = None,
    department_only: bool = True,
) -> Staff:
    existing = Staff.objects.filter(user__username=username).first()
    return existing or region_actions.create_staff(
        actor=SYSTEM,
        username=username,
        display_name=name,
        password=DEMO_PASSWORD,
        department=department,
        roles=roles,
        jurisdiction=jurisdiction,
        department_only=department_only,
    )


def load_regions() -> tuple[Region, list[Region]]:
    """City, 9 counties, 63 townships (7 each), 315 villages (5 each)."""
    city = _region(*CITY)
    counties = [_region(code, name) for code, name in COUNTIES]
    for c_index, county in enumerate(counties):
        for t in range(7):
            stem = TOWNSHIP_STEMS[(c_index * 7 + t) % len(TOWNSHIP_STEMS)]
            suffix = "街道" if county.name.endswith("区") else "镇"
            township = _region(f"{county.code[:6]}{t + 1:03d}000", f"{stem}{suffix}")
            for v in range(5):
                v_stem = VILLAGE_STEMS[(c_index * 35 + t * 5 + v) % len(VILLAGE_STEMS)]
                kind = "社区" if suffix == "街道" else "村"
                _region(f"{township.code[:9]}{v + 1:03d}", f"{v_stem}{kind}")
    return city, counties


def load_departments(city: Region, counties: list[Region]) -> dict[str, Department]:
    """20 city departments and 3 per county (47 in all), keyed by name."""
    departments: dict[str, Department] = {}
    for index, name in enumerate(CITY_DEPARTMENTS, start=1):
        departments[name] = _department(name, uscc_for("11360100", 10_000 + index), city)
    for c_index, county in enumerate(counties):
        for k_index, kind in enumerate(COUNTY_DEPARTMENT_KINDS, start=1):
            name = f"{county.name}{kind}"
            code = uscc_for(f"11{county.code[:6]}", 20_000 + c_index * 10 + k_index)
            departments[name] = _department(name, code, county)
    return departments


def load_staff(
    city: Region, counties: list[Region], departments: dict[str, Department]
) -> list[DemoLogin]:
    """Named demo staff for every role, in the city and in two districts."""
    logins: list[DemoLogin] = []
    approvals = departments["南昌市行政审批局"]

    def add(username: str, name: str, dept: Department, roles: list[Role], **kw: object) -> None:
        _staff(username, name, dept, roles, **kw)  # type: ignore[arg-type]
        where = dept.name
        logins.append(DemoLogin(username, "、".join(str(r.label) for r in roles), where))

    add(
        "admin",
        "系统管理员",
        departments["南昌市数据管理局"],
        [Role.SYSTEM_ADMIN],
        jurisdiction=city,
        department_only=False,
    )
    add(
        "catalog",
        "事项管理员",
        approvals,
        [Role.CATALOG_ADMIN],
        jurisdiction=city,
        department_only=False,
    )
    add(
        "data",
        "数据管理员",
        departments["南昌市数据管理局"],
        [Role.DATA_ADMIN],
        jurisdiction=city,
        department_only=False,
    )
    add(
        "supervisor",
        "效能监督员",
        approvals,
        [Role.SUPERVISOR],
        jurisdiction=city,
        department_only=False,
    )
    add("city.clerk", "市级窗口人员", approvals, [Role.WINDOW_CLERK])
    add("city.reviewer", "市级审查人员", approvals, [Role.REVIEWER])
    add("city.approver", "市级审批人员", approvals, [Role.APPROVER])
    for county, slug in ((counties[0], "donghu"), (counties[1], "xihu")):
        dept = departments[f"{county.name}行政审批局"]
        add(f"{slug}.clerk", f"{county.name}窗口人员", dept, [Role.WINDOW_CLERK])
        add(f"{slug}.reviewer", f"{county.name}审查人员", dept, [Role.REVIEWER])
        add(f"{slug}.approver", f"{county.name}审批人员", dept, [Role.APPROVER])
        add(
            f"{slug}.admin",
            f"{county.name}部门管理员",
            dept,
            [Role.DEPARTMENT_ADMIN],
            department_only=False,
        )
    # Every other county gets a window clerk, so each county's queue has someone.
    for county in counties[2:]:
        dept = departments[f"{county.name}行政审批局"]
        _staff(f"clerk.{county.code[:6]}", f"{county.name}窗口人员", dept, [Role.WINDOW_CLERK])
    return logins


def load_people(counties: list[Region]) -> list[DemoLogin]:
    """24 citizens spread over the districts, 11 enterprises with operators."""
    logins: list[DemoLogin] = []
    citizens: list[User] = []
    for index, name in enumerate(CITIZEN_NAMES):
        county = counties[index % len(counties)]
        residence = Region.objects.filter(
            level=RegionLevel.VILLAGE, prefix__startswith=county.prefix
        ).order_by("code")[index % 35]
        birth = dt.date(1960 + (index * 7) % 45, 1 + index % 12, 1 + (index * 3) % 28)
        number = resident_id_for(county.code[:6], birth, 100 + index * 2)
        phone = f"138{index + 1:08d}"
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = identity_actions.register_citizen(
                actor=SYSTEM,
                name=name,
                document_type=DocumentType.RESIDENT_ID,
                document_number=number,
                phone=phone,
                password=DEMO_PASSWORD,
                region=residence,
                real_name_level=RealNameLevel.STRONG if index < 5 else RealNameLevel.VERIFIED,
            )
        citizens.append(user)
        if index < 3:
            logins.append(DemoLogin(phone, "市民", f"{name}，{county.name}"))
    for index, name in enumerate(ENTERPRISES):
        county = counties[index % len(counties)]
        code = uscc_for(f"91{county.code[:6]}", 300_000 + index)
        company = LegalPerson.objects.filter(uscc=code).first()
        if company is None:
            company = identity_actions.register_legal_person(
                actor=SYSTEM,
                name=name,
                uscc=code,
                applicant_type=ApplicantType.ENTERPRISE,
                legal_representative=CITIZEN_NAMES[-1 - index],
                region=county,
            )
        operator = citizens[(index + 3) % len(citizens)]
        if not company.operators.filter(user=operator).exists():
            identity_actions.authorise_operator(
                actor=SYSTEM,
                legal_person=company,
                user=operator,
                scopes=[s.value for s in OperatorScope],
            )
        if index == 0:
            logins.append(DemoLogin(operator.phone or "", "企业经办人", name))
    return logins


def load_city() -> list[DemoLogin]:
    """Load (or complete) the whole demo city; returns the log-ins worth printing."""
    # Each domain's demo module imports this one for the city, so they are imported here.
    from yiwang.portal.demo import around, bundles, cases, catalog, certificates, exchange, ledger

    city, counties = load_regions()
    departments = load_departments(city, counties)
    logins = load_staff(city, counties, departments) + load_people(counties)
    catalog.load(counties)
    certificates.load(departments)
    # After the catalogue: cases need published items and people.
    cases.load()
    import_module("yiwang.portal.demo.tongban").load()  # 跨域通办: after the cases' queues
    bundles.load(counties)
    around.load()
    logins += [DemoLogin(*login) for login in exchange.load()]
    ledger.load()
    return logins
