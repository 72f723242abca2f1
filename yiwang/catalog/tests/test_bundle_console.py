"""The console's 一件事 editor, from the outside: who reaches it, what it saves, what it refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import client_for, make_staff
from yiwang.catalog.models import Bundle, BundleMember, SituationOption
from yiwang.catalog.tests.bundle_fixtures import make_restaurant_bundle
from yiwang.core.models import AuditEntry
from yiwang.regions.choices import Role

pytestmark = pytest.mark.django_db

NEW = "/catalog/console/bundles/new/"


def html_of(response: Any) -> str:
    return str(response.content.decode())


def edit_url(code: str) -> str:
    return f"/catalog/console/bundles/{code}/edit/"


def payload(
    city: Any,
    *,
    code: str | None = "shop2",
    name: str = "开小店",
    members: list[tuple[str, int, bool]],
    questions: list[tuple[str, str, list[tuple[str, str, str]]]] = (),  # type: ignore[assignment]
    key: str = "",
) -> dict[str, Any]:
    """What the editor posts: the bundle, member rows, questions with their option rows."""
    data: dict[str, Any] = {
        "name": name,
        "life_cycle": "enterprise",
        "theme": "entry",
        "region": str(city.county_a.pk),
        "lead_department": str(city.dept_a2.pk),
        "description": "个体经营者开店一次办。",
        "submission_key": key,
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
    }
    if code is not None:
        data["code"] = code
    for index, (task_code, stage, always) in enumerate(members):
        data[f"members-{index}-task_code"] = task_code
        data[f"members-{index}-stage"] = str(stage)
        if always:
            data[f"members-{index}-always"] = "on"
    for index, (q_code, text, options) in enumerate(questions):
        data[f"questions-{index}-code"] = q_code
        data[f"questions-{index}-text"] = text
        prefix = f"questions-{index}-options"
        data[f"{prefix}-TOTAL_FORMS"] = str(len(options))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for number, (o_code, label, adds) in enumerate(options):
            data[f"{prefix}-{number}-code"] = o_code
            data[f"{prefix}-{number}-label"] = label
            data[f"{prefix}-{number}-adds"] = adds
    return data


def test_an_admin_creates_edits_and_publishes_a_bundle_from_the_page(city, personas) -> None:
    r = make_restaurant_bundle(city)
    shop, food, liquor = (v.task.task_code for v in (r.shop, r.food, r.liquor))
    admin = client_for(personas.catalog_admin)
    page = admin.get(NEW)
    assert page.status_code == 200
    assert 'name="submission_key"' in html_of(page) and "<label" in html_of(page)

    data = payload(city, members=[(shop, 1, True), (food, 2, True)], key="k1")
    created = admin.post(NEW, data)
    assert created.status_code == 302 and created["Location"] == edit_url("shop2")
    bundle = Bundle.objects.get(code="shop2")
    assert bundle.status == "draft" and bundle.name == "开小店"
    assert [(m.task.task_code, m.stage) for m in bundle.members.all()] == [(shop, 1), (food, 2)]
    # A retried submission (same key) makes nothing new and changes nothing.
    assert admin.post(NEW, data)["Location"] == edit_url("shop2")
    assert (
        AuditEntry.objects.filter(action="catalog.bundle_saved", subject_id=bundle.pk).count() == 1
    )

    # Not public while a draft; the preview shows the plan to the administrator.
    assert Client().get("/services/bundles/shop2/").status_code == 404
    preview = admin.get("/catalog/console/bundles/shop2/preview/")
    assert preview.status_code == 200
    assert "个体工商户登记" in html_of(preview) and "预览" in html_of(preview)
    assert "一次申请" not in html_of(preview)

    # Edit: rename, add the liquor licence by situation.
    edit = admin.get(edit_url("shop2"))
    assert edit.status_code == 200 and shop in html_of(edit)
    changed = payload(
        city,
        code=None,
        name="开小店（含酒类）",
        members=[(shop, 1, True), (food, 2, True), (liquor, 2, False)],
        questions=[("liquor", "是否卖酒？", [("yes", "是", liquor), ("no", "否", "")])],
        key="k2",
    )
    saved = admin.post(edit_url("shop2"), changed)
    assert saved.status_code == 302, html_of(saved)
    option = SituationOption.objects.get(question__bundle__code="shop2", code="yes")
    assert [m.task.task_code for m in option.adds.all()] == [liquor]
    form = html_of(admin.get(edit_url("shop2")))
    assert "是否卖酒？" in form and liquor in form
    assert "：个体工商户登记</legend>" in form  # the item's name, not only its long code
    described = set(re.findall(r'aria-describedby="([^"]+)"', form))
    assert described and all(f'id="{ref}"' in form for ref in described)

    assert admin.post("/catalog/console/bundles/shop2/publish/").status_code == 302
    guide = Client().get("/services/bundles/shop2/", {"q_liquor": "yes"})
    body = html_of(guide)
    assert guide.status_code == 200 and "开小店（含酒类）" in body
    assert "酒类商品零售许可" in body and "是否卖酒？" in body

    # Editing a published bundle keeps it published and raises its version.
    version = Bundle.objects.get(code="shop2").version
    again = admin.post(
        edit_url("shop2"), {**changed, "name": "开小店一件事", "submission_key": "k3"}
    )
    assert again.status_code == 302
    bundle = Bundle.objects.get(code="shop2")
    assert bundle.status == "published" and bundle.version == version + 1
    assert "开小店一件事" in html_of(Client().get("/services/bundles/shop2/"))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("unknown_item", "bundle_task_unknown"),
        ("other_bundles_member", "situation_adds_invalid"),
        ("repeated_member", "bundle_member_repeated"),
        ("repeated_option", "situation_option_invalid"),
        ("taken_code", "bundle_code_taken"),
        ("empty_name", "field_required"),
        ("bad_stage", "bundle_stage_invalid"),
    ],
)
def test_bad_input_gives_the_stable_code_and_changes_nothing(city, personas, change, code) -> None:
    r = make_restaurant_bundle(city)
    other = make_restaurant_bundle_other(city)
    shop, food, liquor = (v.task.task_code for v in (r.shop, r.food, r.liquor))
    members = [(shop, 1, True), (food, 2, True), (liquor, 2, False)]
    options = [("yes", "是", liquor), ("no", "否", "")]
    target = edit_url(r.bundle.code)
    kwargs: dict[str, Any] = {"code": None, "name": "开办餐饮店", "members": members}
    if change == "unknown_item":
        kwargs["members"] = [*members, ("NO-SUCH-ITEM", 2, True)]
    elif change == "other_bundles_member":
        options = [("yes", "是", f"{liquor}，{other}"), ("no", "否", "")]
    elif change == "repeated_member":
        kwargs["members"] = [*members, (food, 1, True)]
    elif change == "repeated_option":
        options = [("yes", "是", liquor), ("yes", "否", "")]
    elif change == "taken_code":
        target, kwargs["code"] = NEW, r.bundle.code
    elif change == "empty_name":
        kwargs["name"] = "  "
    elif change == "bad_stage":
        kwargs["members"] = [(shop, 12, True), *members[1:]]
    kwargs["questions"] = [("liquor", "是否销售酒类？", options)]
    before = snapshot(r.bundle)
    admin = client_for(personas.catalog_admin)
    refused = admin.post(target, payload(city, **kwargs))
    assert refused.status_code in {400, 409}
    body = html_of(refused)
    assert f'data-error-code="{code}"' in body and 'role="alert"' in body
    assert snapshot(r.bundle) == before
    assert not Bundle.objects.filter(code="shop2").exists()


def make_restaurant_bundle_other(city: Any) -> str:
    """A member of another bundle (so not a member of the one being edited)."""
    from yiwang.catalog.tests.conftest import make_task

    version = make_task(
        catalog_code="000201009000",
        name="户外广告设置许可",
        department=city.dept_a2,
        region=city.county_a,
        fields={"anticipate_day": 10, "promise_day": 5, "server_type": ["2"]},
    )
    return str(version.task.task_code)


def snapshot(bundle: Bundle) -> Any:
    fresh = Bundle.objects.get(pk=bundle.pk)
    members = list(BundleMember.objects.filter(bundle=fresh).values_list("task_id", "stage"))
    options = list(
        SituationOption.objects.filter(question__bundle=fresh).values_list("code", "label")
    )
    return fresh.name, fresh.version, fresh.status, members, options


def test_the_page_and_the_api_refuse_alike(city, personas) -> None:
    r = make_restaurant_bundle(city)
    admin = client_for(personas.catalog_admin)
    body = {
        "name": "开办餐饮店",
        "life_cycle": "enterprise",
        "theme": "entry",
        "region_code": city.county_a.code,
        "lead_department_id": city.dept_a2.pk,
        "members": [{"task_code": "NO-SUCH-ITEM"}],
    }
    api = admin.put(
        f"/api/v1/catalog/bundles/{r.bundle.code}", body, content_type="application/json"
    )
    page = admin.post(
        edit_url(r.bundle.code), payload(city, code=None, members=[("NO-SUCH-ITEM", 1, True)])
    )
    assert api.json()["code"] == "bundle_task_unknown"
    assert 'data-error-code="bundle_task_unknown"' in html_of(page)
    assert api.status_code == page.status_code == 400


def test_who_reaches_the_editor(city, personas) -> None:
    r = make_restaurant_bundle(city)
    code = r.bundle.code
    pages = [NEW, edit_url(code), f"/catalog/console/bundles/{code}/preview/"]
    for path in pages:
        response = Client().get(path)
        assert response.status_code == 302 and "login" in response["Location"]
        assert client_for(personas.citizen).get(path).status_code in {302, 403, 404}
        assert client_for(personas.clerk_a).get(path).status_code == 403
        assert client_for(personas.clerk_b).get(path).status_code == 403
        assert client_for(personas.city_admin).get(path).status_code == 200
    # A catalogue administrator of county B does not see county A's bundle.
    admin_b = make_staff("catalog.b", city.dept_b, [Role.CATALOG_ADMIN], department_only=False)
    assert client_for(admin_b).get(pages[1]).status_code == 404
    assert client_for(admin_b).get(pages[2]).status_code == 404
    before = snapshot(r.bundle)
    posted = client_for(personas.clerk_a).post(
        edit_url(code), payload(city, code=None, name="改名", members=[])
    )
    assert posted.status_code == 403 and snapshot(r.bundle) == before


def test_the_editor_in_english(city, personas) -> None:
    r = make_restaurant_bundle(city)
    admin = client_for(personas.catalog_admin)
    admin.cookies["django_language"] = "en"
    for path in (NEW, edit_url(r.bundle.code), "/catalog/console/bundles/"):
        body = html_of(admin.get(path, HTTP_ACCEPT_LANGUAGE="en"))
        assert 'lang="en"' in body
        assert "成员事项" not in body and "情形问题" not in body and "新建一件事" not in body
    new = html_of(admin.get(NEW, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Member items" in new
    zh = html_of(client_for(personas.catalog_admin).get(NEW))
    assert "成员事项" in zh and "情形问题" in zh


def test_more_rows_without_javascript_keeps_what_was_typed(city, personas) -> None:
    r = make_restaurant_bundle(city)
    admin = client_for(personas.catalog_admin)
    data = payload(
        city,
        members=[(r.shop.task.task_code, 1, True)],
        questions=[("q1", "第一个问题？", [("a", "甲", "")])],
    )
    data["more_rows"] = "1"
    page = admin.post(NEW, data)
    body = html_of(page)
    assert page.status_code == 200 and not Bundle.objects.filter(code="shop2").exists()
    assert 'name="members-3-task_code"' in body and r.shop.task.task_code in body
    assert 'name="questions-1-code"' in body and 'name="questions-0-options-2-code"' in body
    assert 'name="questions-1-options-1-label"' in body and "第一个问题？" in body


def test_a_draft_bundle_of_unpublished_items_previews_and_explains(city, personas) -> None:
    from yiwang.catalog.tests.conftest import make_task

    draft_item = make_task(
        catalog_code="000201008000",
        name="门头招牌设置备案",
        department=city.dept_a2,
        region=city.county_a,
        fields={"anticipate_day": 5, "promise_day": 2},
        published=False,
    )
    admin = client_for(personas.catalog_admin)
    code = draft_item.task.task_code
    created = admin.post(NEW, payload(city, code="signs", members=[(code, 1, True)]))
    assert created.status_code == 302
    preview = admin.get("/catalog/console/bundles/signs/preview/")
    assert preview.status_code == 200 and code in html_of(preview)
    refused = admin.post("/catalog/console/bundles/signs/publish/", follow=True)
    assert "没有现行版本" in html_of(refused)
    assert Bundle.objects.get(code="signs").status == "draft"


def test_the_editor_offers_the_city_and_its_counties_not_every_village(city, personas) -> None:
    page = html_of(client_for(personas.catalog_admin).get(NEW))
    region_select = page[
        page.index('name="region"') : page.index("</select>", page.index('name="region"'))
    ]
    assert city.county_a.name in region_select
    assert city.village_a.name not in region_select
