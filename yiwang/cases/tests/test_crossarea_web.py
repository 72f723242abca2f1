"""跨域通办 from the outside: the hall page, the case page, the queues and the API."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.utils import translation

from conftest import client_for
from yiwang.cases.models import Case, CaseHandoff
from yiwang.cases.tests import test_crossarea as base
from yiwang.cases.tests.conftest import PDF, materials_of
from yiwang.cases.tests.test_crossarea import Sides, item_of, register
from yiwang.identity.models import Person

pytestmark = pytest.mark.django_db
# The fixtures of the action tests: the two sides, county C, and an item of county B.
sides = base.sides
version_b = base.version_b
ID_NUMBER_FIELD = "document_number"


def _id_number(user: Any) -> str:
    """The citizen's resident ID as conftest registered it."""
    import datetime as dt

    from yiwang.portal.demo.city import resident_id_for

    person = Person.objects.get(user=user)
    return resident_id_for(person.region.code[:6], dt.date(1985, 5, 2), 11)


def _files(version: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for pk in materials_of(version).values():
        handle = io.BytesIO(PDF + str(pk).encode())
        handle.name = f"{pk}.pdf"
        body[f"material_{pk}"] = handle
    return body


def _hall_body(version: Any, key: str, number: str) -> dict[str, Any]:
    return {
        "submission_key": key,
        "document_type": "111",
        ID_NUMBER_FIELD: number,
        "contact_mobile": "13912345678",
        "return_to_hall": "on",
        **_files(version),
    }


def _act(client: Any, case_id: int, name: str, **fields: Any) -> Any:
    page = client.get(f"/cases/{case_id}/").content.decode()
    row_version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    return client.post(f"/cases/{case_id}/act/{name}/", {"row_version": row_version, **fields})


def test_hall_registers_once_through_the_page_and_both_sides_carry_on(
    sides: Sides, version_b: Any
) -> None:
    hall = client_for(sides.clerk_a)
    found = hall.get("/cases/hall/", {"q": "食品经营"}).content.decode()
    assert "西湖区行政审批局" in found and f"/cases/hall/{version_b.pk}/" in found
    form = hall.get(f"/cases/hall/{version_b.pk}/").content.decode()
    key = re.search(r'name="submission_key" value="(\w+)"', form).group(1)
    number = _id_number(sides.citizen)
    first = hall.post(f"/cases/hall/{version_b.pk}/", _hall_body(version_b, key, number))
    second = hall.post(f"/cases/hall/{version_b.pk}/", _hall_body(version_b, key, number))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert CaseHandoff.objects.get(case=case).return_to_hall is True
    page = hall.get(f"/cases/{case.pk}/").content.decode()
    assert "异地代收代办" in page and "西湖区行政审批局" in page and "形式审查" in page
    assert _act(hall, case.pk, "proxy_check").status_code == 302
    refused = _act(hall, case.pk, "proxy_forward", channel="post", tracking_no="")
    assert refused.status_code == 400 and "寄递单号" in refused.content.decode()
    assert CaseHandoff.objects.get(case=case).stage == "checked"
    assert _act(hall, case.pk, "proxy_forward", channel="electronic").status_code == 302
    b_queue = client_for(sides.clerk_b).get("/cases/workbench/?queue=receive").content.decode()
    assert str(case.project_no) in b_queue and "东湖区行政审批局" in b_queue
    assert _act(client_for(sides.clerk_b), case.pk, "receive").status_code == 302


def test_unknown_applicant_and_local_item_are_refused_on_the_page(city: Any, sides: Sides) -> None:
    local = item_of(city, city.dept_b, city.county_b, "0201", handle_area="1")
    hall = client_for(sides.clerk_a)
    assert (
        f"/cases/hall/{local.pk}/" not in hall.get("/cases/hall/", {"q": "食品"}).content.decode()
    )
    answer = hall.post(
        f"/cases/hall/{local.pk}/", _hall_body(local, "a" * 32, _id_number(sides.citizen))
    )
    assert answer.status_code == 409 and "本级" in answer.content.decode()
    assert Case.objects.count() == 0


def test_hall_page_is_for_window_clerks_only(sides: Sides, version_b: Any) -> None:
    assert client_for(sides.citizen).get("/cases/hall/").status_code == 403
    page = client_for(sides.reviewer_b).get("/cases/hall/")
    assert page.status_code == 403
    form = client_for(sides.reviewer_b).get(f"/cases/hall/{version_b.pk}/")
    assert form.status_code == 403 and "只有窗口受理人员" in form.content.decode()


def test_proxy_queue_and_case_page_in_english(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)
    hall = client_for(sides.clerk_a)
    queue = hall.get("/cases/workbench/?queue=proxy").content.decode()
    assert str(case.project_no) in queue and "代收代办" in queue
    hall.post("/i18n/setlang/", {"language": "en", "next": "/"})
    try:
        page = hall.get(f"/cases/{case.pk}/").content.decode()
        assert "Cross-area handling" in page and "Proxy receipt" in page
        assert "Form check" in page
        assert "Proxy receipt and handling" in hall.get("/cases/workbench/").content.decode()
        assert "Receive on behalf" in hall.get(f"/cases/hall/{version_b.pk}/").content.decode()
    finally:
        translation.activate("zh-hans")


# --- API --------------------------------------------------------------------------------------


def _api_body(version: Any, number: str) -> dict[str, Any]:
    return {"version_id": version.pk, "applicant_document_number": number, **_files(version)}


def test_api_registration_is_idempotent_and_scoped(sides: Sides, version_b: Any) -> None:
    number = _id_number(sides.citizen)
    hall = client_for(sides.clerk_a)
    first = hall.post(
        "/api/v1/cases/proxy-receipts", _api_body(version_b, number), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = hall.post(
        "/api/v1/cases/proxy-receipts", _api_body(version_b, number), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true" and first.json()["id"] == again.json()["id"]
    assert first.json()["accepting_department"] == "东湖区行政审批局"
    assert Case.objects.count() == 1
    # Outsiders learn nothing about who is registered.
    for user in (sides.citizen, sides.reviewer_b):
        answer = client_for(user).post(
            "/api/v1/cases/proxy-receipts", _api_body(version_b, "110101199003070000")
        )
        assert answer.status_code == 403
    case_id = first.json()["id"]
    steps = [
        ("proxy_check", {}),
        ("proxy_forward", {"channel": "post", "tracking_no": "SF20260302001"}),
    ]
    for action, extra in steps:
        refused = client_for(sides.clerk_b).post(
            f"/api/v1/cases/{case_id}/transitions",
            {"action": action, **extra},
            content_type="application/json",
        )
        assert refused.status_code == 403
        done = hall.post(
            f"/api/v1/cases/{case_id}/transitions",
            {"action": action, **extra},
            content_type="application/json",
        )
        assert done.status_code == 200, done.content
    body = client_for(sides.clerk_b).get(f"/api/v1/cases/{case_id}").json()
    assert body["handoffs"][0]["tracking_no"] == "SF20260302001"
    assert body["allowed_actions"][0] == "receive"


def test_api_local_item_refusal_has_its_code(city: Any, sides: Sides) -> None:
    local = item_of(city, city.dept_b, city.county_b, "0202", handle_area="1")
    answer = client_for(sides.clerk_a).post(
        "/api/v1/cases/proxy-receipts", _api_body(local, _id_number(sides.citizen))
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "not_open_for_cross_area"
    assert Case.objects.count() == 0


def test_joint_part_through_the_api(sides: Sides, version_b: Any) -> None:
    from yiwang.cases import actions

    case = register(sides, version_b)
    case = actions.proxy_check(actor=sides.clerk_a, case=case)
    case = actions.proxy_forward(actor=sides.clerk_a, case=case, channel="electronic")
    case = actions.receive_case(actor=sides.clerk_b, case=case)
    case = actions.accept_case(actor=sides.clerk_b, case=case)
    path = f"/api/v1/cases/{case.pk}/transitions"
    body = {"action": "assign_joint", "department_id": sides.dept_c2.pk, "step_name": "现场核查"}
    refused = client_for(sides.clerk_a).post(path, body, content_type="application/json")
    assert refused.status_code == 403
    done = client_for(sides.clerk_b).post(path, body, content_type="application/json")
    assert done.status_code == 200, done.content
    joint = client_for(sides.reviewer_c2)
    detail = joint.get(f"/api/v1/cases/{case.pk}").json()
    assert detail["allowed_actions"] == ["review"]
    assert [h["to_department"] for h in detail["handoffs"] if h["mode"] == "joint"] == [
        "青山湖区市场监督管理局"
    ]
    reviewed = joint.post(
        path, {"action": "review", "opinion": "agree"}, content_type="application/json"
    )
    assert reviewed.status_code == 200, reviewed.content
    assert client_for(sides.clerk_c).get(f"/api/v1/cases/{case.pk}").status_code == 404
    page = client_for(sides.citizen).get(f"/cases/{case.pk}/").content.decode()
    for department in ("东湖区行政审批局", "西湖区行政审批局", "青山湖区市场监督管理局"):
        assert department in page


def test_proxy_queue_page_queries_do_not_grow_with_rows(sides: Sides, version_b: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hall = client_for(sides.clerk_a)
    register(sides, version_b)
    hall.get("/cases/workbench/?queue=proxy")
    with CaptureQueriesContext(connection) as one:
        hall.get("/cases/workbench/?queue=proxy")
    register(sides, version_b)
    register(sides, version_b)
    with CaptureQueriesContext(connection) as three:
        page = hall.get("/cases/workbench/?queue=proxy").content.decode()
    assert page.count("/cases/") >= 3
    assert len(three) == len(one)
