"""Exchange fixtures: a provider (公安局) publishing 人口基础信息, officers of the departments
involved, and nodes with real keys for the protocol tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import City, make_citizen, make_staff
from yiwang.core.actors import SYSTEM
from yiwang.exchange import actions, clock, protocol
from yiwang.exchange.choices import NodeLevel
from yiwang.exchange.models import (
    Authorisation,
    ExchangeService,
    Node,
    Resource,
    ResourceVersion,
    Subsystem,
)
from yiwang.exchange.runtime import NodeRuntime
from yiwang.identity.models import User
from yiwang.portal.demo.city import uscc_for
from yiwang.regions import actions as region_actions
from yiwang.regions.choices import Role
from yiwang.regions.models import Department

POPULATION_ITEMS: list[dict[str, Any]] = [
    {"code": "xm", "name": "姓名", "data_type": "C", "length": 50, "sensitivity": "3"},
    {"code": "gmsfhm", "name": "公民身份号码", "data_type": "C", "length": 18, "is_key": True,
     "sensitivity": "4"},
    {"code": "csrq", "name": "出生日期", "data_type": "D", "sensitivity": "3"},
    {"code": "hjdz", "name": "户籍地址", "data_type": "C", "length": 200, "sensitivity": "3"},
]  # fmt: skip


@dataclass
class World:
    """Who is who in the exchange tests."""

    city: City
    police: Department  # 南昌市公安局: provider of 人口基础信息
    data_bureau: Department  # 南昌市数据管理局: the data administrator's department
    data_admin: User  # 数据管理员 over the whole city
    police_officer: User  # the provider's data officer
    consumer_officer: User  # data officer of 东湖区市场监督管理局 (county A)
    officer_b: User  # data officer of 西湖区行政审批局 (county B)
    population: ResourceVersion  # published, conditional sharing
    citizen: User
    other_citizen: User


def make_departments(city: City) -> tuple[Department, Department]:
    police = region_actions.create_department(
        actor=SYSTEM, name="南昌市公安局", uscc=uscc_for("11360100", 10_003), region=city.city
    )
    bureau = region_actions.create_department(
        actor=SYSTEM, name="南昌市数据管理局", uscc=uscc_for("11360100", 10_018), region=city.city
    )
    return police, bureau


def publish_population(police: Department, data_admin: Any = SYSTEM) -> ResourceVersion:
    draft = actions.create_resource(
        actor=SYSTEM,
        provider=police,
        category="1",
        subject_code="01",
        section_code="001",
        fields={
            "name": "人口基础信息",
            "summary": "本市户籍人口的姓名、公民身份号码、出生日期和户籍地址。",
            "provider_system": "人口信息管理系统",
            "sharing_type": "2",
            "sharing_condition": "用于政务服务办理中的身份核验和材料免提交。",
            "sharing_methods": ["api"],
            "update_cycle": "realtime",
            "keywords": "户籍、身份证、人口",
        },
        items=POPULATION_ITEMS,
    )
    return actions.publish_resource_version(actor=data_admin, version=draft)


@pytest.fixture
def world(city: City, personas: Any) -> World:
    police, bureau = make_departments(city)
    data_admin = make_staff(
        "data.admin", bureau, [Role.DATA_ADMIN], jurisdiction=city.city, department_only=False
    )
    return World(
        city=city,
        police=police,
        data_bureau=bureau,
        data_admin=data_admin,
        police_officer=make_staff("police.data", police, [Role.DATA_ADMIN]),
        consumer_officer=make_staff("market.data", city.dept_a2, [Role.DATA_ADMIN]),
        officer_b=make_staff("xihu.data", city.dept_b, [Role.DATA_ADMIN]),
        population=publish_population(police, data_admin),
        citizen=personas.citizen,
        other_citizen=personas.other_citizen,
    )


def request_population(world: World, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": world.consumer_officer,
        "department": world.city.dept_a2,
        "resource": world.population.resource,
        "items": ["xm", "csrq"],
        "purpose": "食品经营许可办理中核验申请人身份",
        "scenario": "窗口受理时调取申请人户籍信息，免于提交身份证复印件",
        "period_start": clock.today(),
        "period_end": clock.today() + dt.timedelta(days=365),
        "rate_limit_per_minute": 60,
    }
    values.update(overrides)
    return actions.submit_sharing_request(**values)


def authorise_population(world: World, **overrides: Any) -> Authorisation:
    request = request_population(world, **overrides)
    actions.review_compliance(actor=world.data_admin, request=request, approve=True)
    actions.review_as_provider(actor=world.police_officer, request=request, authorise=True)
    return Authorisation.objects.get(request=request)


@dataclass
class Mesh:
    """Two nodes (consumer in 东湖区, provider at the city), their keys, one service."""

    consumer_node: Node
    provider_node: Node
    consumer_key: Any
    provider_key: Any
    client: Subsystem
    provider_subsystem: Subsystem
    service: ExchangeService
    resource: Resource


def build_mesh(world: World, *, endpoint: str = "http://127.0.0.1:9") -> Mesh:
    consumer_key, provider_key = protocol.generate_key(), protocol.generate_key()
    consumer_node = actions.register_node(
        actor=world.data_admin,
        department=world.city.dept_a2,
        server_code="donghu-ss1",
        name="东湖区交换节点",
        level=NodeLevel.COUNTY,
        endpoint_url="http://127.0.0.1:9",
        public_key=protocol.public_key_text(consumer_key),
    )
    provider_node = actions.register_node(
        actor=world.data_admin,
        department=world.police,
        server_code="police-ss1",
        name="市公安局交换节点",
        level=NodeLevel.CITY,
        endpoint_url=endpoint,
        public_key=protocol.public_key_text(provider_key),
    )
    client = actions.register_subsystem(
        actor=world.data_admin,
        node=consumer_node,
        department=world.city.dept_a2,
        code="yiwang-cases",
    )
    provider_subsystem = actions.register_subsystem(
        actor=world.data_admin, node=provider_node, department=world.police, code="population"
    )
    service = actions.register_service(
        actor=world.police_officer,
        subsystem=provider_subsystem,
        resource=world.population.resource,
        service_code="getPerson",
    )
    return Mesh(
        consumer_node,
        provider_node,
        consumer_key,
        provider_key,
        client,
        provider_subsystem,
        service,
        world.population.resource,
    )


def load_population(world: World, *people: User) -> None:
    from yiwang.core.crypto import decrypt_text
    from yiwang.identity.actions import DOCUMENT_CONTEXT

    rows = []
    for user in people:
        person = user.person
        number = decrypt_text(person.document_encrypted, context=DOCUMENT_CONTEXT)
        rows.append(
            {
                "subject": {"type": "111", "number": number},
                "data": {
                    "xm": person.name,
                    "gmsfhm": number,
                    "csrq": person.birth_date.isoformat(),
                    "hjdz": f"江西省南昌市{person.region.name}",
                },
            }
        )
    actions.load_records(actor=world.police_officer, resource=world.population.resource, rows=rows)


def number_of(user: User) -> str:
    from yiwang.core.crypto import decrypt_text
    from yiwang.identity.actions import DOCUMENT_CONTEXT

    return decrypt_text(user.person.document_encrypted, context=DOCUMENT_CONTEXT)


def in_process_transport(provider: NodeRuntime) -> Any:
    """Deliver to the provider runtime directly (the protocol is unchanged; no socket)."""

    def transport(url: str, headers: Any, body: bytes, timeout: float) -> Any:
        assert url.endswith(protocol.MESSAGE_PATH)
        return provider.handle_message(dict(headers), body)

    return transport


@pytest.fixture
def mesh(world: World) -> Mesh:
    return build_mesh(world)


@pytest.fixture
def runtimes(mesh: Mesh) -> tuple[NodeRuntime, NodeRuntime]:
    provider = NodeRuntime(mesh.provider_node, mesh.provider_key)
    consumer = NodeRuntime(
        mesh.consumer_node, mesh.consumer_key, transport=in_process_transport(provider)
    )
    return consumer, provider


__all__ = ["make_citizen"]
