"""Demo certificates: seven common types, keys of the departments that issue them, and a few
certificates in the wallets of demo citizens and enterprises (one revoked).

Type codes are GB/T 36904-shaped: the defining ministry's USCC + 3 digits. Only the 市场监管总局
code (11100000000013127D) is taken from published identifiers; the other ministries' USCCs are
DEMO CODES made up with a valid GB 32100 check character, not the ministries' real codes.
Everything goes through the actions, so it is audited and signed like real data.
"""

from __future__ import annotations

from typing import Any

from yiwang.certificates import actions
from yiwang.certificates.models import Certificate, CertificateType, IssuerKey
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import LegalPerson, Person
from yiwang.regions.models import Department

# (name, type code, defining authority, holder kind, validity years, face fields)
TYPES: list[tuple[str, str, str, str, int | None, list[dict[str, Any]]]] = [
    (
        "营业执照",
        "11100000000013127D001",
        "国家市场监督管理总局",
        "legal_person",
        None,
        [
            {"name": "legal_representative", "label": "法定代表人"},
            {"name": "entity_type", "label": "类型"},
            {"name": "scope", "label": "经营范围"},
            {"name": "capital", "label": "注册资本", "required": False},
        ],
    ),
    (
        "食品经营许可证",
        "11100000000013127D002",
        "国家市场监督管理总局",
        "legal_person",
        5,
        [
            {"name": "operator", "label": "经营者名称"},
            {"name": "premises", "label": "经营场所"},
            {"name": "items", "label": "经营项目"},
        ],
    ),
    (
        "出生医学证明",
        "11100000000013213M001",  # demo code (国家卫生健康委员会)
        "国家卫生健康委员会",
        "person",
        None,
        [
            {"name": "birth_date", "label": "出生时间"},
            {"name": "birth_place", "label": "出生地点"},
            {"name": "mother", "label": "母亲姓名"},
            {"name": "father", "label": "父亲姓名", "required": False},
        ],
    ),
    (
        "居民户口簿",
        "11100000000013364K001",  # demo code (公安部)
        "公安部",
        "person",
        None,
        [
            {"name": "household_type", "label": "户别"},
            {"name": "address", "label": "住址"},
        ],
    ),
    (
        "残疾人证",
        "51100000500010993L001",  # demo code (中国残疾人联合会)
        "中国残疾人联合会",
        "person",
        10,
        [
            {"name": "category", "label": "残疾类别"},
            {"name": "level", "label": "残疾等级"},
        ],
    ),
    (
        "不动产权证书",
        "11100000000013216Y001",  # demo code (自然资源部)
        "自然资源部",
        "person",
        None,
        [
            {"name": "location", "label": "坐落"},
            {"name": "unit", "label": "不动产单元号"},
            {"name": "area", "label": "面积（平方米）"},
            {"name": "use", "label": "用途"},
        ],
    ),
    (
        "社会保障卡",
        "11100000000013354J001",  # demo code (人力资源和社会保障部)
        "人力资源和社会保障部",
        "person",
        10,
        [
            {"name": "card_bank", "label": "服务银行"},
            {"name": "card_kind", "label": "卡类型"},
        ],
    ),
]
ISSUERS = {
    "出生医学证明": "南昌市卫生健康委员会",
    "居民户口簿": "南昌市公安局",
    "残疾人证": "南昌市残疾人联合会",
    "不动产权证书": "南昌市不动产登记中心",
    "社会保障卡": "南昌市人力资源和社会保障局",
}


def _type(row: tuple[str, str, str, str, int | None, list[dict[str, Any]]]) -> CertificateType:
    name, code, authority, holder_kind, years, fields = row
    existing = CertificateType.objects.filter(type_code=code).first()
    return existing or actions.create_certificate_type(
        actor=SYSTEM,
        name=name,
        type_code=code,
        defining_authority=authority,
        holder_kind=holder_kind,
        validity_years=years,
        face_fields=fields,
        number_prefix="JY" if name == "食品经营许可证" else "",
    )


def _key(department: Department) -> None:
    if not IssuerKey.objects.filter(department=department).exists():
        actions.create_issuer_key(actor=SYSTEM, department=department)


def _issue(
    certificate_type: CertificateType,
    holder: Person | LegalPerson,
    issuer: Department,
    face: dict[str, Any],
) -> Certificate:
    field = "holder_person" if isinstance(holder, Person) else "holder_legal_person"
    existing = Certificate.objects.filter(certificate_type=certificate_type, **{field: holder})
    found = existing.order_by("-version").first()
    if found is not None:
        return found
    _key(issuer)
    return actions.issue_certificate(
        actor=SYSTEM, certificate_type=certificate_type, holder=holder, issuer=issuer, face=face
    )


def load(departments: dict[str, Department]) -> None:
    """Types, keys and a handful of certificates; running it again adds nothing."""
    types = {row[0]: _type(row) for row in TYPES}
    people = list(Person.objects.order_by("id")[:4])
    companies = list(LegalPerson.objects.order_by("id")[:3])
    if len(people) < 4 or len(companies) < 3:
        return
    zhang, wang, li, liu = people
    for department in ISSUERS.values():
        _key(departments[department])
    _issue(
        types["居民户口簿"],
        zhang,
        departments[ISSUERS["居民户口簿"]],
        {"household_type": "家庭户", "address": "南昌市东湖区滨江街道东升社区 12 栋 3 单元"},
    )
    _issue(
        types["社会保障卡"],
        zhang,
        departments[ISSUERS["社会保障卡"]],
        {"card_bank": "中国工商银行南昌分行", "card_kind": "第三代社会保障卡"},
    )
    _issue(
        types["不动产权证书"],
        zhang,
        departments[ISSUERS["不动产权证书"]],
        {
            "location": "南昌市东湖区八一大道 88 号 2 栋 1502 室",
            "unit": "360102001001GB00012F00021502",
            "area": "98.6",
            "use": "住宅",
        },
    )
    _issue(
        types["残疾人证"],
        wang,
        departments[ISSUERS["残疾人证"]],
        {"category": "肢体", "level": "四级"},
    )
    _issue(
        types["出生医学证明"],
        li,
        departments[ISSUERS["出生医学证明"]],
        {"birth_date": "2025-03-08 06:42", "birth_place": "江西省妇幼保健院", "mother": "陈静"},
    )
    _issue(
        types["居民户口簿"],
        liu,
        departments[ISSUERS["居民户口簿"]],
        {"household_type": "家庭户", "address": "南昌市西湖区朝阳街道和平社区 5 栋"},
    )
    for index, company in enumerate(companies):
        regulator = departments[f"{company.region.name}市场监督管理局"]
        _issue(
            types["营业执照"],
            company,
            regulator,
            {
                "legal_representative": company.legal_representative,
                "entity_type": "有限责任公司（自然人投资或控股）",
                "scope": "餐饮服务；食品销售" if index == 0 else "一般项目：技术服务、技术开发",
                "capital": "100 万元",
            },
        )
        if index == 2:
            continue
        licence = _issue(
            types["食品经营许可证"],
            company,
            regulator,
            {
                "operator": company.name,
                "premises": f"{company.region.name}八一大道 {index + 1} 号",
                "items": "热食类食品制售；预包装食品销售",
            },
        )
        # The second company's food licence was revoked after an inspection.
        if index == 1 and licence.status == "valid":
            actions.revoke_certificate(
                actor=SYSTEM, certificate=licence, reason="以欺骗手段取得许可，依法撤销"
            )
