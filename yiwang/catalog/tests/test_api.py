"""The catalogue API from outside: public search and guides; admin history, diff, metrics."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import client_for
from yiwang.catalog import actions
from yiwang.catalog.tests.conftest import publish
from yiwang.core.actors import SYSTEM

BASE = "/api/v1/catalog"


@pytest.mark.django_db
def test_search_is_public_and_ranks_the_food_licence_first(search_catalogue) -> None:
    body = Client().get(f"{BASE}/items", {"q": "我要开餐馆"}).json()
    assert [item["task_name"] for item in body["items"]][0] == "食品经营许可"
    assert body["tokens"] == ["开", "餐馆"]
    assert body["items"][0]["score"] > 0


@pytest.mark.django_db
def test_search_filters_and_bad_filters(city, search_catalogue) -> None:
    client = Client()
    body = client.get(f"{BASE}/items", {"region": city.county_b.code}).json()
    assert {i["task_name"] for i in body["items"]} == {"出生医学证明", "社会保障卡申领"}
    body = client.get(f"{BASE}/items", {"theme": "birth", "audience": "person"}).json()
    assert body["total"] == 1
    for params in ({"theme": "moon"}, {"region": "999"}, {"handle_area": "x"}):
        response = client.get(f"{BASE}/items", params)
        assert response.status_code == 400
        assert response.json()["code"] == "filter_invalid"
    assert client.get(f"{BASE}/items", {"department": "abc"}).status_code == 422
    assert client.get(f"{BASE}/items", {"q": "x" * 5000, "limit": 10_000}).status_code == 200


@pytest.mark.django_db
def test_guide_of_a_published_item(published_task) -> None:
    code = published_task.task.task_code
    body = Client().get(f"{BASE}/items/{code}").json()
    assert body["task_name"] == "食品经营许可（新办）"
    assert body["promise_day"] == 10 and body["anticipate_day"] == 20
    assert [m["material_name"] for m in body["materials"]] == ["食品经营许可申请书", "营业执照"]
    assert [m["reusable"] for m in body["materials"]] == [False, True]
    assert [s["name"] for s in body["steps"]] == ["受理", "审查", "决定"]
    assert Client().get(f"{BASE}/versions/{published_task.pk}").status_code == 200


@pytest.mark.django_db
def test_drafts_and_retired_versions_are_not_served(city, published_task) -> None:
    client = Client()
    code = published_task.task.task_code
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    response = client.get(f"{BASE}/versions/{draft.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"{BASE}/items/{code}").json()["version"] == 1
    publish(draft)
    assert client.get(f"{BASE}/versions/{published_task.pk}").status_code == 404  # retired
    assert client.get(f"{BASE}/items/{code}").json()["version"] == 2
    actions.retire_version(actor=SYSTEM, version=draft)
    assert client.get(f"{BASE}/items/{code}").status_code == 404
    assert client.get(f"{BASE}/versions/{draft.pk}").status_code == 404
    assert client.get(f"{BASE}/items", {"q": "食品经营"}).json()["total"] == 0


@pytest.mark.django_db
def test_history_and_diff_are_for_catalogue_admins(personas, published_task) -> None:
    code = published_task.task.task_code
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    actions.update_draft(actor=SYSTEM, version=draft, fields={"promise_day": 5})
    url = f"{BASE}/tasks/{code}/versions"
    diff_url = f"{BASE}/diff?from_version={published_task.pk}&to_version={draft.pk}"
    assert Client().get(url).status_code == 401
    for user in (personas.citizen, personas.clerk_a):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).get(diff_url).status_code == 403
    admin = client_for(personas.catalog_admin)
    history = admin.get(url).json()
    assert [(v["version"], v["status"]) for v in history] == [(2, "draft"), (1, "published")]
    body = admin.get(diff_url).json()
    assert body["fields"] == [
        {"name": "promise_day", "label": "承诺办结时限", "before": "10", "after": "5"}
    ]
    assert admin.get(f"{BASE}/tasks/NOPE/versions").status_code == 404


@pytest.mark.django_db
def test_admins_of_another_county_see_nothing(city, published_task) -> None:
    from conftest import make_staff
    from yiwang.regions.choices import Role

    admin_b = make_staff("catalog.b", city.dept_b, [Role.CATALOG_ADMIN], department_only=False)
    code = published_task.task.task_code
    assert client_for(admin_b).get(f"{BASE}/tasks/{code}/versions").status_code == 404


@pytest.mark.django_db
def test_metrics_endpoint(personas, published_task) -> None:
    url = f"{BASE}/metrics"
    assert client_for(personas.catalog_admin).get(url).status_code == 404  # no baseline yet
    actions.take_baseline(actor=SYSTEM, name="基线")
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    actions.update_draft(
        actor=SYSTEM,
        version=draft,
        fields={"promise_day": 5},
        children={"steps": [{"name": "受理", "role": "window_clerk", "limit_days": 1}]},
    )
    publish(draft)
    assert client_for(personas.clerk_a).get(url).status_code == 403
    body = client_for(personas.catalog_admin).get(url).json()
    assert body["total"]["steps_base"] == 3 and body["total"]["steps_now"] == 1
    assert body["total"]["step_rate"] == pytest.approx(0.6667)
    assert body["total"]["time_rate"] == 0.75
    assert body["departments"][0]["department"] == "东湖区市场监督管理局"
    assert body["tasks"][0]["version"] == 2
    assert client_for(personas.catalog_admin).get(f"{url}?snapshot=999").status_code == 404
