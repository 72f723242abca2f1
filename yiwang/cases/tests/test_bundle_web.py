"""一件事 pages from the outside: guide without JavaScript, apply once, one timeline, access."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for, make_staff
from yiwang.cases import actions
from yiwang.cases.models import BundleCase, Case, CaseMaterial
from yiwang.cases.tests.conftest import PDF, at
from yiwang.cases.tests.test_bundle_cases import apply
from yiwang.catalog.bundles import load_bundle, resolve
from yiwang.catalog.tests.bundle_fixtures import Restaurant, make_restaurant_bundle
from yiwang.regions.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant(city: Any) -> Restaurant:
    return make_restaurant_bundle(city)


def test_the_list_and_guide_work_without_javascript(restaurant) -> None:
    anonymous = client_for(None)
    listing = anonymous.get("/services/bundles/").content.decode()
    assert "开办餐饮店" in listing and "准入准营" in listing
    guide = anonymous.get("/services/bundles/restaurant/").content.decode()
    assert "是否销售酒类？" in guide and "酒类商品零售许可" not in guide
    assert "一次申请" not in guide.split("<h1>")[1]  # not before the question is answered
    answered = anonymous.get("/services/bundles/restaurant/?q_liquor=yes").content.decode()
    assert "酒类商品零售许可" in answered
    assert answered.count("经营场所使用证明") == 1
    assert "2 个事项共用，只交一次" in answered
    assert "/cases/bundles/apply/restaurant/?q_liquor=yes" in answered


def test_a_bad_answer_is_a_clear_400(restaurant) -> None:
    response = client_for(None).get("/services/bundles/restaurant/?q_liquor=maybe")
    assert response.status_code == 400 and "没有这个选项" in response.content.decode()


def test_a_draft_bundle_is_not_public(city, restaurant, personas) -> None:
    from yiwang.catalog.bundle_actions import retire_bundle

    retire_bundle(actor=personas.catalog_admin, bundle=restaurant.bundle)
    assert client_for(None).get("/services/bundles/restaurant/").status_code == 404


def test_anonymous_is_sent_to_log_in(restaurant) -> None:
    response = client_for(None).get("/cases/bundles/apply/restaurant/?q_liquor=yes")
    assert response.status_code == 302 and "login" in response["Location"]


def _post(restaurant: Restaurant, key: str = "k1", **extra: Any) -> dict[str, Any]:
    plan = resolve(load_bundle(restaurant.bundle), {"liquor": "yes"})
    data: dict[str, Any] = {
        "submission_key": key,
        "q_liquor": "yes",
        "f_premises": "东湖区八一大道 1 号",
        "f_items": "热食类制售",
        "f_liquor_kinds": "啤酒",
    }
    for row in plan.materials:
        if row.asked:
            data[row.slug] = SimpleUploadedFile(f"{row.slug}.pdf", PDF + row.name.encode())
    data.update(extra)
    return data


def test_apply_once_prefilled_and_a_retry_makes_nothing_new(personas, restaurant) -> None:
    client = client_for(personas.citizen)
    page = client.get("/cases/bundles/apply/restaurant/?q_liquor=yes").content.decode()
    assert 'value="张伟"' in page  # 经营者 pre-filled from the profile
    assert page.count("经营场所使用证明") == 1
    response = client.post("/cases/bundles/apply/restaurant/", _post(restaurant))
    assert response.status_code == 302
    parent = BundleCase.objects.get()
    assert response["Location"] == f"/cases/bundles/{parent.pk}/"
    again = client.post("/cases/bundles/apply/restaurant/", _post(restaurant))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert BundleCase.objects.count() == 1 and Case.objects.count() == 3
    assert parent.form_data["operator"] == "张伟"


def test_a_missing_field_keeps_the_page_and_changes_nothing(personas, restaurant) -> None:
    response = client_for(personas.citizen).post(
        "/cases/bundles/apply/restaurant/", _post(restaurant, f_items="")
    )
    assert response.status_code == 400
    assert not BundleCase.objects.exists() and not CaseMaterial.objects.exists()


def test_one_timeline_and_one_notice(personas, staff, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2), liquor="no")
    shop = parent.sub_cases.get(bundle_stage=1)
    actions.receive_case(actor=staff.clerk, case=shop, now=at(2026, 3, 2, 11))
    client = client_for(personas.citizen)
    page = client.get(f"/cases/bundles/{parent.pk}/").content.decode()
    timeline = page.split('class="timeline"')[1]
    assert timeline.index("申报") < timeline.index("收件")
    assert "个体工商户登记" in timeline
    assert client.get(f"/cases/bundles/{parent.pk}/notice/").status_code == 404
    # Every sub-case decided: one notice lists them all.
    from yiwang.cases.actions.bundles import refresh_bundle

    food = parent.sub_cases.get(bundle_stage=2)
    for case in (shop, food):
        case.refresh_from_db()
    actions.withdraw_case(actor=personas.citizen, case=food, reason="不开了")
    refresh_bundle(bundle_case=parent)
    shop.refresh_from_db()
    shop = actions.accept_case(actor=staff.clerk, case=shop, now=at(2026, 3, 3))
    shop = actions.review_case(actor=staff.reviewer, case=shop, opinion="agree", now=at(2026, 3, 3))
    shop = actions.decide_case(actor=staff.approver, case=shop, granted=True, now=at(2026, 3, 3))
    shop = actions.issue_result(actor=staff.approver, case=shop, now=at(2026, 3, 3))
    shop = actions.start_delivery(
        actor=staff.clerk, case=shop, method="electronic", now=at(2026, 3, 3)
    )
    actions.complete_case(actor=staff.clerk, case=shop, now=at(2026, 3, 4))
    refresh_bundle(bundle_case=parent)
    notice = client.get(f"/cases/bundles/{parent.pk}/notice/")
    assert notice.status_code == 200
    body = notice.content.decode()
    assert "一件事办结通知书" in body and "个体工商户登记" in body and "食品经营许可" in body
    pdf_answer = client.get(f"/cases/bundles/{parent.pk}/notice.pdf")
    assert pdf_answer.status_code == 200 and pdf_answer.content.startswith(b"%PDF")
    assert (
        client_for(personas.other_citizen).get(f"/cases/bundles/{parent.pk}/notice.pdf").status_code
        == 404
    )


def test_another_citizen_gets_404_and_staff_see_only_a_summary(
    city, personas, staff, restaurant
) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    url = f"/cases/bundles/{parent.pk}/"
    assert client_for(personas.other_citizen).get(url).status_code == 404
    assert client_for(personas.other_citizen).get(f"{url}notice/").status_code == 404
    summary = client_for(staff.clerk).get(url)
    assert summary.status_code == 200
    body = summary.content.decode()
    assert parent.bundle_no in body and 'class="timeline"' not in body
    assert "东湖区八一大道" not in body
    other_county = make_staff("clerk.b2", city.dept_b, [Role.WINDOW_CLERK])
    assert client_for(other_county).get(url).status_code == 404
    shop = parent.sub_cases.get(bundle_stage=1)
    assert client_for(other_county).get(f"/cases/{shop.pk}/").status_code == 404
    case_page = client_for(staff.clerk).get(f"/cases/{shop.pk}/").content.decode()
    assert "一件事" in case_page and parent.bundle_no in case_page


def test_my_space_lists_bundles(personas, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    client = client_for(personas.citizen)
    assert "/cases/bundles/" in client.get("/me/").content.decode()
    assert parent.bundle_no in client.get("/cases/bundles/").content.decode()
    assert (
        parent.bundle_no
        not in client_for(personas.other_citizen).get("/cases/bundles/").content.decode()
    )


@pytest.mark.parametrize(
    "path", ["/services/bundles/", "/services/bundles/restaurant/?q_liquor=yes"]
)
def test_pages_in_english(restaurant, path) -> None:
    client = client_for(None)
    client.cookies["django_language"] = "en"
    body = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in body


def test_an_items_own_form_renders_prefilled_on_the_single_apply_page(personas, restaurant) -> None:
    shop = restaurant.shop
    client = client_for(personas.citizen)
    page = client.get(f"/cases/apply/{shop.pk}/").content.decode()
    assert 'name="f_premises"' in page and 'value="张伟"' in page
    files = {
        f"material_{m.pk}": SimpleUploadedFile(f"{m.pk}.pdf", PDF + str(m.pk).encode())
        for m in shop.materials.all()
    }
    missing = client.post(f"/cases/apply/{shop.pk}/", {"submission_key": "s1", **files})
    assert missing.status_code == 400 and not Case.objects.exists()
    files = {
        f"material_{m.pk}": SimpleUploadedFile(f"{m.pk}.pdf", PDF + str(m.pk).encode())
        for m in shop.materials.all()
    }
    done = client.post(
        f"/cases/apply/{shop.pk}/",
        {"submission_key": "s2", "f_premises": "八一大道 2 号", **files},
    )
    assert done.status_code == 302
    assert Case.objects.get().form_data == {
        "operator": "张伟",
        "premises": "八一大道 2 号",
        "mobile": personas.citizen.phone,
    }


def test_the_bundle_list_keeps_a_constant_number_of_queries(
    city, restaurant, django_assert_max_num_queries
) -> None:
    from yiwang.catalog.bundle_actions import publish_bundle, save_bundle
    from yiwang.core.actors import SYSTEM

    for n in range(5):
        bundle = save_bundle(
            actor=SYSTEM,
            code=f"more-{n}",
            name=f"一件事{n}",
            life_cycle="person",
            theme="birth",
            region=city.county_a,
            lead_department=city.dept_a2,
            members=[{"task_code": restaurant.shop.task.task_code}],
        )
        publish_bundle(actor=SYSTEM, bundle=bundle)
    with django_assert_max_num_queries(8):
        assert client_for(None).get("/services/bundles/").status_code == 200


def test_the_citizens_bundle_pages_in_english(personas, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    client = client_for(personas.citizen)
    client.cookies["django_language"] = "en"
    detail = client.get(f"/cases/bundles/{parent.pk}/").content.decode()
    assert "Bundle case number" in detail and "Stage 2" in detail and "Progress" in detail
    form = client.get("/cases/bundles/apply/restaurant/?q_liquor=yes").content.decode()
    assert "Apply once" in form and "Shared by several items" in form
