"""The people and things the golden path needs, made through the project's own actions.

A focused slice of the demo city (loading the whole demo takes ~35 s): one county, the
market-supervision bureau that grants 食品经营许可 with its window clerk, reviewer and approver,
a 开餐馆 item with uploads, an online fee, hall slots and a certificate result, a restaurant
company whose operator is the citizen, and the ledger's signing key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from conftest import PASSWORD, City, make_citizen
from yiwang.appointments import actions as appointments
from yiwang.appointments.choices import Session
from yiwang.catalog import actions as catalog
from yiwang.catalog.models import TaskVersion
from yiwang.certificates import actions as certificates
from yiwang.certificates.tests.conftest import BUSINESS_LICENCE, FOOD_LICENCE, make_types
from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity
from yiwang.identity.choices import ApplicantType, OperatorScope
from yiwang.identity.models import LegalPerson
from yiwang.ledger.actions import ensure_log_key
from yiwang.portal.demo.city import uscc_for
from yiwang.regions import actions as region_actions
from yiwang.regions.choices import Role

COMPANY = "南昌赣香餐饮管理有限公司"
# 东湖区市场监督管理局: the window clerk, the reviewer and the approver (the names show on pages).
STAFF = [
    ("clerk.a2", "李娜", Role.WINDOW_CLERK),
    ("reviewer.a2", "陈刚", Role.REVIEWER),
    ("approver.a2", "周敏", Role.APPROVER),
]
HALL = "东湖区政务服务中心"
FEE_YUAN = "10.00"


@dataclass
class Login:
    username: str
    password: str = PASSWORD


@dataclass
class World:
    version: TaskVersion
    company: LegalPerson
    citizen: Login
    clerk: Login
    reviewer: Login
    approver: Login


def _restaurant_item(city: City) -> TaskVersion:
    """食品经营许可（新办）: two uploads, the business licence reused, a fee paid online."""
    item = catalog.create_catalog_item(
        actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
    )
    version = catalog.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=city.dept_a2,
        region=city.county_a,
        task_code=f"{city.dept_a2.uscc}4000201001D01",
        fields={
            "task_name": "食品经营许可（新办）",
            "task_type": "01",
            "use_level": "4",
            "server_type": ["2"],
            "anticipate_day": 20,
            "promise_day": 10,
            "project_type": "2",
            "handle_area": "2",
            "aliases": "开餐馆、开饭店、开超市",
            "result_type": "1",
            "result_name": "食品经营许可证",
            "result_certificate_type_code": FOOD_LICENCE,
            "is_fee": True,
            "fee_basis": "示例收费，仅用于演示网上缴费",
            "is_pay_online": True,
            "is_schedule": True,
        },
        children={
            "materials": [
                {"material_name": "食品经营许可申请书", "source_type": "1"},
                {
                    "material_name": "营业执照",
                    "source_type": "4",
                    "source_certificate_type_code": BUSINESS_LICENCE,
                },
                {"material_name": "食品安全管理制度", "source_type": "1"},
            ],
            "steps": [
                {"name": "受理", "role": "window_clerk", "limit_days": 1},
                {"name": "审查", "role": "reviewer", "limit_days": 6},
                {"name": "决定", "role": "approver", "limit_days": 3},
            ],
            "fees": [{"fee_name": "许可证工本费", "fee_stand": "10元/证", "amount_fen": 1000}],
        },
    )
    catalog.submit_version(actor=SYSTEM, version=version)
    catalog.approve_version(actor=SYSTEM, version=version)
    return catalog.publish_version(actor=SYSTEM, version=version)


def _hall(city: City, version: TaskVersion) -> None:
    """The county hall: a window for the item, slots on each of the next four days."""
    hall = appointments.create_hall(
        actor=SYSTEM,
        name=HALL,
        region=city.county_a,
        department=city.dept_a,
        address="东湖区政务服务中心一楼",
    )
    window = appointments.add_window(
        actor=SYSTEM, hall=hall, number="01", name="综合受理", tasks=[version.task]
    )
    t = dt.time
    for weekday in range(5):
        appointments.add_template(
            actor=SYSTEM, window=window, session=Session.REGULAR, weekday=weekday,
            start=t(9), end=t(12), slot_minutes=30, capacity=3,
        )  # fmt: skip
    appointments.add_template(  # 周末及节假日
        actor=SYSTEM, window=window, session=Session.WEEKEND, weekday=None,
        start=t(9), end=t(12), slot_minutes=30, capacity=2,
    )  # fmt: skip
    appointments.generate_slots(actor=SYSTEM, hall=hall, start=timezone.localdate(), days=4)


def _company(city: City, citizen: object) -> LegalPerson:
    """The restaurant company, its operator the citizen, holding a valid 营业执照 (免提交)."""
    business, _food, _disability = make_types()
    certificates.create_issuer_key(actor=SYSTEM, department=city.dept_a2)
    company = identity.register_legal_person(
        actor=SYSTEM,
        name=COMPANY,
        uscc=uscc_for("91360102", 300_001),
        applicant_type=ApplicantType.ENTERPRISE,
        legal_representative="罗斌",
        region=city.county_a,
    )
    identity.authorise_operator(
        actor=SYSTEM,
        legal_person=company,
        user=citizen,
        scopes=[s.value for s in OperatorScope],
    )
    certificates.issue_certificate(
        actor=SYSTEM,
        certificate_type=business,
        holder=company,
        issuer=city.dept_a2,
        face={"legal_representative": "罗斌", "scope": "餐饮服务"},
    )
    return company


def build_world(city: City) -> World:
    """Everything the path needs, through the actions (so it is audited like real data)."""
    ensure_log_key(actor=SYSTEM)
    citizen = make_citizen("张伟", city.village_a, 1)
    for username, name, role in STAFF:
        region_actions.create_staff(
            actor=SYSTEM,
            username=username,
            display_name=name,
            password=PASSWORD,
            department=city.dept_a2,
            roles=[role],
        )
    version = _restaurant_item(city)
    _hall(city, version)
    company = _company(city, citizen)
    return World(
        version=version,
        company=company,
        citizen=Login(citizen.phone),
        clerk=Login("clerk.a2"),
        reviewer=Login("reviewer.a2"),
        approver=Login("approver.a2"),
    )
