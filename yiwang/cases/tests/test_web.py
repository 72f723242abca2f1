"""The pages: the whole path through forms, a double click, queue queries, accessibility."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from yiwang.cases import actions
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import PDF, at, materials_of, submit
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _apply_body(version, key: str) -> dict:
    body: dict = {"submission_key": key, "project_name": "开面馆", "contact_mobile": "13912345678"}
    for pk in materials_of(version).values():
        handle = io.BytesIO(PDF + str(pk).encode())
        handle.name = f"{pk}.pdf"
        body[f"material_{pk}"] = handle
    return body


def _act(client, case_id: int, name: str, **fields) -> None:
    page = client.get(f"/cases/{case_id}/").content.decode()
    row_version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    answer = client.post(f"/cases/{case_id}/act/{name}/", {"row_version": row_version, **fields})
    assert answer.status_code == 302, answer.content.decode()[:2000]


def test_full_path_through_the_web(personas, staff, version) -> None:
    citizen = client_for(personas.citizen)
    form = citizen.get(f"/cases/apply/{version.pk}/").content.decode()
    key = re.search(r'name="submission_key" value="(\w+)"', form).group(1)
    answer = citizen.post(f"/cases/apply/{version.pk}/", _apply_body(version, key))
    assert answer.status_code == 302
    case = Case.objects.get()
    assert answer["Location"] == f"/cases/{case.pk}/"
    clerk, reviewer, approver = (
        client_for(u) for u in (staff.clerk, staff.reviewer, staff.approver)
    )
    assert str(case.project_no) in clerk.get("/cases/workbench/?queue=receive").content.decode()
    _act(clerk, case.pk, "receive")
    _act(clerk, case.pk, "accept", mode="normal")
    assert (
        str(case.project_no) in reviewer.get("/cases/workbench/").content.decode()
    )  # review queue
    _act(reviewer, case.pk, "review", opinion="agree", explain="符合")
    assert (
        str(case.project_no) in approver.get("/cases/workbench/").content.decode()
    )  # decide queue
    _act(approver, case.pk, "decide", granted="1")
    _act(approver, case.pk, "issue_result")
    _act(clerk, case.pk, "start_delivery", method="window")
    _act(clerk, case.pk, "complete")
    page = citizen.get(f"/cases/{case.pk}/").content.decode()
    assert "已办结" in page and "办结通知书" in page and "受理通知书" in page
    assert page.count("<li><time") == 8  # the timeline
    assert citizen.get(f"/cases/{case.pk}/notices/completion.pdf").content.startswith(b"%PDF")
    assert str(case.project_no) in citizen.get("/cases/mine/").content.decode()


def test_double_click_makes_one_case(personas, version) -> None:
    citizen = client_for(personas.citizen)
    first = citizen.post(f"/cases/apply/{version.pk}/", _apply_body(version, "k" * 32))
    second = citizen.post(f"/cases/apply/{version.pk}/", _apply_body(version, "k" * 32))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_apply_page_shows_errors_and_keeps_nothing(personas, version) -> None:
    citizen = client_for(personas.citizen)
    answer = citizen.post(f"/cases/apply/{version.pk}/", {"submission_key": "a1"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'role="alert"' in html and "营业执照" in html
    assert not Case.objects.exists()
    bad = io.BytesIO(b"GIF89a not accepted")
    bad.name = "photo.pdf"
    body = {**_apply_body(version, "a2"), f"material_{materials_of(version)['营业执照']}": bad}
    answer = citizen.post(f"/cases/apply/{version.pk}/", body)
    assert answer.status_code == 400 and "photo.pdf" in answer.content.decode()


def test_correction_upload_and_withdrawal_pages(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    clerk, citizen = client_for(staff.clerk), client_for(personas.citizen)
    _act(clerk, case.pk, "receive")
    row = case.materials.first()
    page = clerk.get(f"/cases/{case.pk}/").content.decode()
    row_version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    clerk.post(
        f"/cases/{case.pk}/materials/{row.pk}/check/",
        {"row_version": row_version, "accepted": "0", "reason": "模糊"},
    )
    _act(clerk, case.pk, "request_correction")
    page = citizen.get(f"/cases/{case.pk}/").content.decode()
    assert "模糊" in page and "补正告知书" in page
    upload = io.BytesIO(PDF + b"clear")
    upload.name = "clear.pdf"
    answer = citizen.post(f"/cases/{case.pk}/upload/{row.material_id}/", {"file": upload})
    assert answer.status_code == 302
    _act(citizen, case.pk, "submit_correction")
    _act(citizen, case.pk, "withdraw", reason="不办了")
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_stale_form_is_refused_with_an_alert(personas, staff, submitted) -> None:
    clerk = client_for(staff.clerk)
    old = submitted.row_version
    actions.receive_case(actor=staff.clerk, case=submitted)
    answer = clerk.post(
        f"/cases/{submitted.pk}/act/accept/", {"row_version": old, "mode": "normal"}
    )
    assert answer.status_code == 409
    html = answer.content.decode()
    assert 'role="alert"' in html and "已被他人处理" in html


def test_queue_queries_do_not_grow_with_the_page(personas, staff, version) -> None:
    clerk = client_for(staff.clerk)
    for _ in range(3):
        submit(personas.citizen, version)
    clerk.get("/cases/workbench/?queue=receive")  # warm-up: the session refresh writes once
    with CaptureQueriesContext(connection) as few:
        assert clerk.get("/cases/workbench/?queue=receive").status_code == 200
    for _ in range(27):
        submit(personas.citizen, version, at(2026, 11, 3))
    with CaptureQueriesContext(connection) as many:
        html = clerk.get("/cases/workbench/?queue=receive").content.decode()
    assert len(many) == len(few) <= 12
    assert "第 1 / 2 页" in html  # 30 cases, 25 per page
    page2 = clerk.get("/cases/workbench/?queue=receive&page=2").content.decode()
    assert page2.count("/cases/") >= 5


def test_queue_filters_and_warnings(personas, staff, version) -> None:
    from yiwang.cases.tasks import run_tick

    case = actions.accept_case(
        actor=staff.clerk,
        case=actions.receive_case(
            actor=staff.clerk,
            case=submit(personas.citizen, version, at(2026, 11, 2)),
            now=at(2026, 11, 2),
        ),
        now=at(2026, 11, 2),
    )
    other = submit(personas.other_citizen, version)
    run_tick(at(2026, 11, 20))
    clerk = client_for(staff.clerk)
    html = clerk.get("/cases/workbench/?queue=overdue").content.decode()
    assert str(case.project_no) in html and "红牌" in html and str(other.project_no) not in html
    html = clerk.get("/cases/workbench/?queue=all&q=王芳").content.decode()
    assert str(other.project_no) in html and str(case.project_no) not in html
    html = clerk.get("/cases/workbench/?queue=all&warning=red&status=accepted").content.decode()
    assert str(case.project_no) in html
    assert clerk.get("/cases/workbench/?queue=nonsense&page=abc").status_code == 200


def test_case_page_is_accessible(personas, staff, submitted) -> None:
    html = client_for(staff.clerk).get(f"/cases/{submitted.pk}/").content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*id="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert 'scope="col"' in html and "csrfmiddlewaretoken" in html


def test_commitment_verification_from_the_case_page(personas, staff, version) -> None:
    from yiwang.cases.tests.conftest import accepted_case

    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2), mode="notify_commit")
    reviewer = client_for(staff.reviewer)
    assert "承诺事项核查" in reviewer.get(f"/cases/{case.pk}/").content.decode()
    _act(reviewer, case.pk, "verify_commitment", opinion="agree", explain="现场核查属实")
    task = case.review_tasks.get()
    assert task.done_at is not None and task.explain == "现场核查属实"
    assert (
        "verify_commitment"
        not in client_for(staff.reviewer).get(f"/cases/{case.pk}/").content.decode()
    )


def test_pages_in_english(personas, staff, submitted) -> None:
    clerk = client_for(staff.clerk)
    clerk.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = clerk.get("/cases/workbench/?queue=all").content.decode()
    assert "Case workbench" in html and "Submitted (awaiting receipt)" in html
    html = clerk.get(f"/cases/{submitted.pk}/").content.decode()
    assert "Timeline" in html and "Receipt" in html


def test_operator_applies_for_the_enterprise(personas, staff, city, version) -> None:
    from yiwang.core.actors import SYSTEM
    from yiwang.identity import actions as identity_actions
    from yiwang.portal.demo.city import uscc_for

    company = identity_actions.register_legal_person(
        actor=SYSTEM, name="南昌面馆有限公司", uscc=uscc_for("91360102", 77), applicant_type="2",
        legal_representative="张伟", region=city.county_a,
    )  # fmt: skip
    identity_actions.authorise_operator(
        actor=SYSTEM, legal_person=company, user=personas.citizen, scopes=["apply"]
    )
    citizen = client_for(personas.citizen)
    assert "南昌面馆有限公司" in citizen.get(f"/cases/apply/{version.pk}/").content.decode()
    body = {**_apply_body(version, "co-1"), "applicant": str(company.pk)}
    assert citizen.post(f"/cases/apply/{version.pk}/", body).status_code == 302
    case = Case.objects.get()
    assert (case.applicant_legal_person, case.applyer_type, case.applyer_page_code) == (
        company,
        "2",
        company.uscc,
    )
    # Another citizen is offered no company; a forged field is ignored (applies as themself)…
    other = client_for(personas.other_citizen)
    body = {**_apply_body(version, "co-2"), "applicant": str(company.pk)}
    assert other.post(f"/cases/apply/{version.pk}/", body).status_code == 302
    assert Case.objects.filter(applicant_legal_person=company).count() == 1
    # … and the action itself refuses to act for a company without the operator's mandate.
    with pytest.raises(DomainError) as refused:
        submit(personas.other_citizen, version, legal_person=company)
    assert refused.value.status == 403


def test_a_certificate_item_asks_for_the_face_and_keeps_it(personas, city) -> None:
    """The certificate's face (经营者名称…) comes from the form, so the case can be issued."""
    from yiwang.catalog.tests.conftest import make_published_task
    from yiwang.certificates.tests.conftest import DISABILITY_CARD, make_types

    make_types()
    version = make_published_task(
        city, code_suffix="0021", result_certificate_type_code=DISABILITY_CARD
    )
    citizen = client_for(personas.citizen)
    form = citizen.get(f"/cases/apply/{version.pk}/").content.decode()
    assert '<label for="id_result_category">残疾类别</label>' in form
    assert '<label for="id_result_level">残疾等级</label>' in form
    missing = citizen.post(f"/cases/apply/{version.pk}/", _apply_body(version, "f1"))
    assert missing.status_code == 400 and not Case.objects.exists()  # the face is required
    body = {**_apply_body(version, "f2"), "result_category": "肢体", "result_level": "三级"}
    assert citizen.post(f"/cases/apply/{version.pk}/", body).status_code == 302
    assert Case.objects.get().form_data == {"category": "肢体", "level": "三级"}
    # An item whose result is no certificate asks for nothing more.
    plain = make_published_task(city, code_suffix="0022")
    assert "id_result_" not in citizen.get(f"/cases/apply/{plain.pk}/").content.decode()


def test_every_help_text_on_the_apply_form_is_announced_with_its_field(personas, version) -> None:
    """A screen reader reads a field's help through aria-describedby; each reference resolves."""
    page = client_for(personas.citizen).get(f"/cases/apply/{version.pk}/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described, "the apply form has fields with help texts"
    for ids in described:
        for ref in ids.split():
            assert f'id="{ref}"' in page, f"aria-describedby names a missing element: {ref}"
