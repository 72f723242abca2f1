"""Streamlining metrics count what a bundle saves against applying item by item."""

from __future__ import annotations

import pytest

from conftest import client_for
from yiwang.catalog.tests.bundle_fixtures import make_restaurant_bundle

pytestmark = pytest.mark.django_db


def test_bundle_savings_in_the_api_and_on_the_page(city, personas) -> None:
    make_restaurant_bundle(city)
    admin = client_for(personas.city_admin)
    body = admin.get("/api/v1/catalog/metrics/bundles").json()
    row = body["bundles"][0]
    assert row["name"] == "开办餐饮店" and row["members"] == 3
    assert (row["forms_before"], row["forms_after"]) == (3, 1)
    assert (row["days_before"], row["days_after"]) == (18, 13)
    assert body["total"]["materials_before"] == 7 and body["total"]["materials_after"] == 5
    page = admin.get("/catalog/metrics/").content.decode()
    assert "一件事一次办的精简成效" in page and "开办餐饮店" in page
    assert client_for(personas.citizen).get("/api/v1/catalog/metrics/bundles").status_code == 403


def test_catalogue_admins_manage_bundles_from_the_console_and_api(city, personas) -> None:
    from yiwang.catalog.models import Bundle

    r = make_restaurant_bundle(city)
    admin = client_for(personas.catalog_admin)
    page = admin.get("/catalog/console/bundles/").content.decode()
    assert "开办餐饮店" in page and "停用" in page
    assert client_for(personas.clerk_a).get("/catalog/console/bundles/").status_code == 403
    assert (
        client_for(personas.clerk_a).post("/catalog/console/bundles/restaurant/retire/").status_code
        == 403
    )
    admin.post("/catalog/console/bundles/restaurant/retire/")
    assert Bundle.objects.get(code="restaurant").status == "retired"
    body = {
        "name": "开办小餐馆",
        "life_cycle": "enterprise",
        "theme": "entry",
        "region_code": city.county_a.code,
        "lead_department_id": city.dept_a2.pk,
        "members": [
            {"task_code": r.shop.task.task_code},
            {"task_code": r.food.task.task_code, "stage": 2},
        ],
    }
    saved = admin.put(
        "/api/v1/catalog/bundles/small-restaurant", body, content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["status"] == "draft"
    published = admin.post("/api/v1/catalog/bundles/small-restaurant/publish")
    assert published.json()["status"] == "published"
    bad = admin.put(
        "/api/v1/catalog/bundles/small-restaurant",
        {**body, "members": [{"task_code": "nope"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bundle_task_unknown"
    assert Bundle.objects.get(code="small-restaurant").members.count() == 2
    citizen = client_for(personas.citizen)
    assert (
        citizen.put("/api/v1/catalog/bundles/x", body, content_type="application/json").status_code
        == 403
    )
