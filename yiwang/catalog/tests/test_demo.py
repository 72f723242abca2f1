"""The demo catalogue: real items at all four levels, published through the actions."""

from __future__ import annotations

from collections import Counter

import pytest

from yiwang.catalog import metrics, search
from yiwang.catalog.models import Task
from yiwang.core.models import AuditEntry
from yiwang.portal.demo import catalog as demo
from yiwang.portal.demo import city as demo_city
from yiwang.regions.choices import RegionLevel


def test_the_full_demo_plans_enough_rows_and_departments() -> None:
    """Nine counties, seven townships each, two village rows per county."""
    levels = Counter(item.level for item in demo.ITEMS)
    rows = levels["city"] + 9 * levels["county"] + 63 * levels["township"] + 18 * levels["village"]
    assert rows >= 300
    city_departments = {item.owner for item in demo.ITEMS if item.level == "city"}
    county_kinds = {item.owner for item in demo.ITEMS if item.level != "city"}
    assert len(city_departments) + 9 * len(county_kinds) >= 30
    names = {item.name for item in demo.ITEMS}
    for required in ("食品经营许可", "建设工程规划许可", "社会保障卡申领", "出生医学证明",
                     "居民身份证换领", "个体工商户登记", "公共场所卫生许可", "酒类商品零售许可",
                     "城镇职工基本养老保险待遇申领", "残疾人证办理", "结婚登记",
                     "户口迁移（迁入）"):  # fmt: skip
        assert required in names


@pytest.mark.django_db
def test_demo_catalogue_of_one_county(db) -> None:
    city, counties = demo_city.load_regions()
    demo_city.load_departments(city, counties)
    first = demo.load(counties[:1])
    assert first["created"] > 60 and first["streamlined"] > 10
    levels = Counter(Task.objects.values_list("region__level", flat=True))
    assert set(levels) == {RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP,
                           RegionLevel.VILLAGE}  # fmt: skip
    assert AuditEntry.objects.filter(action="catalog.version_published").count() == (
        first["created"] + first["streamlined"]
    )
    assert demo.load(counties[:1]) == {"created": 0, "streamlined": 0}  # idempotent

    names = [v.task_name for v in search.search("我要开餐馆").versions[:3]]
    assert "食品经营许可" in names
    assert search.search("开饭店").versions[0].task_name == "食品经营许可"  # demo synonym
    report = metrics.streamlining(metrics.latest_snapshot(), Task.objects.all())
    rates = (report.total.step_rate, report.total.material_rate, report.total.promise_rate)
    assert all(rate is not None and rate > 0 for rate in rates)
    licence = Task.objects.get(
        catalog_item__name="营业执照（企业设立登记）", region=counties[0]
    ).current_version
    assert licence.version == 2
    assert (
        licence.materials.filter(source_type="4").exists()
        or licence.materials.filter(source_type="5").exists()
    )
