"""Streamlining rates against a baseline, on a fixture small enough to compute by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from conftest import make_staff
from yiwang.catalog import actions, metrics
from yiwang.catalog.models import Task
from yiwang.catalog.tests.conftest import make_task, publish
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.regions.choices import Role


def mats(*sources: str, optional: int = 0) -> list[dict]:
    rows: list[dict] = [
        {"material_name": f"材料{i}", "source_type": s} for i, s in enumerate(sources)
    ]
    rows += [{"material_name": f"可选{i}", "is_need": False} for i in range(optional)]
    return rows


def steps(n: int) -> list[dict]:
    return [{"name": f"环节{i}", "role": "reviewer", "limit_days": 1} for i in range(n)]


def revise(version, fields: dict, children: dict):
    draft = actions.new_draft_version(actor=SYSTEM, task=version.task)
    actions.update_draft(actor=SYSTEM, version=draft, fields=fields, children=children)
    return publish(draft)


@pytest.fixture
def streamlined(city):
    """T1 (dept_a2): 4 steps → 3; 5 materials → 3 to hand in (2 now certificates);
    statutory 20, promised 20 → 10.
    T2 (dept_a): 3 steps → 2; 3 materials → 1 (one shared data, one made optional);
    statutory 10, promised 8 → 5.
    T3 is added after the baseline and T4 retired after it: neither counts."""
    t1 = make_task(
        catalog_code="000201001000", name="食品经营许可", department=city.dept_a2,
        region=city.county_a,
        fields={"anticipate_day": 20, "promise_day": 20},
        children={"steps": steps(4), "materials": mats("1", "1", "1", "1", "1")},
    )  # fmt: skip
    t2 = make_task(
        catalog_code="000109003000", name="公共场所卫生许可", department=city.dept_a,
        region=city.county_a,
        fields={"anticipate_day": 10, "promise_day": 8},
        children={"steps": steps(3), "materials": mats("1", "1", "1")},
    )  # fmt: skip
    t4 = make_task(
        catalog_code="000109004000", name="放射诊疗许可", department=city.dept_a,
        region=city.county_a,
        fields={"anticipate_day": 20, "promise_day": 20},
        children={"steps": steps(5), "materials": mats("1", "1")},
    )  # fmt: skip
    snapshot = actions.take_baseline(actor=SYSTEM, name="2025 基线")
    revise(
        t1,
        {"promise_day": 10},
        {"steps": steps(3), "materials": mats("1", "1", "1", "4", "4")},
    )
    revise(t2, {"promise_day": 5}, {"steps": steps(2), "materials": mats("1", "5", optional=1)})
    make_task(
        catalog_code="000201005000", name="酒类商品零售许可", department=city.dept_a2,
        region=city.county_a,
        fields={"anticipate_day": 20, "promise_day": 1},
        children={"steps": steps(1)},
    )  # fmt: skip
    actions.retire_version(actor=SYSTEM, version=t4)
    return snapshot


@pytest.mark.django_db
def test_rates_match_the_hand_computation(city, streamlined) -> None:
    report = metrics.streamlining(streamlined, Task.objects.all())
    total = report.total
    assert total.tasks == 2 and report.left_out == 1
    assert (total.steps_base, total.steps_now) == (7, 5)
    assert total.step_rate == Fraction(2, 7)  # 1 − 5/7
    assert (total.materials_base, total.materials_now) == (8, 4)
    assert total.material_rate == Fraction(1, 2)  # 1 − 4/8
    assert total.time_rate == Fraction(1, 2)  # 1 − (10+5)/(20+10)
    assert total.promise_rate == Fraction(13, 28)  # 1 − (10+5)/(20+8)
    assert metrics.percent(total.step_rate) == "28.57%"

    by_dept = {dept.name: tally for dept, tally in report.departments}
    assert by_dept["东湖区市场监督管理局"].step_rate == Fraction(1, 4)
    assert by_dept["东湖区市场监督管理局"].material_rate == Fraction(2, 5)
    assert by_dept["东湖区行政审批局"].material_rate == Fraction(2, 3)
    assert by_dept["东湖区行政审批局"].time_rate == Fraction(1, 2)
    by_task = {row.task.catalog_item.name: row.tally for row in report.tasks}
    assert by_task["食品经营许可"].time_rate == Fraction(1, 2)
    assert by_task["公共场所卫生许可"].promise_rate == Fraction(3, 8)


@pytest.mark.django_db
def test_natural_days_count_as_five_sevenths(city) -> None:
    make_task(
        catalog_code="000201001000", name="食品经营许可", department=city.dept_a2,
        region=city.county_a,
        fields={"anticipate_day": 14, "anticipate_type": "2", "promise_day": 5},
    )  # fmt: skip
    snapshot = actions.take_baseline(actor=SYSTEM, name="基线")
    report = metrics.streamlining(snapshot, Task.objects.all())
    assert report.total.time_rate == Fraction(1, 2)  # 14 natural days = 10 working days


@pytest.mark.django_db
def test_scope_and_permissions(city, personas, streamlined) -> None:
    from yiwang.catalog import queries

    with pytest.raises(PermissionDenied):
        queries.metrics_tasks(personas.clerk_a)
    with pytest.raises(PermissionDenied):
        actions.take_baseline(actor=personas.clerk_a, name="x")
    county_admin = make_staff("catalog.a", city.dept_a, [Role.CATALOG_ADMIN], department_only=False)
    with pytest.raises(PermissionDenied):
        actions.take_baseline(actor=county_admin, name="区级基线")
    with pytest.raises(DomainError) as caught:
        actions.take_baseline(actor=personas.catalog_admin, name="2025 基线")
    assert caught.value.code == "baseline_exists"
    mine = metrics.streamlining(streamlined, queries.metrics_tasks(county_admin))
    assert mine.total.tasks == 2
