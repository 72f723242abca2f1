"""/api/v1/bundles: list, detail, resolve, one submission with Idempotency-Key, scoped reads."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conftest import client_for, make_staff
from yiwang.cases.models import BundleCase, Case
from yiwang.cases.tests.conftest import PDF
from yiwang.catalog.tests.bundle_fixtures import Restaurant, make_restaurant_bundle
from yiwang.regions.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant(city: Any) -> Restaurant:
    return make_restaurant_bundle(city)


def test_list_detail_and_resolve_need_no_login(restaurant) -> None:
    client = client_for(None)
    assert [b["code"] for b in client.get("/api/v1/bundles/").json()] == ["restaurant"]
    detail = client.get("/api/v1/bundles/restaurant").json()
    assert detail["questions"][0]["code"] == "liquor" and len(detail["members"]) == 3
    plan = client.post(
        "/api/v1/bundles/restaurant/resolve",
        {"answers": {"liquor": "yes"}},
        content_type="application/json",
    ).json()
    assert [m["task_name"] for m in plan["members"]][-1] == "酒类商品零售许可"
    shared = [m for m in plan["materials"] if m["name"].startswith("经营场所使用证明")]
    assert len(shared) == 1 and len(shared[0]["task_codes"]) == 2
    assert plan["savings"]["forms_before"] == 3 and plan["savings"]["forms_after"] == 1


def test_bad_answers_answer_a_stable_code(restaurant) -> None:
    answer = client_for(None).post(
        "/api/v1/bundles/restaurant/resolve",
        {"answers": {"liquor": "maybe"}},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "situation_option_unknown"
    assert client_for(None).get("/api/v1/bundles/nothing").status_code == 404


def _submission(client: Any) -> dict[str, Any]:
    plan = client.post(
        "/api/v1/bundles/restaurant/resolve",
        {"answers": {"liquor": "yes"}},
        content_type="application/json",
    ).json()
    files = {}
    for row in plan["materials"]:
        if row["asked"]:
            handle = io.BytesIO(PDF + row["identity"].encode())
            handle.name = f"{row['upload_field']}.pdf"
            files[row["upload_field"]] = handle
    return {
        "answers": json.dumps({"liquor": "yes"}),
        "form_data": json.dumps(
            {"premises": "八一大道 1 号", "items": "热食类制售", "liquor_kinds": "啤酒"}
        ),
        **files,
    }


def test_submit_once_and_a_retry_creates_nothing(city, personas, restaurant) -> None:
    citizen = client_for(personas.citizen)
    answer = citizen.post(
        "/api/v1/bundles/restaurant/applications",
        _submission(citizen),
        HTTP_IDEMPOTENCY_KEY="bundle-1",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert len(body["sub_cases"]) == 3 and body["status"] == "submitted"
    again = citizen.post(
        "/api/v1/bundles/restaurant/applications",
        _submission(citizen),
        HTTP_IDEMPOTENCY_KEY="bundle-1",
    )
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert BundleCase.objects.count() == 1 and Case.objects.count() == 3
    url = f"/api/v1/bundles/applications/{body['id']}"
    mine = citizen.get(url).json()
    assert mine["is_applicant"] and mine["timeline"]
    assert client_for(personas.other_citizen).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401
    other_county = make_staff("clerk.b3", city.dept_b, [Role.WINDOW_CLERK])
    assert client_for(other_county).get(url).status_code == 404
    assert [p["id"] for p in citizen.get("/api/v1/bundles/applications/").json()] == [body["id"]]


def test_a_wrong_file_field_changes_nothing(personas, restaurant) -> None:
    citizen = client_for(personas.citizen)
    data = _submission(citizen)
    handle = io.BytesIO(PDF)
    handle.name = "x.pdf"
    data["material_1"] = handle
    answer = citizen.post("/api/v1/bundles/restaurant/applications", data)
    assert answer.status_code == 400 and answer.json()["code"] == "upload_field_invalid"
    assert not BundleCase.objects.exists()
