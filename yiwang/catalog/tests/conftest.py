"""Catalogue fixtures: a published implementation row of a county department."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.catalog import actions
from yiwang.catalog.models import CatalogItem, TaskVersion
from yiwang.core.actors import SYSTEM

FOOD_LICENCE_FIELDS: dict[str, Any] = {
    "task_name": "食品经营许可（新办）",
    "task_type": "01",
    "use_level": "4",
    "server_type": ["1", "2"],
    "anticipate_day": 20,
    "promise_day": 10,
    "project_type": "2",
    "handle_area": "2",
    "aliases": "开餐馆、开饭店、开超市",
    "result_type": "1",
    "result_name": "食品经营许可证",
}
FOOD_LICENCE_CHILDREN: dict[str, Any] = {
    "materials": [
        {"material_name": "食品经营许可申请书", "source_type": "1"},
        {
            "material_name": "营业执照",
            "source_type": "4",
            "source_certificate_type_code": "11100000000013127D001",
        },
    ],
    "steps": [
        {"name": "受理", "role": "window_clerk", "limit_days": 1},
        {"name": "审查", "role": "reviewer", "limit_days": 6},
        {"name": "决定", "role": "approver", "limit_days": 3},
    ],
    "fees": [],
}


def make_published_task(city: Any, code_suffix: str = "0001", **overrides: Any) -> TaskVersion:
    item = CatalogItem.objects.filter(catalog_code="000201001000").first()
    if item is None:
        item = actions.create_catalog_item(
            actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
        )
    version = actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=city.dept_a2,
        region=city.county_a,
        task_code=f"{city.dept_a2.uscc}4000201001{code_suffix}",
        fields={**FOOD_LICENCE_FIELDS, **overrides},
        children=FOOD_LICENCE_CHILDREN,
    )
    actions.submit_version(actor=SYSTEM, version=version)
    actions.approve_version(actor=SYSTEM, version=version)
    return actions.publish_version(actor=SYSTEM, version=version)


@pytest.fixture
def published_task(city: Any) -> TaskVersion:
    return make_published_task(city)


def publish(version: TaskVersion, actor: Any = SYSTEM) -> TaskVersion:
    """Take a draft through review to publication."""
    actions.submit_version(actor=actor, version=version)
    actions.approve_version(actor=actor, version=version)
    return actions.publish_version(actor=actor, version=version)


def make_task(
    *,
    catalog_code: str,
    name: str,
    department: Any,
    region: Any,
    suffix: str = "01",
    task_type: str = "01",
    fields: dict[str, Any] | None = None,
    children: dict[str, Any] | None = None,
    published: bool = True,
) -> TaskVersion:
    """A task of `department` in `region` (published unless asked otherwise)."""
    item = CatalogItem.objects.filter(catalog_code=catalog_code).first()
    if item is None:
        item = actions.create_catalog_item(
            actor=SYSTEM, catalog_code=catalog_code, name=name, task_type=task_type
        )
    values = {"task_name": name, "task_type": task_type, "use_level": "4", **(fields or {})}
    version = actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=department,
        region=region,
        task_code=f"{department.uscc}{catalog_code}{suffix}",
        fields=values,
        children=children or {},
    )
    return publish(version) if published else version


@pytest.fixture
def search_catalogue(city: Any) -> dict[str, TaskVersion]:
    """A handful of published items whose words overlap, to test ranking honestly."""
    a, a2 = city.dept_a, city.dept_a2
    rows = {
        "food": make_task(
            catalog_code="000201001000",
            name="食品经营许可",
            department=a2,
            region=city.county_a,
            fields={
                "aliases": "开餐馆、开超市",
                "corp_topic_type": ["business_start"],
                "online_handle_depth": "4",
                "handle_area": "2",
            },
            children={
                "handling_items": [
                    {"task_handle_item": "01", "name": "食品经营许可（新办）"},
                    {"task_handle_item": "02", "name": "食品经营许可（变更）"},
                ],
                "questions": [{"question": "小餐饮需要办吗？", "answer": "需要办理备案。"}],
            },
        ),
        "hotel": make_task(
            catalog_code="000107002000",
            name="旅馆业特种行业许可证核发",
            department=a,
            region=city.county_a,
            fields={"aliases": "开旅馆、开饭店住宿", "online_handle_depth": "3"},
        ),
        "public_place": make_task(
            catalog_code="000109003000",
            name="公共场所卫生许可",
            department=a,
            region=city.county_a,
            fields={"aliases": "开宾馆、开饭店、开理发店", "online_handle_depth": "4"},
        ),
        "shop": make_task(
            catalog_code="000201004000",
            name="个体工商户登记",
            department=a2,
            region=city.county_a,
            fields={"aliases": "开店、开小卖部、开网店", "corp_topic_type": ["business_start"]},
        ),
        "liquor": make_task(
            catalog_code="000201005000",
            name="酒类商品零售许可",
            department=a2,
            region=city.county_a,
            fields={"aliases": "开烟酒店、卖酒"},
        ),
        "licence": make_task(
            catalog_code="000201006000",
            name="营业执照",
            department=a2,
            region=city.county_a,
            fields={"aliases": "公司注册、开公司", "corp_topic_type": ["business_start"]},
        ),
        "birth": make_task(
            catalog_code="000108007000",
            name="出生医学证明",
            department=city.dept_b,
            region=city.county_b,
            task_type="20",
            fields={"user_topic_type": ["birth"], "online_handle_depth": "2"},
            children={
                "questions": [
                    {"question": "孩子出生证明丢了怎么办？", "answer": "到签发医院申请补发。"}
                ]
            },
        ),
        "social_card": make_task(
            catalog_code="000110008000",
            name="社会保障卡申领",
            department=city.city_dept,
            region=city.city,
            task_type="20",
            fields={"aliases": "社保卡、办社保卡", "user_topic_type": ["social_security"]},
        ),
    }
    return rows


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Any:
    """Each test starts in the source language, whatever an earlier test switched to."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
