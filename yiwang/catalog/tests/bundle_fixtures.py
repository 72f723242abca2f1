"""A 开办餐饮店 bundle over three items of 东湖区市场监督管理局 (county A), for tests.

Stage 1: 个体工商户登记 (3 working days; its result is the 营业执照).
Stage 2, in parallel: 食品经营许可 (10 days, always) and 酒类商品零售许可 (5 days, only when
the shop sells liquor). 经营场所使用证明 is needed by 个体工商户登记 and 酒类商品零售许可;
营业执照 by both stage-2 items (one links the licence type, the other only names it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yiwang.catalog.bundle_actions import publish_bundle, save_bundle
from yiwang.catalog.models import Bundle, TaskVersion
from yiwang.catalog.tests.conftest import make_task
from yiwang.core.actors import SYSTEM

LICENCE_CODE = "11100000000013127D001"
ID_CODE = "11100000000013338W001"


@dataclass
class Restaurant:
    bundle: Bundle
    shop: TaskVersion
    food: TaskVersion
    liquor: TaskVersion


def make_restaurant_bundle(city: Any, code: str = "restaurant") -> Restaurant:
    department, county = city.dept_a2, city.county_a
    shop = make_task(
        catalog_code="000201004000",
        name="个体工商户登记",
        department=department,
        region=county,
        fields={
            "anticipate_day": 15,
            "promise_day": 3,
            "server_type": ["1"],
            "result_type": "1",
            "result_name": "营业执照",
            "result_certificate_type_code": LICENCE_CODE,
            "limit_scene_num": 1,
        },
        children={
            "materials": [
                {"material_name": "个体工商户登记申请书", "source_type": "1"},
                {"material_name": "经营场所使用证明", "source_type": "1"},
            ],
            "form_fields": [
                {"key": "operator", "label": "经营者姓名", "prefill": "profile:name"},
                {"key": "premises", "label": "经营场所", "required": True},
                {"key": "mobile", "label": "联系电话", "prefill": "profile:mobile"},
            ],
        },
    )
    food = make_task(
        catalog_code="000201001000",
        name="食品经营许可",
        department=department,
        region=county,
        fields={
            "anticipate_day": 20,
            "promise_day": 10,
            "server_type": ["1", "2"],
            "limit_scene_num": 1,
        },
        children={
            "materials": [
                {"material_name": "食品经营许可申请书", "source_type": "1"},
                {
                    "material_name": "营业执照",
                    "source_type": "4",
                    "source_certificate_type_code": LICENCE_CODE,
                },
                {"material_name": "健康证明", "source_type": "1"},
            ],
            "form_fields": [
                {"key": "operator", "label": "经营者名称", "prefill": "profile:name"},
                {"key": "premises", "label": "经营场所", "required": False},
                {"key": "items", "label": "经营项目", "required": True},
            ],
        },
    )
    liquor = make_task(
        catalog_code="000201005000",
        name="酒类商品零售许可",
        department=department,
        region=county,
        fields={"anticipate_day": 20, "promise_day": 5, "server_type": ["1", "2"]},
        children={
            "materials": [
                {"material_name": "酒类商品零售许可申请表", "source_type": "1"},
                {"material_name": "营业执照", "source_type": "2"},
                {"material_name": "经营场所使用证明（复印件）", "source_type": "1"},
            ],
            "form_fields": [
                {
                    "key": "liquor_kinds",
                    "label": "经营酒类品种",
                    "field_type": "choice",
                    "choices": ["白酒", "啤酒", "葡萄酒"],
                },
            ],
        },
    )
    bundle = save_bundle(
        actor=SYSTEM,
        code=code,
        name="开办餐饮店",
        life_cycle="enterprise",
        theme="entry",
        region=county,
        lead_department=department,
        members=[
            {"task_code": shop.task.task_code, "stage": 1},
            {"task_code": food.task.task_code, "stage": 2},
            {"task_code": liquor.task.task_code, "stage": 2, "always": False},
        ],
        questions=[
            {
                "code": "liquor",
                "text": "是否销售酒类？",
                "options": [
                    {"code": "yes", "label": "是", "adds": [liquor.task.task_code]},
                    {"code": "no", "label": "否"},
                ],
            }
        ],
    )
    bundle = publish_bundle(actor=SYSTEM, bundle=bundle)
    return Restaurant(bundle, shop, food, liquor)
