"""Certificate fixtures: types, departments' keys, holders, an approver of the issuing office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import City, Personas, make_staff
from yiwang.certificates import actions
from yiwang.certificates.models import Certificate, CertificateType
from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity_actions
from yiwang.identity.choices import ApplicantType, OperatorScope
from yiwang.identity.models import LegalPerson, Person, User
from yiwang.portal.demo.city import uscc_for
from yiwang.regions.choices import Role

BUSINESS_LICENCE = "11100000000013127D001"  # 市场监管总局 + 001, as the catalogue fixture uses
FOOD_LICENCE = "11100000000013127D002"
DISABILITY_CARD = "51100000500010993L001"  # 中国残联 (demo code, checksum-valid) + 001


@dataclass
class Setup:
    city: City
    personas: Personas
    business_licence: CertificateType
    food_licence: CertificateType
    disability_card: CertificateType
    approver_a2: User  # approver of 东湖区市场监督管理局, the issuer
    company: LegalPerson  # in county A
    operator: User  # operates `company` with every scope
    person: Person  # personas.citizen's natural person
    other_person: Person


def make_types() -> tuple[CertificateType, CertificateType, CertificateType]:
    business = actions.create_certificate_type(
        actor=SYSTEM,
        name="营业执照",
        type_code=BUSINESS_LICENCE,
        defining_authority="国家市场监督管理总局",
        holder_kind="legal_person",
        face_fields=[
            {"name": "legal_representative", "label": "法定代表人"},
            {"name": "scope", "label": "经营范围"},
            {"name": "capital", "label": "注册资本", "required": False},
        ],
        number_prefix="",
    )
    food = actions.create_certificate_type(
        actor=SYSTEM,
        name="食品经营许可证",
        type_code=FOOD_LICENCE,
        defining_authority="国家市场监督管理总局",
        holder_kind="legal_person",
        validity_years=5,
        face_fields=[
            {"name": "operator", "label": "经营者名称"},
            {"name": "premises", "label": "经营场所"},
            {"name": "items", "label": "经营项目"},
        ],
        number_prefix="JY",
    )
    disability = actions.create_certificate_type(
        actor=SYSTEM,
        name="残疾人证",
        type_code=DISABILITY_CARD,
        defining_authority="中国残疾人联合会",
        holder_kind="person",
        validity_years=10,
        face_fields=[
            {"name": "category", "label": "残疾类别"},
            {"name": "level", "label": "残疾等级"},
        ],
    )
    return business, food, disability


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> None:
    """Each test generates its own keys under the same ids; start with no cached public key."""
    from yiwang.certificates.keys import DepartmentKeyResolver

    DepartmentKeyResolver.clear_cache()


@pytest.fixture
def setup(city: City, personas: Personas) -> Setup:
    business, food, disability = make_types()
    actions.create_issuer_key(actor=SYSTEM, department=city.dept_a2)
    actions.create_issuer_key(actor=SYSTEM, department=city.dept_a)
    company = identity_actions.register_legal_person(
        actor=SYSTEM,
        name="南昌赣香餐饮管理有限公司",
        uscc=uscc_for("91360102", 300_001),
        applicant_type=ApplicantType.ENTERPRISE,
        legal_representative="罗斌",
        region=city.county_a,
    )
    operator = personas.citizen
    identity_actions.authorise_operator(
        actor=SYSTEM,
        legal_person=company,
        user=operator,
        scopes=[s.value for s in OperatorScope],
    )
    return Setup(
        city=city,
        personas=personas,
        business_licence=business,
        food_licence=food,
        disability_card=disability,
        approver_a2=make_staff("approver.a2", city.dept_a2, [Role.APPROVER]),
        company=company,
        operator=operator,
        person=personas.citizen.person,
        other_person=personas.other_citizen.person,
    )


FOOD_FACE: dict[str, Any] = {
    "operator": "南昌赣香餐饮管理有限公司",
    "premises": "南昌市东湖区八一大道 1 号",
    "items": "热食类食品制售",
}


def issue_food(setup: Setup, **changes: Any) -> Certificate:
    values: dict[str, Any] = {
        "actor": setup.approver_a2,
        "certificate_type": setup.food_licence,
        "holder": setup.company,
        "issuer": setup.city.dept_a2,
        "face": FOOD_FACE,
        "case_project_no": "360102-2026-000001",
    }
    values.update(changes)
    return actions.issue_certificate(**values)


def issue_disability(setup: Setup, person: Person | None = None) -> Certificate:
    return actions.issue_certificate(
        actor=SYSTEM,
        certificate_type=setup.disability_card,
        holder=person or setup.person,
        issuer=setup.city.dept_a,
        face={"category": "肢体", "level": "三级"},
    )
