"""一件事 plans: situation answers choose members; one form; one de-duplicated material list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from yiwang.catalog.bundle_actions import publish_bundle, retire_bundle, save_bundle
from yiwang.catalog.bundles import chain_dates, load_bundle, resolve, savings
from yiwang.catalog.models import Bundle, BundleMember
from yiwang.catalog.tests.bundle_fixtures import LICENCE_CODE, make_restaurant_bundle
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.workdays import add_workdays

pytestmark = pytest.mark.django_db


def test_selling_liquor_adds_the_liquor_licence_and_its_materials(city: Any) -> None:
    r = make_restaurant_bundle(city)
    data = load_bundle(r.bundle)
    without = resolve(data, {"liquor": "no"})
    with_liquor = resolve(data, {"liquor": "yes"})
    assert [m.version.task_name for m in without.members] == ["个体工商户登记", "食品经营许可"]
    assert [m.version.task_name for m in with_liquor.members] == [
        "个体工商户登记",
        "食品经营许可",
        "酒类商品零售许可",
    ]
    names_without = {row.name for row in without.materials}
    names_with = {row.name for row in with_liquor.materials}
    assert names_with - names_without == {"酒类商品零售许可申请表"}
    assert "liquor_kinds" in {f.key for f in with_liquor.fields}
    assert "liquor_kinds" not in {f.key for f in without.fields}


def test_a_material_two_members_need_is_listed_once(city: Any) -> None:
    r = make_restaurant_bundle(city)
    plan = resolve(load_bundle(r.bundle), {"liquor": "yes"})
    premises = [row for row in plan.materials if "经营场所使用证明" in row.name]
    assert len(premises) == 1
    assert premises[0].task_codes == [r.shop.task.task_code, r.liquor.task.task_code]
    licence = [row for row in plan.materials if row.name == "营业执照"]
    # Linked to the licence type by one item and only named by the other: still one.
    assert len(licence) == 1 and licence[0].identity == f"cert:{LICENCE_CODE}"
    # And stage 1 issues it, so nobody is asked to upload it.
    assert licence[0].produced_by == "个体工商户登记" and not licence[0].asked


def test_the_merged_form_unites_fields_by_key(city: Any) -> None:
    r = make_restaurant_bundle(city)
    plan = resolve(load_bundle(r.bundle), {"liquor": "yes"})
    by_key = {f.key: f for f in plan.fields}
    assert list(by_key) == ["operator", "premises", "mobile", "items", "liquor_kinds"]
    # Required by 个体工商户登记, optional for 食品经营许可: required.
    assert by_key["premises"].required
    assert plan.dedup_map["premises"] == [r.shop.task.task_code, r.food.task.task_code]


def test_stages_chain_so_the_promise_is_later_than_the_longest_item(city: Any) -> None:
    r = make_restaurant_bundle(city)
    plan = resolve(load_bundle(r.bundle), {"liquor": "yes"})
    start = dt.date(2026, 3, 2)
    ends, promise = plan.estimate(start)
    assert promise == add_workdays(start, 3 + 10)
    naive = max(add_workdays(start, m.days) for m in plan.members)
    assert naive == add_workdays(start, 10) and promise > naive
    assert plan.orchestrated_days == 13


def test_known_ends_replace_estimates() -> None:
    start = dt.date(2026, 3, 2)
    stage_one_end = dt.date(2026, 3, 3)  # decided early
    ends, promise = chain_dates(start, [[(1, stage_one_end, 3)], [(2, None, 5), (3, None, 2)]])
    assert ends[1] == stage_one_end
    assert promise == add_workdays(stage_one_end, 5)


def test_savings_count_forms_materials_visits_and_days(city: Any) -> None:
    r = make_restaurant_bundle(city)
    plan = resolve(load_bundle(r.bundle), {"liquor": "yes"})
    saved = savings(plan)
    assert (saved.forms_before, saved.forms_after) == (3, 1)
    # 2 + 2 (营业执照 from a certificate is not counted) + 3 → 申请书×4 + 场所 + 健康证明.
    assert saved.materials_before == 7
    assert saved.materials_after == 5
    assert (saved.visits_before, saved.visits_after) == (2, 1)
    assert (saved.days_before, saved.days_after) == (18, 13)


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"nope": "yes"}, "situation_question_unknown"),
        ({"liquor": "maybe"}, "situation_option_unknown"),
        ({"liquor": ["yes", "no"]}, "situation_answer_invalid"),
        (["liquor"], "situation_answers_invalid"),
    ],
)
def test_bad_answers_have_stable_codes(city: Any, answers: Any, code: str) -> None:
    r = make_restaurant_bundle(city)
    with pytest.raises(DomainError) as caught:
        resolve(load_bundle(r.bundle), answers)
    assert caught.value.code == code


def test_only_catalogue_admins_define_bundles(city: Any, personas: Any) -> None:
    r = make_restaurant_bundle(city)
    with pytest.raises(PermissionDenied):
        retire_bundle(actor=personas.clerk_a, bundle=r.bundle)
    retired = retire_bundle(actor=personas.catalog_admin, bundle=r.bundle)
    assert retired.status == "retired"
    again = publish_bundle(actor=personas.catalog_admin, bundle=retired)
    assert again.status == "published" and again.version == r.bundle.version + 1


def test_a_bad_definition_changes_nothing(city: Any) -> None:
    r = make_restaurant_bundle(city)
    before = list(BundleMember.objects.filter(bundle=r.bundle).values_list("task_id", "stage"))
    with pytest.raises(DomainError) as caught:
        save_bundle(
            actor=SYSTEM,
            code=r.bundle.code,
            name="开办餐饮店",
            life_cycle="enterprise",
            theme="birth",  # a person's theme
            region=city.county_a,
            lead_department=city.dept_a2,
            members=[{"task_code": r.shop.task.task_code}],
        )
    assert caught.value.code == "bundle_theme_invalid"
    with pytest.raises(DomainError) as caught:
        save_bundle(
            actor=SYSTEM,
            code=r.bundle.code,
            name="开办餐饮店",
            life_cycle="enterprise",
            theme="entry",
            region=city.county_a,
            lead_department=city.dept_a2,
            members=[
                {"task_code": r.shop.task.task_code},
                {"task_code": r.liquor.task.task_code, "always": False},
            ],
        )
    assert caught.value.code == "situation_member_unreachable"
    after = list(BundleMember.objects.filter(bundle=r.bundle).values_list("task_id", "stage"))
    assert after == before
    assert Bundle.objects.get(pk=r.bundle.pk).theme == "entry"
