"""Demo data of the exchange: a catalogue of ~20 resources from the city's departments, data
elements with their one source, collected rows, two exchange nodes with a signed call about a
demo citizen, requests in several states, demands, a dispute, quality checks, open datasets.

Everything goes through the exchange's actions. Each step looks its objects up first, so
loading twice changes nothing. The two demo nodes' keys are derived from a public seed
(`demo_key`), so the bench and a curious reader can run them as processes: demo only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yiwang.core.actors import SYSTEM
from yiwang.core.crypto import decrypt_text
from yiwang.exchange import actions, clock, protocol
from yiwang.exchange.choices import NodeLevel, VersionStatus
from yiwang.exchange.models import (
    DataDemand,
    DataDispute,
    DataElement,
    ExchangeService,
    MessageLog,
    Node,
    OpenDataset,
    QualityRun,
    Resource,
    ResourceVersion,
    SharingRequest,
    Subsystem,
)
from yiwang.identity.actions import DOCUMENT_CONTEXT
from yiwang.identity.models import LegalPerson, Person
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Staff

HUB = "nc-hub-01"
POLICE_NODE = "nc-gaj-01"
DEMO_PASSWORD = "Yiwang@2026"  # noqa: S105 - the demo's printed password

ELEMENTS = [
    ("DE00001", "公民身份号码", "C", "南昌市公安局", "人口信息管理系统"),
    ("DE00002", "姓名", "C", "南昌市公安局", "人口信息管理系统"),
    ("DE00003", "出生日期", "D", "南昌市公安局", "人口信息管理系统"),
    ("DE00010", "统一社会信用代码", "C", "南昌市市场监督管理局", "市场主体登记系统"),
    ("DE00011", "企业名称", "C", "南昌市市场监督管理局", "市场主体登记系统"),
]


def _item(code: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": name, **extra}


PERSON_KEYS = [
    _item("gmsfhm", "公民身份号码", length=18, is_key=True, sensitivity="4", element="DE00001"),
    _item("xm", "姓名", length=50, sensitivity="3", element="DE00002"),
]
COMPANY_KEYS = [
    _item(
        "tyshxydm", "统一社会信用代码", length=18, is_key=True, sensitivity="1", element="DE00010"
    ),
    _item("qymc", "企业名称", length=200, sensitivity="1", element="DE00011"),
]


@dataclass(frozen=True)
class Spec:
    """One catalogue entry of the demo."""

    department: str
    name: str
    classification: tuple[str, str, str]
    sharing: str  # 1 无条件, 2 有条件, 3 不予
    items: list[dict[str, Any]]
    summary: str
    system: str
    open_type: str = "3"
    cycle: str = "daily"
    keywords: str = ""
    methods: tuple[str, ...] = ("api",)
    publish: bool = True


CATALOGUE = [
    Spec(
        "南昌市公安局",
        "人口基础信息",
        ("1", "01", "001"),
        "2",
        [
            *PERSON_KEYS,
            _item("csrq", "出生日期", data_type="D", sensitivity="3", element="DE00003"),
            _item("xb", "性别", length=1, sensitivity="2"),
            _item("hjdz", "户籍地址", length=200, sensitivity="3"),
        ],
        "本市户籍人口的身份、出生和户籍地址信息。",
        "人口信息管理系统",
        cycle="realtime",
        keywords="户籍、身份证、人口、身份核验",
    ),
    Spec(
        "南昌市公安局",
        "户籍迁移信息",
        ("1", "01", "002"),
        "2",
        [
            *PERSON_KEYS,
            _item("qrrq", "迁入日期", data_type="D"),
            _item("qcd", "迁出地", length=200),
        ],
        "户口迁入迁出登记。",
        "人口信息管理系统",
        keywords="户口、迁移、落户",
    ),
    Spec(
        "南昌市市场监督管理局",
        "法人基础信息",
        ("1", "02", "001"),
        "1",
        [
            *COMPANY_KEYS,
            _item("fddbr", "法定代表人", length=50, sensitivity="1"),
            _item("clrq", "成立日期", data_type="D", sensitivity="1"),
            _item("zs", "住所", length=200, sensitivity="1"),
        ],
        "在本市登记的企业和其他组织的基础信息。",
        "市场主体登记系统",
        open_type="1",
        keywords="企业、法人、登记",
    ),
    Spec(
        "南昌市市场监督管理局",
        "营业执照信息",
        ("1", "05", "001"),
        "1",
        [
            *COMPANY_KEYS,
            _item("fddbr", "法定代表人", length=50, sensitivity="1"),
            _item("jyfw", "经营范围", length=2000, sensitivity="1"),
            _item("djjg", "登记机关", length=100, sensitivity="1"),
        ],
        "电子营业执照的照面信息。",
        "市场主体登记系统",
        open_type="1",
        keywords="营业执照、电子证照、企业",
    ),
    Spec(
        "南昌市人力资源和社会保障局",
        "社保参保信息",
        ("2", "03", "001"),
        "2",
        [
            *PERSON_KEYS,
            _item("cbxz", "参保险种", length=50),
            _item("cbzt", "参保状态", length=10),
            _item("jfys", "累计缴费月数", data_type="N"),
        ],
        "职工和城乡居民养老、医疗、失业、工伤保险参保缴费信息。",
        "社会保险信息系统",
        cycle="daily",
        keywords="社保、参保、养老保险、缴费",
    ),
    Spec(
        "南昌市人力资源和社会保障局",
        "就业登记信息",
        ("2", "03", "002"),
        "2",
        [
            *PERSON_KEYS,
            _item("jydw", "就业单位", length=200),
            _item("jyrq", "就业日期", data_type="D"),
        ],
        "劳动者就业和失业登记。",
        "公共就业服务系统",
        keywords="就业、失业、登记",
    ),
    Spec(
        "南昌市不动产登记中心",
        "不动产登记信息",
        ("1", "03", "001"),
        "2",
        [
            _item("bdcdyh", "不动产单元号", length=28, is_key=True),
            _item("qlr", "权利人", length=100),
            _item("zl", "坐落", length=200),
            _item("mj", "面积", data_type="N"),
            _item("djrq", "登记日期", data_type="D"),
        ],
        "不动产权利登记簿信息。",
        "不动产登记系统",
        keywords="房产、不动产、产权",
    ),
    Spec(
        "南昌市民政局",
        "婚姻登记信息",
        ("2", "01", "001"),
        "2",
        [
            *PERSON_KEYS,
            _item("hyzk", "婚姻状况", length=10),
            _item("djrq", "登记日期", data_type="D"),
        ],
        "结婚、离婚登记信息。",
        "婚姻登记信息系统",
        keywords="婚姻、结婚、离婚",
    ),
    Spec(
        "南昌市民政局",
        "社会救助家庭经济状况核对信息",
        ("2", "03", "003"),
        "3",
        [*PERSON_KEYS, _item("hdjg", "核对结果", length=500, sensitivity="4")],
        "低保、特困等社会救助申请家庭的经济状况核对结果。",
        "居民家庭经济状况核对系统",
        keywords="低保、救助",
    ),
    Spec(
        "南昌市医疗保障局",
        "医保参保信息",
        ("2", "02", "001"),
        "2",
        [*PERSON_KEYS, _item("cblx", "参保类型", length=20), _item("cbzt", "参保状态", length=10)],
        "基本医疗保险参保信息。",
        "医疗保障信息平台",
        keywords="医保、参保、医疗保险",
    ),
    Spec(
        "南昌市卫生健康委员会",
        "出生医学证明信息",
        ("1", "05", "002"),
        "2",
        [
            _item("zmbh", "证明编号", length=20, is_key=True),
            _item("xsexm", "新生儿姓名", length=50),
            _item("csrq", "出生日期", data_type="D"),
            _item("mqxm", "母亲姓名", length=50),
        ],
        "出生医学证明电子证照信息。",
        "妇幼健康信息系统",
        keywords="出生、新生儿、出生证",
    ),
    Spec(
        "南昌市卫生健康委员会",
        "医疗机构执业许可信息",
        ("2", "02", "002"),
        "1",
        [
            _item("xkzh", "许可证号", length=30, is_key=True, sensitivity="1"),
            _item("jgmc", "机构名称", length=200, sensitivity="1"),
            _item("dz", "地址", length=200, sensitivity="1"),
            _item("zlkm", "诊疗科目", length=500, sensitivity="1"),
        ],
        "医疗机构执业登记与许可。",
        "卫生监督信息系统",
        open_type="1",
        cycle="weekly",
        keywords="医院、诊所、医疗机构",
    ),
    Spec(
        "南昌市市场监督管理局",
        "食品经营许可证信息",
        ("2", "04", "001"),
        "1",
        [
            _item("xkzbh", "许可证编号", length=16, is_key=True, sensitivity="1"),
            _item("jyzmc", "经营者名称", length=200, sensitivity="1"),
            _item("tyshxydm", "统一社会信用代码", length=18, sensitivity="1", element="DE00010"),
            _item("fzrq", "发证日期", data_type="D", sensitivity="1"),
            _item("yxqz", "有效期至", data_type="D", sensitivity="1"),
            _item("fddbr", "法定代表人", length=50, sensitivity="3"),
        ],
        "食品经营许可证的核发、变更和注销。",
        "食品经营许可系统",
        open_type="1",
        keywords="食品、许可证、餐饮",
    ),
    Spec(
        "南昌市住房和城乡建设局",
        "建筑业企业资质信息",
        ("2", "09", "001"),
        "1",
        [
            *COMPANY_KEYS,
            _item("zzlb", "资质类别", length=100, sensitivity="1"),
            _item("zzdj", "资质等级", length=20, sensitivity="1"),
        ],
        "建筑业企业资质证书信息。",
        "建筑市场监管平台",
        open_type="1",
        cycle="weekly",
        keywords="建筑、资质、施工",
    ),
    Spec(
        "南昌市住房和城乡建设局",
        "商品房预售许可信息",
        ("2", "09", "002"),
        "1",
        [
            _item("ysxkzh", "预售许可证号", length=30, is_key=True, sensitivity="1"),
            _item("xmmc", "项目名称", length=200, sensitivity="1"),
            _item("ysmj", "预售面积", data_type="N", sensitivity="1"),
        ],
        "商品房预售许可核发信息。",
        "房地产交易管理系统",
        open_type="1",
        keywords="商品房、预售、楼盘",
    ),
    Spec(
        "南昌市教育局",
        "学籍信息",
        ("2", "01", "002"),
        "2",
        [*PERSON_KEYS, _item("xx", "学校", length=200), _item("nj", "年级", length=20)],
        "中小学生学籍信息。",
        "中小学生学籍管理系统",
        cycle="monthly",
        keywords="学籍、入学、学生",
    ),
    Spec(
        "南昌市交通运输局",
        "道路运输经营许可信息",
        ("2", "01", "003"),
        "1",
        [
            *COMPANY_KEYS,
            _item("xkzh", "许可证号", length=30, sensitivity="1"),
            _item("jyfw", "经营范围", length=500, sensitivity="1"),
        ],
        "道路客货运输经营许可。",
        "道路运政管理系统",
        open_type="1",
        keywords="运输、道路、货运",
    ),
    Spec(
        "南昌市生态环境局",
        "排污许可信息",
        ("2", "11", "001"),
        "1",
        [
            *COMPANY_KEYS,
            _item("pwxkzh", "排污许可证编号", length=30, sensitivity="1"),
            _item("yxqz", "有效期至", data_type="D", sensitivity="1"),
        ],
        "排污单位的排污许可证信息。",
        "排污许可管理信息平台",
        open_type="1",
        keywords="排污、环保、许可",
    ),
    Spec(
        "南昌市自然资源和规划局",
        "国土空间规划信息",
        ("1", "03", "002"),
        "2",
        [
            _item("ghbh", "规划编号", length=30, is_key=True),
            _item("ghmc", "规划名称", length=200),
            _item("ydxz", "用地性质", length=50),
        ],
        "国土空间总体规划和详细规划成果。",
        "国土空间基础信息平台",
        cycle="yearly",
        methods=("file",),
        keywords="规划、用地、国土",
    ),
    Spec(
        "南昌市残疾人联合会",
        "残疾人证信息",
        ("1", "05", "003"),
        "2",
        [
            *PERSON_KEYS,
            _item("cjlb", "残疾类别", length=20, sensitivity="4"),
            _item("cjdj", "残疾等级", length=10, sensitivity="4"),
        ],
        "第二代残疾人证信息。",
        "残疾人人口基础数据库",
        keywords="残疾人、残疾证",
    ),
    Spec(
        "南昌市城市管理和综合执法局",
        "行政处罚信息",
        ("1", "04", "001"),
        "1",
        [
            _item("cfjdsh", "处罚决定书文号", length=50, is_key=True, sensitivity="1"),
            _item("xdrmc", "行政相对人名称", length=200, sensitivity="1"),
            _item("cfnr", "处罚内容", length=1000, sensitivity="1"),
        ],
        "城市管理领域行政处罚决定公示信息。",
        "综合执法办案系统",
        open_type="1",
        keywords="处罚、信用、执法",
        publish=False,
    ),
]


def demo_key(server_code: str) -> Ed25519PrivateKey:
    """The demo node's key, derived from a published seed (never do this outside a demo)."""
    seed = hashlib.sha256(f"yiwang-demo-node:{server_code}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def _departments() -> dict[str, Department]:
    return {department.name: department for department in Department.objects.all()}


def _staff(username: str, name: str, department: Department, roles: list[Role]) -> None:
    from yiwang.regions import actions as region_actions

    if not Staff.objects.filter(user__username=username).exists():
        region_actions.create_staff(
            actor=SYSTEM,
            username=username,
            display_name=name,
            password=DEMO_PASSWORD,
            department=department,
            roles=roles,
        )


def _elements(departments: dict[str, Department]) -> None:
    for code, name, data_type, department, system in ELEMENTS:
        if not DataElement.objects.filter(code=code).exists():
            actions.register_data_element(
                actor=SYSTEM,
                code=code,
                name=name,
                data_type=data_type,
                source_department=departments[department],
                source_system=system,
            )


def _catalogue(departments: dict[str, Department]) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for spec in CATALOGUE:
        provider = departments[spec.department]
        existing = ResourceVersion.objects.filter(
            resource__provider=provider, name=spec.name
        ).first()
        if existing is not None:
            resources[spec.name] = existing.resource
            continue
        fields: dict[str, Any] = {
            "name": spec.name,
            "summary": spec.summary,
            "provider_system": spec.system,
            "sharing_type": spec.sharing,
            "sharing_methods": list(spec.methods) if spec.sharing != "3" else [],
            "open_type": spec.open_type,
            "update_cycle": spec.cycle,
            "keywords": spec.keywords,
        }
        if spec.sharing == "2":
            fields["sharing_condition"] = "仅用于依法履职和政务服务办理，不得用于其他用途。"
        if spec.sharing == "3":
            fields["not_shared_basis"] = (
                "《社会救助家庭经济状况核对办法》：核对结果仅用于社会救助审批。"
            )
        category, subject, section = spec.classification
        draft = actions.create_resource(
            actor=SYSTEM,
            provider=provider,
            category=category,
            subject_code=subject,
            section_code=section,
            fields=fields,
            items=spec.items,
        )
        if spec.publish:
            actions.publish_resource_version(actor=SYSTEM, version=draft)
        resources[spec.name] = draft.resource
    return resources


def _records(resources: dict[str, Resource]) -> None:
    population = resources["人口基础信息"]
    if not population.records.exists():
        rows = []
        for person in Person.objects.select_related("region").order_by("id"):
            number = decrypt_text(person.document_encrypted, context=DOCUMENT_CONTEXT)
            rows.append(
                {
                    "subject": {"type": person.document_type, "number": number},
                    "data": {
                        "gmsfhm": number,
                        "xm": person.name,
                        "csrq": person.birth_date.isoformat() if person.birth_date else None,
                        "xb": "1" if int(number[16]) % 2 else "2",
                        "hjdz": f"江西省南昌市{person.region.name}",
                    },
                }
            )
        actions.load_records(actor=SYSTEM, resource=population, rows=rows)
    licences = resources["营业执照信息"]
    if not licences.records.exists():
        rows = [
            {
                "subject": {"type": "uscc", "number": company.uscc},
                "data": {
                    "tyshxydm": company.uscc,
                    "qymc": company.name,
                    "fddbr": company.legal_representative,
                    "jyfw": "一般项目：企业管理咨询；技术服务、技术开发",
                    "djjg": f"{company.region.name}市场监督管理局",
                },
            }
            for company in LegalPerson.objects.select_related("region").order_by("id")
        ]
        actions.load_records(actor=SYSTEM, resource=licences, rows=rows)
    food = resources["食品经营许可证信息"]
    if not food.records.exists():
        now = clock.now()
        rows = []
        companies = list(LegalPerson.objects.order_by("id")[:8])
        for index, company in enumerate(companies):
            issued = dt.date(2024, 1 + index, 10)
            rows.append(
                {
                    "label": company.name,
                    "updated_at": now - dt.timedelta(days=3 if index != 5 else 120),
                    "data": {
                        # Two deliberate faults for the quality demo: a malformed number and
                        # an expiry before the issue date.
                        "xkzbh": f"JY1360102{index:07d}" if index != 2 else "JY13601-bad",
                        "jyzmc": company.name,
                        "tyshxydm": company.uscc,
                        "fzrq": issued.isoformat(),
                        "yxqz": (
                            issued.replace(year=2029) if index != 4 else issued.replace(year=2023)
                        ).isoformat(),
                        "fddbr": company.legal_representative,
                    },
                }
            )
        actions.load_records(actor=SYSTEM, resource=food, rows=rows)


def _quality(resources: dict[str, Resource]) -> None:
    food = resources["食品经营许可证信息"]
    if QualityRun.objects.filter(resource=food).exists():
        return
    rules: list[tuple[str, str, dict[str, Any]]] = [
        ("xkzbh", "completeness", {}),
        ("xkzbh", "accuracy", {"regex": r"JY\d{14}"}),
        ("yxqz", "consistency", {"field": "fzrq", "op": ">"}),
        ("jyzmc", "timeliness", {"max_age_days": 90}),
        ("tyshxydm", "conformity", {"format": "uscc"}),
    ]
    for item_code, dimension, params in rules:
        actions.add_quality_rule(
            actor=SYSTEM, resource=food, item_code=item_code, dimension=dimension, params=params
        )
    actions.run_quality_check(actor=SYSTEM, resource=food)
    licences = resources["营业执照信息"]
    actions.add_quality_rule(
        actor=SYSTEM,
        resource=licences,
        item_code="tyshxydm",
        dimension="conformity",
        params={"format": "uscc"},
    )
    actions.run_quality_check(actor=SYSTEM, resource=licences)


def _open_data(resources: dict[str, Resource]) -> None:
    datasets = [
        (
            "营业执照信息",
            "business-licences",
            "营业执照登记信息",
            "本市企业营业执照照面信息，每日更新。",
            ["营业执照", "企业"],
        ),
        (
            "食品经营许可证信息",
            "food-business-licences",
            "食品经营许可证",
            "本市核发的食品经营许可证（不含法定代表人等敏感信息）。",
            ["食品", "许可证"],
        ),
    ]
    for resource_name, slug, title, description, keywords in datasets:
        if not OpenDataset.objects.filter(slug=slug).exists():
            actions.publish_dataset(
                actor=SYSTEM,
                resource=resources[resource_name],
                title=title,
                description=description,
                licence="CC-BY-4.0",
                keywords=keywords,
                slug=slug,
            )


def _nodes(departments: dict[str, Department], resources: dict[str, Resource]) -> dict[str, Any]:
    bureau, police = departments["南昌市数据管理局"], departments["南昌市公安局"]
    nodes: dict[str, Node] = {}
    for code, department, name, port in (
        (HUB, bureau, "南昌市数据共享交换平台节点", 8701),
        (POLICE_NODE, police, "南昌市公安局前置交换节点", 8702),
    ):
        identity = f"CN-JX/GOV/{department.uscc}/{code}"
        node = Node.objects.filter(identity=identity).first()
        nodes[code] = node or actions.register_node(
            actor=SYSTEM,
            department=department,
            server_code=code,
            name=name,
            level=NodeLevel.CITY,
            endpoint_url=f"http://127.0.0.1:{port}",
            public_key=protocol.public_key_text(demo_key(code)),
        )
    hosted = {
        "东湖区市场监督管理局": "yiwang-cases",
        "东湖区行政审批局": "yiwang-cases",
        "西湖区行政审批局": "yiwang-cases",
    }
    for name, code in hosted.items():
        department = departments[name]
        if not Subsystem.objects.filter(department=department, code=code).exists():
            actions.register_subsystem(
                actor=SYSTEM, node=nodes[HUB], department=department, code=code
            )
    provider = Subsystem.objects.filter(department=police, code="population").first()
    provider = provider or actions.register_subsystem(
        actor=SYSTEM, node=nodes[POLICE_NODE], department=police, code="population"
    )
    if not ExchangeService.objects.filter(subsystem=provider).exists():
        actions.register_service(
            actor=SYSTEM,
            subsystem=provider,
            resource=resources["人口基础信息"],
            service_code="getPerson",
        )
    return nodes


def _request(
    department: Department, resource: Resource, items: list[str], purpose: str
) -> SharingRequest:
    today = clock.today()
    return actions.submit_sharing_request(
        actor=SYSTEM,
        department=department,
        resource=resource,
        items=items,
        purpose=purpose,
        scenario="窗口受理和网上申报时由系统自动调取，申请人免于提交纸质材料。",
        period_start=today,
        period_end=today + dt.timedelta(days=365),
    )


def _requests(departments: dict[str, Department], resources: dict[str, Resource]) -> None:
    if SharingRequest.objects.exists():
        return
    market_a = departments["东湖区市场监督管理局"]
    approvals_a = departments["东湖区行政审批局"]
    approvals_b = departments["西湖区行政审批局"]
    # Authorised: the 免提交 of identity proof in 食品经营许可.
    granted = _request(
        market_a, resources["人口基础信息"], ["xm", "csrq"], "食品经营许可办理中核验申请人身份"
    )
    actions.review_compliance(actor=SYSTEM, request=granted, approve=True)
    actions.review_as_provider(actor=SYSTEM, request=granted, authorise=True)
    # Authorised at compliance: unconditional sharing.
    open_one = _request(
        approvals_b,
        resources["法人基础信息"],
        ["tyshxydm", "qymc", "fddbr"],
        "企业开办一件事核验企业信息",
    )
    actions.review_compliance(actor=SYSTEM, request=open_one, approve=True)
    # Waiting for compliance review.
    _request(approvals_a, resources["社保参保信息"], ["xm", "cbzt"], "就业创业补贴申领核验参保状态")
    # Waiting for the provider.
    waiting = _request(
        approvals_b, resources["不动产登记信息"], ["qlr", "zl", "mj"], "公租房申请核验住房情况"
    )
    actions.review_compliance(actor=SYSTEM, request=waiting, approve=True)
    # Refused with a reason, then negotiated.
    refused = _request(
        approvals_a, resources["婚姻登记信息"], ["xm", "hyzk"], "生育登记核验婚姻状况"
    )
    actions.review_compliance(actor=SYSTEM, request=refused, approve=True)
    actions.review_as_provider(
        actor=SYSTEM,
        request=refused,
        authorise=False,
        reason="生育登记已取消婚姻状况前置条件，申请用途缺乏依据（赣卫人口〔2023〕2号）。",
    )
    negotiated = _request(
        approvals_b, resources["学籍信息"], ["xm", "xx"], "义务教育入学报名核验学籍"
    )
    actions.review_compliance(actor=SYSTEM, request=negotiated, approve=True)
    actions.review_as_provider(
        actor=SYSTEM, request=negotiated, authorise=False, reason="学籍信息仅向教育系统内部共享。"
    )
    actions.object_to_refusal(
        actor=SYSTEM, request=negotiated, note="入学报名由区行政审批局统一受理，属于教育公共服务。"
    )


def _demands_and_disputes(
    departments: dict[str, Department], resources: dict[str, Resource]
) -> None:
    if not DataDemand.objects.exists():
        approvals_a = departments["东湖区行政审批局"]
        actions.post_demand(
            actor=SYSTEM,
            department=approvals_a,
            title="企业社保缴费信息",
            description="企业开办后的员工参保登记需要核验企业社保缴费情况。",
            keywords="社保、缴费、企业",
        )
        need = actions.post_demand(
            actor=SYSTEM,
            department=departments["西湖区行政审批局"],
            title="长期护理保险待遇信息",
            description="办理老年人优待证时需要核验长期护理保险待遇享受情况。",
            keywords="护理保险、老年人",
        )
        actions.assign_demand(
            actor=SYSTEM,
            demand=need,
            provider=departments["南昌市医疗保障局"],
            note="请医保局在 10 个工作日内编目上架。",
        )
    if not DataDispute.objects.exists():
        actions.raise_dispute(
            actor=_officer_of(departments["东湖区市场监督管理局"]),
            resource=resources["营业执照信息"],
            item_code="djjg",
            description="部分企业的登记机关与实际登记地不一致。",
            record_reference="南昌赣香餐饮管理有限公司",
        )


def _officer_of(department: Department) -> Any:
    """A dispute is raised by a department: the demo raises it as that department's officer."""
    from yiwang.identity.models import User

    return User.objects.get(staff__department=department, staff__roles__role=Role.DATA_ADMIN)


def _a_call_about_a_citizen(nodes: dict[str, Node]) -> None:
    """One signed call through the two demo nodes (in process), so "who used my data" shows it."""
    from yiwang.exchange.runtime import NodeRuntime

    if MessageLog.objects.exists():
        return
    person = Person.objects.filter(user__phone="13800000001").first()
    client = Subsystem.objects.filter(department__name="东湖区市场监督管理局").first()
    service = ExchangeService.objects.first()
    grant = SharingRequest.objects.filter(
        requester_department__name="东湖区市场监督管理局", status="authorized"
    ).first()
    if person is None or client is None or service is None or grant is None:
        return
    provider = NodeRuntime(nodes[POLICE_NODE], demo_key(POLICE_NODE))

    def deliver(url: str, headers: Any, body: bytes, timeout: float) -> Any:
        return provider.handle_message(dict(headers), body)

    consumer = NodeRuntime(nodes[HUB], demo_key(HUB), transport=deliver)
    consumer.call(
        client=client.identity,
        service=service.identity,
        authorisation=grant.authorisation.number,
        purpose="办理「食品经营许可（新办）」材料「申请人身份证明」免提交",
        user_id="yiwang:donghu.clerk",
        subject={
            "type": person.document_type,
            "number": decrypt_text(person.document_encrypted, context=DOCUMENT_CONTEXT),
        },
        items=["xm", "csrq"],
    )


def load() -> list[tuple[str, str, str]]:
    """Load the exchange demo; returns (login, role, where) of its demo staff."""
    departments = _departments()
    if "南昌市公安局" not in departments or "南昌市数据管理局" not in departments:
        return []
    officers = [
        ("gongan.data", "公安局数据专员", "南昌市公安局"),
        ("donghu.data", "东湖区市场监管局数据专员", "东湖区市场监督管理局"),
        ("xihu.data", "西湖区行政审批局数据专员", "西湖区行政审批局"),
    ]
    for username, name, department in officers:
        _staff(username, name, departments[department], [Role.DATA_ADMIN])
    _elements(departments)
    resources = _catalogue(departments)
    _records(resources)
    _quality(resources)
    _open_data(resources)
    nodes = _nodes(departments, resources)
    _requests(departments, resources)
    _demands_and_disputes(departments, resources)
    _a_call_about_a_citizen(nodes)
    assert all(
        r.current_version is None or r.current_version.status == VersionStatus.PUBLISHED
        for r in resources.values()
    )
    return [(username, "数据专员", department) for username, _name, department in officers]
