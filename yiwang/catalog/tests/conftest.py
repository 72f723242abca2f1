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
