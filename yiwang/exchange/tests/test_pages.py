"""The exchange's pages and API from outside: who sees what, and the flows through the web."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import client_for
from yiwang.exchange import actions, clock
from yiwang.exchange.choices import SharingStatus
from yiwang.exchange.models import SharingRequest
from yiwang.exchange.tests.conftest import (
    authorise_population,
    load_population,
    number_of,
    request_population,
)

START = clock.today().isoformat()
END = (clock.today() + dt.timedelta(days=300)).isoformat()


def _html(response) -> str:
    return str(response.content.decode())


def _one_h1(html: str) -> bool:
    return len(re.findall(r"<h1[ >]", html)) == 1


@pytest.fixture
def called(world, mesh, runtimes):
    """One authorised call about the citizen (张伟), made by 东湖区市场监督管理局."""
    consumer, _provider = runtimes
    load_population(world, world.citizen, world.other_citizen)
    grant = authorise_population(world)
    result = consumer.call(
        client=mesh.client.identity,
        service=mesh.service.identity,
        authorisation=grant.number,
        purpose="办件 NC2026000123 材料「身份证明」免提交",
        user_id="yiwang:market.data",
        subject={"type": "111", "number": number_of(world.citizen)},
        items=["xm"],
    )
    assert result.ok
    return result


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/exchange/catalogue/",
        "/exchange/requests/",
        "/exchange/demands/",
        "/exchange/disputes/",
        "/exchange/nodes/",
        "/exchange/messages/",
        "/exchange/quality/",
        "/exchange/alarms/",
        "/exchange/my-data/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(world, path) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exchange/resources",
        "/api/v1/exchange/requests",
        "/api/v1/exchange/messages",
        "/api/v1/exchange/nodes",
        "/api/v1/exchange/my-data",
    ],
)
def test_anonymous_api_calls_are_refused_except_open_data(world, path) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert client_for(None).get("/api/v1/exchange/open/datasets").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/exchange/catalogue/", "/exchange/messages/", "/exchange/requests/", "/exchange/nodes/"],
)
def test_citizens_cannot_open_staff_pages(world, path) -> None:
    response = client_for(world.citizen).get(path)
    assert response.status_code == 403


@pytest.mark.django_db
def test_citizen_sees_every_use_of_their_data_and_nobody_elses(world, called) -> None:
    html = _html(client_for(world.citizen).get("/exchange/my-data/"))
    assert _one_h1(html)
    assert "东湖区市场监督管理局" in html  # who
    assert "办件 NC2026000123 材料「身份证明」免提交" in html  # for what
    assert "人口基础信息" in html and "南昌市公安局" in html
    other = _html(client_for(world.other_citizen).get("/exchange/my-data/"))
    assert "NC2026000123" not in other and "还没有部门" in other
    api = client_for(world.citizen).get("/api/v1/exchange/my-data").json()
    assert api["count"] == 1 and api["items"][0]["consumer"] == "东湖区市场监督管理局"
    assert client_for(world.other_citizen).get("/api/v1/exchange/my-data").json()["count"] == 0
    exported = _html(client_for(world.citizen).get("/exchange/my-data/?format=csv"))
    assert "NC2026000123" in exported and "东湖区市场监督管理局" in exported


@pytest.mark.django_db
def test_staff_have_no_my_data_page_and_see_no_citizens_uses_via_it(world, called) -> None:
    assert client_for(world.data_admin).get("/exchange/my-data/").status_code == 302
    assert client_for(world.data_admin).get("/api/v1/exchange/my-data").json()["count"] == 0


@pytest.mark.django_db
def test_message_log_is_scoped_to_the_jurisdiction(world, called, personas) -> None:
    entries = _html(client_for(world.consumer_officer).get("/exchange/messages/"))
    assert called.message_id[:8] not in entries  # ids are in the detail, the purpose in the list
    assert "NC2026000123" in entries
    for outsider in (world.officer_b, personas.clerk_b):
        assert "NC2026000123" not in _html(client_for(outsider).get("/exchange/messages/"))
        api = client_for(outsider).get(f"/api/v1/exchange/messages?message_id={called.message_id}")
        assert api.json()["count"] == 0
    from yiwang.exchange.models import MessageLog

    entry = MessageLog.objects.filter(message_id=called.message_id).first()
    assert client_for(world.officer_b).get(f"/exchange/messages/{entry.pk}/").status_code == 404
    detail = client_for(world.data_admin).get(f"/exchange/messages/{entry.pk}/")
    assert "均已验证" in _html(detail)


@pytest.mark.django_db
def test_requests_are_scoped_and_the_catalogue_is_shared(world, personas) -> None:
    request = request_population(world)
    for viewer in (world.consumer_officer, world.police_officer, world.data_admin):
        assert client_for(viewer).get(f"/exchange/requests/{request.number}/").status_code == 200
    for outsider in (world.officer_b, personas.clerk_b):
        assert client_for(outsider).get(f"/exchange/requests/{request.number}/").status_code == 404
        listed = client_for(outsider).get("/api/v1/exchange/requests").json()
        assert listed["count"] == 0
        # The published catalogue is for every department (一本账).
        catalogue = _html(client_for(outsider).get("/exchange/catalogue/"))
        assert "人口基础信息" in catalogue


@pytest.mark.django_db
def test_drafts_are_hidden_outside_the_providers_scope(world) -> None:
    draft = actions.create_resource(
        actor=world.police_officer,
        provider=world.police,
        category="1",
        subject_code="01",
        section_code="002",
        fields={"name": "流动人口信息", "sharing_type": "2"},
        items=[{"code": "xm", "name": "姓名"}],
    )
    code = draft.resource.code
    assert client_for(world.officer_b).get(f"/exchange/catalogue/{code}/").status_code == 404
    assert client_for(world.police_officer).get(f"/exchange/catalogue/{code}/").status_code == 200
    assert client_for(world.officer_b).get(f"/api/v1/exchange/resources/{code}").status_code == 404


@pytest.mark.django_db
def test_a_request_through_the_pages_with_a_refusal_that_needs_a_reason(world) -> None:
    code = world.population.resource.code
    officer = client_for(world.consumer_officer)
    form = officer.get(f"/exchange/catalogue/{code}/request/")
    assert form.status_code == 200 and 'for="id_purpose"' in _html(form)
    response = officer.post(
        f"/exchange/catalogue/{code}/request/",
        {
            "items": ["xm", "csrq"],
            "purpose": "食品经营许可审查",
            "scenario": "核验申请人身份",
            "period_start": START,
            "period_end": END,
            "rate_limit_per_minute": "30",
        },
    )
    assert response.status_code == 302
    request = SharingRequest.objects.get()
    page = f"/exchange/requests/{request.number}/"
    # The requester has no compliance button; the data administrator has.
    assert 'value="approve"' not in _html(officer.get(page))
    admin = client_for(world.data_admin)
    assert client_for(world.consumer_officer).post(page, {"decision": "approve"}).status_code == 403
    assert admin.post(page, {"decision": "approve", "note": ""}).status_code == 302
    provider = client_for(world.police_officer)
    refused = provider.post(page, {"decision": "refuse", "note": ""})
    assert refused.status_code == 400
    assert 'role="alert"' in _html(refused) and "必须说明理由" in _html(refused)
    request.refresh_from_db()
    assert request.status == SharingStatus.PROVIDER_REVIEW
    assert provider.post(page, {"decision": "refuse", "note": "超出共享条件"}).status_code == 302
    request.refresh_from_db()
    assert request.status == SharingStatus.REFUSED and request.refusal_reason == "超出共享条件"


@pytest.mark.django_db
def test_api_submission_is_idempotent_and_refusal_needs_a_reason(world) -> None:
    officer = client_for(world.consumer_officer)
    body = {
        "resource": world.population.resource.code,
        "items": ["xm"],
        "purpose": "身份核验",
        "scenario": "窗口受理",
        "period_start": START,
        "period_end": END,
    }
    first = officer.post(
        "/api/v1/exchange/requests", body, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )  # fmt: skip
    again = officer.post(
        "/api/v1/exchange/requests", body, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )  # fmt: skip
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and SharingRequest.objects.count() == 1
    number = first.json()["number"]
    url = f"/api/v1/exchange/requests/{number}/decisions"
    client_for(world.data_admin).post(url, {"decision": "approve"}, content_type="application/json")
    refused = client_for(world.police_officer).post(
        url, {"decision": "refuse", "note": ""}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "refusal_reason_required"
    bad = client_for(world.police_officer).post(
        url, {"decision": "explode"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "decision_unknown"


@pytest.mark.django_db
def test_demand_board_matches_words_and_assigns_with_a_deadline(world) -> None:
    officer = client_for(world.consumer_officer)
    posted = officer.post(
        "/exchange/demands/",
        {
            "title": "申请人户籍信息",
            "description": "办理许可时核验户籍",
            "keywords": "户籍、身份证",
        },
    )
    assert posted.status_code == 302
    page = posted["Location"]
    html = _html(officer.get(page))
    assert "人口基础信息" in html  # suggested from the catalogue by keyword
    assert 'name="step" value="assign"' not in html  # only the data administrator assigns
    admin = client_for(world.data_admin)
    assigned = admin.post(page, {"step": "assign", "provider": world.police.pk, "note": "请编目"})
    assert assigned.status_code == 302
    from yiwang.exchange.models import DataDemand

    demand = DataDemand.objects.get()
    assert demand.assigned_department == world.police and demand.due_date is not None
    assert client_for(world.officer_b).get(page).status_code == 404


@pytest.mark.django_db
def test_pages_render_for_the_data_administrator(world, called) -> None:
    admin = client_for(world.data_admin)
    for path in (
        "/exchange/",
        "/exchange/catalogue/",
        f"/exchange/catalogue/{world.population.resource.code}/",
        "/exchange/requests/",
        "/exchange/demands/",
        "/exchange/disputes/",
        "/exchange/nodes/",
        "/exchange/messages/",
        "/exchange/quality/",
        "/exchange/alarms/",
    ):
        response = admin.get(path)
        assert response.status_code == 200, path
        html = _html(response)
        assert _one_h1(html), path
        assert 'id="main"' in html


@pytest.mark.django_db
def test_bad_input_never_makes_a_500(world) -> None:
    admin = client_for(world.data_admin)
    assert admin.get("/exchange/catalogue/nope/").status_code == 404
    assert admin.get("/exchange/requests/GX0/").status_code == 404
    assert admin.get("/exchange/messages/999999/").status_code == 404
    assert admin.get("/exchange/catalogue/?q=%00%FF" + "x" * 500).status_code == 200
    assert admin.get("/exchange/catalogue/%00/").status_code == 404
    assert admin.get("/exchange/requests/GX%00/").status_code == 404
    assert admin.get("/exchange/messages/?message_id=%00&outcome=%00").status_code == 200
    assert admin.get("/api/v1/exchange/requests?status=%00").status_code == 200
    assert admin.get("/api/v1/exchange/messages?message_id=%00").status_code == 200
    assert client_for(None).get("/exchange/open/%00/").status_code == 404
    assert admin.get("/exchange/open/nope/download.xml").status_code == 404
    assert admin.post("/exchange/quality/", {"issue": "abc"}).status_code == 404
    assert admin.post(
        "/api/v1/exchange/requests", "{", content_type="application/json"
    ).status_code in {400, 422}


@pytest.mark.django_db
def test_nodes_and_alarms_are_scoped(world, mesh, personas) -> None:
    from yiwang.exchange import actions as exchange_actions

    request_population(world)
    from yiwang.core.workdays import get_calendar

    later = get_calendar().next_workday(clock.today() + dt.timedelta(days=30))
    assert exchange_actions.raise_overdue_alarms(today=later)
    admin_nodes = client_for(world.data_admin).get("/api/v1/exchange/nodes").json()
    assert admin_nodes["count"] == 2
    assert client_for(world.consumer_officer).get("/api/v1/exchange/nodes").json()["count"] == 1
    assert client_for(world.officer_b).get("/api/v1/exchange/nodes").json()["count"] == 0
    assert client_for(world.data_admin).get("/api/v1/exchange/alarms").json()["count"] == 1
    for outsider in (world.officer_b, personas.clerk_b):
        assert client_for(outsider).get("/api/v1/exchange/alarms").json()["count"] == 0
        assert "donghu-ss1" not in _html(client_for(outsider).get("/exchange/nodes/"))


@pytest.mark.django_db
def test_lists_do_not_grow_queries_with_rows(world, django_assert_max_num_queries) -> None:
    admin = client_for(world.data_admin)
    request_population(world)
    admin.get("/api/v1/exchange/requests")  # warm the session and role caches
    with django_assert_max_num_queries(12) as few:
        assert admin.get("/api/v1/exchange/requests").json()["count"] == 1
    for _ in range(5):
        request_population(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin.get("/api/v1/exchange/requests").json()["count"] == 6
    with django_assert_max_num_queries(20) as page:
        admin.get("/exchange/requests/")
    request_population(world)
    with django_assert_max_num_queries(len(page.captured_queries)):
        admin.get("/exchange/requests/")
