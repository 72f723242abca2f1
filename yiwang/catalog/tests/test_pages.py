"""Catalogue pages from outside: the public guide and search, the console and its roles."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import client_for, make_staff
from yiwang.catalog import actions, forms
from yiwang.catalog.models import Synonym, Task, TaskVersion
from yiwang.catalog.tests.conftest import make_task, publish
from yiwang.catalog.tests.test_excel import good_row, task_book
from yiwang.core.actors import SYSTEM
from yiwang.regions.choices import Role


def html_of(response) -> str:
    return str(response.content.decode())


def one_h1(html: str) -> bool:
    return len(re.findall(r"<h1[ >]", html)) == 1


# ---------------------------------------------------------------- public


@pytest.mark.django_db
def test_guide_shows_what_an_applicant_needs(city) -> None:
    version = make_task(
        catalog_code="000201001000",
        name="食品经营许可",
        department=city.dept_a2,
        region=city.county_a,
        fields={
            "anticipate_day": 20,
            "promise_day": 7,
            "accept_condition": "有与经营相适应的场所",
            "transact_addr": "东湖区政务服务中心 2 楼",
            "transact_time": "工作日 9:00-17:00",
            "handle_area": "2",
            "is_fee": True,
        },
        children={
            "materials": [
                {
                    "material_name": "申请书",
                    "form_file": "/media/forms/apply.docx",
                    "example_file": "javascript:alert(1)",
                },
                {"material_name": "营业执照", "source_type": "4"},
            ],  # fmt: skip
            "fees": [{"fee_name": "工本费", "fee_stand": "每证 10 元"}],
            "steps": [{"name": "受理", "role": "window_clerk", "limit_days": 1}],
            "questions": [{"question": "要跑几次？", "answer": "最多跑一次。"}],
        },
    )
    response = Client().get(f"/services/item/{version.task.task_code}/")
    html = html_of(response)
    assert response.status_code == 200 and one_h1(html)
    for text in ("有与经营相适应的场所", "申请书", "免提交", "工本费", "每证 10 元", "受理",
                 "要跑几次？", "最多跑一次。", "全市通办", "东湖区政务服务中心 2 楼",
                 "工作日 9:00-17:00", "20 工作日", "7 工作日"):  # fmt: skip
        assert text in html, text
    assert 'href="/media/forms/apply.docx"' in html
    assert "javascript:" not in html
    assert '<th scope="col">' in html


@pytest.mark.django_db
def test_drafts_and_retired_versions_are_not_public(city, published_task) -> None:
    client = Client()
    draft_only = make_task(
        catalog_code="000109003000", name="公共场所卫生许可", department=city.dept_a,
        region=city.county_a, published=False,
    )  # fmt: skip
    assert client.get(f"/services/item/{draft_only.task.task_code}/").status_code == 404
    assert client.get(f"/services/version/{draft_only.pk}/").status_code == 404
    assert client.get(f"/services/version/{published_task.pk}/").status_code == 200
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    publish(draft)
    assert client.get(f"/services/version/{published_task.pk}/").status_code == 404
    actions.retire_version(actor=SYSTEM, version=draft)
    assert client.get(f"/services/item/{draft.task.task_code}/").status_code == 404
    assert client.get("/services/item/NO-SUCH-CODE/").status_code == 404
    html = html_of(client.get("/services/", {"q": "食品经营"}))
    assert "食品经营许可" not in html.split("results-h", 1)[-1]


@pytest.mark.django_db
def test_search_page(search_catalogue) -> None:
    client = Client()
    response = client.get("/services/", {"q": "我要开餐馆"})
    html = html_of(response)
    assert response.status_code == 200 and one_h1(html)
    results = html.split('<ol class="results"', 1)[1]
    first = re.findall(r'href="/services/item/[^"]+">([^<]+)</a>', results)
    assert "食品经营许可" in first[:3]
    assert 'for="q"' in html and 'for="f-theme"' in html
    bad = client.get("/services/", {"theme": "moon"})
    assert bad.status_code == 400 and 'role="alert"' in html_of(bad)
    themed = html_of(client.get("/services/", {"theme": "birth", "audience": "person"}))
    assert "出生医学证明" in themed and "食品经营许可" not in themed.split("results-h")[1]
    assert client.get("/services/", {"page": "x", "q": "开"}).status_code == 200
    assert client.get("/services/themes/").status_code == 200
    departments = html_of(client.get("/services/departments/"))
    assert "东湖区市场监督管理局" in departments


# ---------------------------------------------------------------- console permissions


CONSOLE_GETS = [
    "/catalog/console/",
    "/catalog/console/new/",
    "/catalog/console/import/",
    "/catalog/console/export.xlsx",
    "/catalog/console/synonyms/",
    "/catalog/console/baselines/",
]


@pytest.mark.django_db
def test_console_permission_matrix(personas, published_task) -> None:
    task_url = f"/catalog/console/task/{published_task.task_id}/"
    version_url = f"/catalog/console/version/{published_task.pk}/"
    urls = [*CONSOLE_GETS, task_url, version_url]
    for url in urls:
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
        for user in (personas.citizen, personas.clerk_a, personas.admin_a):
            assert client_for(user).get(url).status_code == 403, (url, user)
        assert client_for(personas.catalog_admin).get(url).status_code == 200, url
        assert client_for(personas.city_admin).get(url).status_code == 200, url
    posts = [
        f"/catalog/console/version/{published_task.pk}/retire/",
        f"/catalog/console/task/{published_task.task_id}/new-draft/",
        "/catalog/console/synonyms/",
        "/catalog/console/baselines/",
    ]
    for url in posts:
        assert client_for(personas.clerk_a).post(url, {"term": "x", "name": "x"}).status_code == 403
    published_task.refresh_from_db()
    assert published_task.status == "published" and not Synonym.objects.exists()
    # Metrics: supervisors too, clerks not.
    supervisor = make_staff(
        "supervisor", personas.catalog_admin.staff.department, [Role.SUPERVISOR],
        department_only=False,
    )  # fmt: skip
    assert client_for(supervisor).get("/catalog/metrics/").status_code == 200
    assert client_for(personas.clerk_a).get("/catalog/metrics/").status_code == 403


@pytest.mark.django_db
def test_another_countys_admin_gets_404(city, published_task) -> None:
    admin_b = make_staff("catalog.b", city.dept_b, [Role.CATALOG_ADMIN], department_only=False)
    client = client_for(admin_b)
    assert client.get(f"/catalog/console/task/{published_task.task_id}/").status_code == 404
    assert client.get(f"/catalog/console/version/{published_task.pk}/").status_code == 404
    response = client.post(f"/catalog/console/version/{published_task.pk}/retire/")
    assert response.status_code == 404
    assert "食品经营许可" not in html_of(client.get("/catalog/console/"))


# ---------------------------------------------------------------- console flow


def edit_payload(version: TaskVersion, **changes: Any) -> dict[str, Any]:
    """What the edit page posts when a person changes `changes` and keeps the rest."""
    data: dict[str, Any] = {}
    values = forms.VersionFieldsForm.initial_for(version) | changes
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        elif value is not None:
            data[name] = str(value)
    for name in forms.CHILD_FORMSETS:
        rows = forms.child_initial(version, name)
        data[f"{name}-TOTAL_FORMS"] = str(len(rows))
        data[f"{name}-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            for key, value in row.items():
                if isinstance(value, bool):
                    if value:
                        data[f"{name}-{index}-{key}"] = "on"
                elif value is not None:
                    data[f"{name}-{index}-{key}"] = str(value)
    return data


@pytest.mark.django_db
def test_admin_takes_an_item_from_claim_to_publication(city, personas) -> None:
    admin = client_for(personas.catalog_admin)
    response = admin.post(
        "/catalog/console/new/",
        {
            "new_catalog_code": "000201004000",
            "new_catalog_name": "个体工商户登记",
            "department": city.dept_a2.pk,
            "region": city.county_a.pk,
            "task_code": f"{city.dept_a2.uscc}4000201004000",
            "task_name": "个体工商户设立登记",
            "task_type": "01",
            "use_level": "4",
            "anticipate_day": "15",
            "promise_day": "3",
        },
    )
    assert response.status_code == 302
    version = TaskVersion.objects.get(task__task_code=f"{city.dept_a2.uscc}4000201004000")
    assert response["Location"] == f"/catalog/console/version/{version.pk}/edit/"
    edit = admin.get(response["Location"])
    assert edit.status_code == 200 and one_h1(html_of(edit))

    payload = edit_payload(version, accept_condition="有经营场所", handle_area="2")
    payload.update({
        "materials-TOTAL_FORMS": "1", "materials-0-material_name": "登记申请书",
        "materials-0-is_need": "on", "materials-0-material_format": "2",
        "materials-0-source_type": "1", "materials-0-page_num": "1",
    })  # fmt: skip
    saved = admin.post(f"/catalog/console/version/{version.pk}/edit/", payload)
    assert saved.status_code == 302, html_of(saved)
    version.refresh_from_db()
    assert version.accept_condition == "有经营场所" and version.handle_area == "2"
    assert list(version.materials.values_list("material_name", flat=True)) == ["登记申请书"]

    too_long = edit_payload(version, promise_day="30")
    refused = admin.post(f"/catalog/console/version/{version.pk}/edit/", too_long)
    assert refused.status_code == 400
    assert "不能超过法定办结时限" in html_of(refused) and 'role="alert"' in html_of(refused)

    code = version.task.task_code
    assert Client().get(f"/services/item/{code}/").status_code == 404
    for action in ("submit", "approve", "publish"):
        assert admin.post(f"/catalog/console/version/{version.pk}/{action}/").status_code == 302
    guide = Client().get(f"/services/item/{code}/")
    assert guide.status_code == 200 and "登记申请书" in html_of(guide)
    again = admin.post(f"/catalog/console/version/{version.pk}/publish/")
    assert again.status_code == 409 and "不能发布" in html_of(again)

    admin.post(f"/catalog/console/task/{version.task_id}/new-draft/")
    draft = version.task.versions.get(version=2)
    admin.post(f"/catalog/console/version/{draft.pk}/edit/", edit_payload(draft, promise_day="2"))
    diff = admin.get("/catalog/console/diff/", {"from": version.pk, "to": draft.pk})
    assert diff.status_code == 200 and "承诺办结时限" in html_of(diff)
    assert admin.get("/catalog/console/diff/", {"from": "x"}).status_code == 400
    history = html_of(admin.get(f"/catalog/console/task/{version.task_id}/"))
    assert "v2" in history and "v1" in history

    assert admin.post(f"/catalog/console/version/{version.pk}/retire/").status_code == 302
    assert Client().get(f"/services/item/{code}/").status_code == 404
    assert admin.post(f"/catalog/console/version/{draft.pk}/explode/").status_code == 404


@pytest.mark.django_db
def test_reject_needs_a_reason(personas, published_task) -> None:
    admin = client_for(personas.catalog_admin)
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    actions.submit_version(actor=SYSTEM, version=draft)
    refused = admin.post(f"/catalog/console/version/{draft.pk}/reject/", {"note": " "})
    assert refused.status_code == 400 and "驳回理由" in html_of(refused)
    assert (
        admin.post(
            f"/catalog/console/version/{draft.pk}/reject/", {"note": "材料清单不全"}
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.status == "rejected" and draft.review_note == "材料清单不全"


@pytest.mark.django_db
def test_import_and_export_pages(city, personas, published_task) -> None:
    admin = client_for(personas.catalog_admin)
    exported = admin.get("/catalog/console/export.xlsx")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(exported.content))
    assert book["实施清单"]["A2"].value == published_task.task.task_code

    rows = [good_row(city, n) for n in range(1, 5)]
    rows[0]["promise_day"] = 99
    rows[2]["dept_code"] = "91360100000000000X"
    upload = io.BytesIO(task_book(rows))
    upload.name = "list.xlsx"
    bad = admin.post("/catalog/console/import/", {"file": upload})
    html = html_of(bad)
    assert bad.status_code == 400 and 'role="alert"' in html
    assert re.findall(r'<th scope="row">(\d+)</th>', html) == ["2", "4"]
    assert Task.objects.count() == 1

    junk = io.BytesIO(b"PK\x03\x04 not really")
    junk.name = "x.xlsx"
    assert admin.post("/catalog/console/import/", {"file": junk}).status_code == 400

    good = io.BytesIO(task_book([good_row(city, n) for n in range(1, 5)]))
    good.name = "list.xlsx"
    assert admin.post("/catalog/console/import/", {"file": good}).status_code == 302
    assert Task.objects.count() == 5


@pytest.mark.django_db
def test_synonyms_page(personas, search_catalogue) -> None:
    admin = client_for(personas.catalog_admin)
    assert admin.post("/catalog/console/synonyms/", {"term": "", "words": ""}).status_code == 400
    assert (
        admin.post(
            "/catalog/console/synonyms/", {"term": "开饭店", "words": "开餐馆 食品经营"}
        ).status_code
        == 302
    )
    html = html_of(Client().get("/services/", {"q": "开饭店"}))
    first = re.findall(r'href="/services/item/[^"]+">([^<]+)</a>', html)
    assert first[0] == "食品经营许可"
    synonym = Synonym.objects.get()
    assert admin.post(f"/catalog/console/synonyms/{synonym.pk}/delete/").status_code == 302
    assert not Synonym.objects.exists()


@pytest.mark.django_db
def test_baseline_and_metrics_pages(personas, published_task) -> None:
    admin = client_for(personas.catalog_admin)
    assert "尚未采集基线" in html_of(admin.get("/catalog/metrics/"))
    assert admin.post("/catalog/console/baselines/", {"name": "2025 基线"}).status_code == 302
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    actions.update_draft(
        actor=SYSTEM,
        version=draft,
        fields={},
        children={"steps": [{"name": "受理", "role": "window_clerk", "limit_days": 1}]},
    )
    publish(draft)
    html = html_of(admin.get("/catalog/metrics/"))
    assert "66.67%" in html  # 3 steps → 1
    assert "50.00%" in html  # promised 10 of statutory 20
    assert one_h1(html)
    assert admin.get("/catalog/metrics/", {"snapshot": "999"}).status_code == 404
    again = admin.post("/catalog/console/baselines/", {"name": "2025 基线"})
    assert again.status_code == 409


@pytest.mark.django_db
def test_guide_and_search_in_english_and_elder_mode(published_task) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/preferences/elder/", {"elder": "1", "next": "/"})
    html = html_of(client.get(f"/services/item/{published_task.task.task_code}/"))
    assert '<html lang="en" class="elder">' in html
    assert "Time limits" in html and "Application material" in html
    assert "No need to hand in: fetched automatically" in html
    search_html = html_of(client.get("/services/", {"q": "我要开餐馆"}))
    assert "1 item found" in search_html


@pytest.mark.django_db
def test_lists_do_not_query_per_row(
    city, personas, search_catalogue, django_assert_max_num_queries
):
    """Search results, browsing and the console list cost the same with 8 rows as with 1."""
    admin = client_for(personas.catalog_admin)
    admin.get("/catalog/console/")  # warm the session and role caches
    with django_assert_max_num_queries(12):
        assert (
            len(re.findall(r"/services/item/", html_of(Client().get("/services/", {"q": "开"}))))
            >= 5
        )
    with django_assert_max_num_queries(12):
        html = html_of(Client().get("/services/", {"region": city.county_a.code}))
        assert html.count("/services/item/") >= 6
    with django_assert_max_num_queries(12):
        assert html_of(admin.get("/catalog/console/")).count("/catalog/console/task/") == 8
