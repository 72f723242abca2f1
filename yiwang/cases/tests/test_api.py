"""The JSON API: submission to completion, idempotent submission, stale views, notices."""

from __future__ import annotations

import io
from typing import Any

import pytest

from conftest import client_for
from yiwang.cases.models import Case, CaseMaterial, OutboxEvent
from yiwang.cases.tests.conftest import PDF, materials_of
from yiwang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _files(version, extra: bytes = b"") -> dict[str, io.BytesIO]:
    files = {}
    for pk in materials_of(version).values():
        handle = io.BytesIO(PDF + extra + str(pk).encode())
        handle.name = f"m{pk}.pdf"
        files[f"material_{pk}"] = handle
    return files


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_full_path_through_the_api(personas, staff, version) -> None:
    citizen = client_for(personas.citizen)
    answer = citizen.post(
        "/api/v1/cases/",
        {
            "version_id": version.pk,
            "project_name": "开一家面馆",
            "form_data": '{"店名": "老街面馆"}',
            **_files(version),
        },
        HTTP_IDEMPOTENCY_KEY="submit-1",
    )
    assert answer.status_code == 201, answer.content
    case_id = answer.json()["id"]
    assert answer.json()["status"] == "submitted" and answer.json()["project_name"] == "开一家面馆"
    clerk, reviewer, approver = (
        client_for(u) for u in (staff.clerk, staff.reviewer, staff.approver)
    )
    steps: list[tuple[Any, dict[str, Any], str]] = [
        (clerk, {"action": "receive"}, "received"),
        (clerk, {"action": "accept"}, "accepted"),
        (reviewer, {"action": "review", "opinion": "agree", "explain": "符合条件"}, "in_review"),
        (approver, {"action": "decide", "granted": True}, "decided"),
        (approver, {"action": "issue_result"}, "cert_issuing"),
        (clerk, {"action": "start_delivery", "method": "electronic"}, "delivering"),
        (clerk, {"action": "complete"}, "completed"),
    ]
    for client, body, expected in steps:
        version_now = client.get(f"/api/v1/cases/{case_id}").json()["row_version"]
        answer = post_json(
            client, f"/api/v1/cases/{case_id}/transitions", {**body, "row_version": version_now}
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == expected
    detail = citizen.get(f"/api/v1/cases/{case_id}").json()
    assert [p["event_name"] for p in detail["processes"]] == [
        "01",
        "02",
        "06",
        "08",
        "14",
        "15",
        "16",
        "17",
    ]
    assert detail["form_data"] == {"店名": "老街面馆"}
    assert set(detail["notices"]) == {"acceptance", "completion"}
    pdf = citizen.get(f"/api/v1/cases/{case_id}/notices/completion")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    assert citizen.get(f"/api/v1/cases/{case_id}/notices/not_accepted").status_code == 404


def test_retry_with_the_same_key_returns_the_same_case_and_creates_nothing(
    personas, version
) -> None:
    citizen = client_for(personas.citizen)
    first = citizen.post(
        "/api/v1/cases/",
        {"version_id": version.pk, **_files(version)},
        HTTP_IDEMPOTENCY_KEY="same-key",
    )
    counts = (
        Case.objects.count(),
        CaseMaterial.objects.count(),
        OutboxEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    again = citizen.post(
        "/api/v1/cases/",
        {"version_id": version.pk, **_files(version)},
        HTTP_IDEMPOTENCY_KEY="same-key",
    )
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert counts == (
        Case.objects.count(),
        CaseMaterial.objects.count(),
        OutboxEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    different = citizen.post(
        "/api/v1/cases/",
        {"version_id": version.pk, **_files(version, b"x")},
        HTTP_IDEMPOTENCY_KEY="same-key",
    )
    assert different.status_code == 409 and different.json()["code"] == "idempotency_key_reused"


def test_stale_row_version_is_told_case_changed(personas, staff, submitted) -> None:
    clerk = client_for(staff.clerk)
    seen = clerk.get(f"/api/v1/cases/{submitted.pk}").json()["row_version"]
    assert (
        post_json(
            clerk,
            f"/api/v1/cases/{submitted.pk}/transitions",
            {"action": "receive", "row_version": seen},
        ).status_code
        == 200
    )
    late = post_json(
        clerk,
        f"/api/v1/cases/{submitted.pk}/transitions",
        {"action": "receive", "row_version": seen},
    )
    assert late.status_code == 409 and late.json()["code"] == "case_changed"
    wrong = post_json(clerk, f"/api/v1/cases/{submitted.pk}/transitions", {"action": "receive"})
    assert wrong.status_code == 409 and wrong.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "fly"},
        {"action": "decide", "granted": "perhaps"},
        {"action": "extend", "days": "x"},
        {"action": "accept", "deferred": {"abc": "2026-01-01"}},
        {"action": "accept", "deferred": {"1": "no"}},
        {"action": "accept", "joint_department_ids": [999999]},
        {},
        {"action": "request_correction", "rejections": {"x": "y"}},
    ],
)
def test_bad_input_is_a_4xx_and_changes_nothing(personas, staff, submitted, body) -> None:
    answer = post_json(client_for(staff.clerk), f"/api/v1/cases/{submitted.pk}/transitions", body)
    assert 400 <= answer.status_code < 500, answer.content
    assert "code" in answer.json()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_bad_uploads_through_the_api(personas, version) -> None:
    citizen = client_for(personas.citizen)
    fake = io.BytesIO(b"MZ not a pdf")
    fake.name = "a.pdf"
    answer = citizen.post("/api/v1/cases/", {"version_id": version.pk, "material_1": fake})
    assert answer.status_code == 400 and answer.json()["code"] == "upload_type_invalid"
    odd = io.BytesIO(PDF)
    odd.name = "a.pdf"
    answer = citizen.post("/api/v1/cases/", {"version_id": version.pk, "attachment": odd})
    assert answer.status_code == 400 and answer.json()["code"] == "upload_field_invalid"
    answer = citizen.post("/api/v1/cases/", {"version_id": version.pk, "form_data": "[1"})
    assert answer.status_code == 400
    assert not Case.objects.exists()


def test_correction_through_the_api(personas, staff, submitted) -> None:
    clerk, citizen = client_for(staff.clerk), client_for(personas.citizen)
    post_json(clerk, f"/api/v1/cases/{submitted.pk}/transitions", {"action": "receive"})
    row = submitted.materials.first()
    checked = post_json(
        clerk,
        f"/api/v1/cases/{submitted.pk}/case-materials/{row.pk}/check",
        {"accepted": False, "reason": "印章不清"},
    )
    assert checked.status_code == 200 and checked.json()["state"] == "rejected"
    answer = post_json(
        clerk, f"/api/v1/cases/{submitted.pk}/transitions", {"action": "request_correction"}
    )
    assert answer.json()["status"] == "correction_required"
    notice = citizen.get(f"/api/v1/cases/{submitted.pk}/notices/correction")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    upload = io.BytesIO(PDF + b"fixed")
    upload.name = "fixed.pdf"
    answer = citizen.post(
        f"/api/v1/cases/{submitted.pk}/materials/{row.material_id}", {"file": upload}
    )
    assert answer.status_code == 201 and answer.json()["state"] == "pending"
    answer = post_json(
        citizen, f"/api/v1/cases/{submitted.pk}/transitions", {"action": "submit_correction"}
    )
    assert answer.json()["status"] == "received"
    file = clerk.get(f"/api/v1/cases/{submitted.pk}/case-materials/{row.pk}/file")
    assert file.status_code == 200 and file.getvalue().endswith(b"fixed")
