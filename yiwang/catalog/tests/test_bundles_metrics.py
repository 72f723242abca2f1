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
