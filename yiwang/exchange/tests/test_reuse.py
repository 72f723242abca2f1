"""免提交 from shared data: a case material filled through the exchange, seen by the citizen."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest

from conftest import client_for
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CatalogItem, Material
from yiwang.catalog.tests.conftest import FOOD_LICENCE_FIELDS
from yiwang.core.actors import SYSTEM
from yiwang.exchange import integration, reuse
from yiwang.exchange.choices import MessageSide
from yiwang.exchange.models import MessageLog
from yiwang.exchange.tests.conftest import authorise_population, load_population


@pytest.fixture
def identity_material(world) -> Material:
    """食品经营许可 of 东湖区市场监督管理局 with an identity material from shared data."""
    item = CatalogItem.objects.filter(catalog_code="000201001000").first() or (
        catalog_actions.create_catalog_item(
            actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
        )
    )
    version = catalog_actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=world.city.dept_a2,
        region=world.city.county_a,
        task_code=f"{world.city.dept_a2.uscc}40002010019001",
        fields=FOOD_LICENCE_FIELDS,
        children={
            "materials": [
                {"material_name": "食品经营许可申请书", "source_type": "1"},
                {
                    "material_name": "申请人身份证明",
                    "source_type": "5",
                    "source_data_resource_code": world.population.resource.code,
                },
            ]
        },
    )
    return version.materials.get(source_type="5")


@pytest.fixture
def in_process_caller(runtimes):
    consumer, _provider = runtimes
    reuse.set_caller(consumer.call)
    yield
    reuse.set_caller(None)


@pytest.mark.django_db
def test_material_is_filled_through_the_exchange_and_the_citizen_sees_it(
    world, mesh, in_process_caller, identity_material
) -> None:
    load_population(world, world.citizen)
    authorise_population(world)
    shared = reuse.fetch_for_material(world.citizen, identity_material)
    assert shared is not None
    assert shared.data["record"] == {"xm": "张伟", "csrq": "1985-05-02"}
    assert shared.reference.startswith("exchange:") and len(shared.digest) == 64
    assert "人口基础信息" in shared.label and "南昌市公安局" in shared.label
    entry = MessageLog.objects.get(side=MessageSide.PROVIDER)
    assert entry.purpose == "办理「食品经营许可（新办）」材料「申请人身份证明」免提交"
    assert entry.consumer_department == world.city.dept_a2
    page = client_for(world.citizen).get("/exchange/my-data/").content.decode()
    assert "申请人身份证明" in page and "东湖区市场监督管理局" in page


@pytest.mark.django_db
def test_the_case_is_the_purpose_when_there_is_one(
    world, mesh, in_process_caller, identity_material
) -> None:
    load_population(world, world.citizen)
    authorise_population(world)

    @dataclass
    class Case:
        case_no: str

    assert reuse.fetch_for_material(world.citizen, identity_material, case=Case("NC2026000042"))
    purpose = MessageLog.objects.get(side=MessageSide.PROVIDER).purpose
    assert purpose == "办件 NC2026000042 材料「申请人身份证明」免提交"


@pytest.mark.django_db
def test_no_authorisation_means_no_reuse_and_no_call(
    world, mesh, in_process_caller, identity_material
) -> None:
    load_population(world, world.citizen)
    assert reuse.fetch_for_material(world.citizen, identity_material) is None
    assert not MessageLog.objects.exists()


@pytest.mark.django_db
def test_no_record_at_the_provider_means_the_applicant_uploads(
    world, mesh, in_process_caller, identity_material
) -> None:
    authorise_population(world)  # authorised, but the provider holds nothing on 张伟
    assert reuse.fetch_for_material(world.citizen, identity_material) is None
    entry = MessageLog.objects.get(side=MessageSide.PROVIDER)
    assert entry.response_code == "record_not_found"  # the look-up itself is logged


@pytest.mark.django_db
def test_a_refused_call_means_the_applicant_uploads(
    world, mesh, in_process_caller, identity_material, monkeypatch
) -> None:
    load_population(world, world.citizen)
    authorise_population(world)
    from yiwang.exchange.models import Node

    # The provider no longer trusts the consumer's key (e.g. rotated): the call is refused.
    Node.objects.filter(pk=mesh.consumer_node.pk).update(public_key=mesh.provider_node.public_key)
    assert reuse.fetch_for_material(world.citizen, identity_material) is None
    entry = MessageLog.objects.get(side=MessageSide.PROVIDER)
    assert entry.response_code == "signature_invalid"


@pytest.mark.django_db
def test_other_materials_are_not_touched(world, identity_material) -> None:
    other = identity_material.version.materials.get(source_type="1")
    assert reuse.fetch_for_material(world.citizen, other) is None


@pytest.mark.django_db
def test_without_a_consumer_node_reuse_is_off(world, identity_material) -> None:
    assert reuse.platform_caller() is None  # YIWANG_EXCHANGE_CONSUMER is empty in tests
    assert reuse.fetch_for_material(world.citizen, identity_material) is None


@pytest.mark.django_db
def test_registered_with_the_cases_app_when_it_exists(
    world, mesh, in_process_caller, identity_material, monkeypatch
) -> None:
    """The glue to yiwang.cases.reuse (built on another branch), with a stand-in module."""
    load_population(world, world.citizen)
    authorise_population(world)
    registered: dict[str, object] = {}

    @dataclass
    class ReusedMaterial:
        source: str
        reference: str
        digest: str
        label: str

    fake = types.ModuleType("yiwang.cases.reuse")
    fake.ReusedMaterial = ReusedMaterial  # type: ignore[attr-defined]
    fake.register_material_provider = registered.__setitem__  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yiwang.cases.reuse", fake)
    monkeypatch.setattr(integration, "cases_reuse_available", lambda: True)
    assert integration.register_with_cases()
    provider = registered[integration.PROVIDER_NAME]
    reused = provider(world.citizen, identity_material)  # type: ignore[operator]
    assert isinstance(reused, ReusedMaterial) and reused.source == "shared_data"
    assert reused.reference.startswith("exchange:")


def test_registered_with_cases_alongside_the_certificates_provider() -> None:
    from yiwang.cases import reuse

    assert reuse._providers[integration.PROVIDER_NAME] is integration.provide_shared_data
    assert "certificates" in reuse._providers
