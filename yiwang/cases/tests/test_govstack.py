"""The GovStack Registration BB face, with responses checked against the spec's own schemas."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import client_for
from yiwang.cases.govstack import service_id, version_id_of
from yiwang.cases.models import Case, StagedDocument
from yiwang.cases.tests.conftest import PDF, materials_of, submit
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db
# A verbatim copy of shared/specs/govstack/ (with its licence), so the test is self-contained.
SPECS = Path(__file__).resolve().parent / "govstack_spec"
MAIN = "GovStack_Registration_BB_API.json"
STATS = "GovStack_Registration_BB_API_statistics.json"
MEDIATOR = {"HTTP_INFORMATION_MEDIATOR_CLIENT": "eGovStack/GOV/90000009/yiwang-test"}
BASE = "/govstack/registration"


def _spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPECS / name).read_text(encoding="utf-8"))
    return spec


def validate(instance: Any, spec_name: str, schema: dict[str, Any]) -> None:
    """Validate against a schema of the spec; '#/components/…' refs resolve in the spec."""
    root = {**_spec(spec_name), **schema}
    jsonschema.Draft4Validator(root).validate(instance)


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


def test_service_ids_round_trip() -> None:
    assert version_id_of(service_id(42)) == 42
    with pytest.raises(DomainError):
        version_id_of("f7d33db0-2809-484e-a780-76b7ccd4ecbf")
    with pytest.raises(DomainError):
        version_id_of("not-a-uuid")


def test_services_and_eforms_match_the_spec(client, version) -> None:
    services = client.get(f"{BASE}/services").json()
    validate(services, MAIN, array_of("service"))
    assert [s["name"] for s in services] == ["食品经营许可（新办）"]
    sid = services[0]["id"]
    validate(client.get(f"{BASE}/services/{sid}").json(), MAIN, ref("service"))
    assert client.get(f"{BASE}/services?name=不存在").json() == []
    forms = client.get(f"{BASE}/services/{sid}/eForms").json()
    validate(forms, MAIN, array_of("EFormListItem"))
    form = client.get(f"{BASE}/eForms/{forms[0]['eFormId']}").json()
    validate(form, MAIN, ref("EForm"))
    licence = materials_of(version)["营业执照"]
    assert f"material_{licence}" not in form["schema"]["required"]  # reusable: 免提交 possible
    assert form["schema"]["properties"][f"material_{licence}"]["title"] == "营业执照"
    jsonschema.Draft7Validator.check_schema(form["schema"])
    assert client.get(f"{BASE}/services/{service_id(999)}").status_code == 404
    assert client.get(f"{BASE}/services/garbage").status_code == 404


def _upload(client, material_id: int) -> str:
    handle = io.BytesIO(PDF + str(material_id).encode())
    handle.name = f"{material_id}.pdf"
    answer = client.post(f"{BASE}/documents?additionalMetadata={material_id}", {"file": handle})
    assert answer.status_code == 200, answer.content
    validate(answer.json(), MAIN, ref("uploadResponse"))
    return str(answer.json()["url"])


def test_apply_through_govstack_and_operate_through_tasks(personas, staff, version) -> None:
    citizen = client_for(personas.citizen)
    urls = [_upload(citizen, pk) for pk in materials_of(version).values()]
    assert citizen.get(urls[0].replace("http://testserver", "")).status_code == 200
    body = {
        "applicantId": personas.citizen.username,
        "applicationName": "开面馆",
        "formData": {
            "data": {"contact_mobile": {"value": "13912345678"}},
            "eFormId": service_id(version.pk),
        },
        "documentUrls": urls,
    }
    validate(body, MAIN, ref("applicationFileSubmit"))
    url = f"{BASE}/services/{service_id(version.pk)}/applications"
    assert citizen.post(url, body, content_type="application/json").status_code == 400  # header
    answer = citizen.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gs-1", **MEDIATOR
    )
    assert answer.status_code == 200, answer.content
    application = answer.json()
    validate(application, MAIN, ref("applicationFileResponse"))
    assert application["status"]["code"] == "PENDING"
    again = citizen.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="gs-1", **MEDIATOR
    )
    assert again.json()["fileId"] == application["fileId"] and Case.objects.count() == 1
    assert StagedDocument.objects.filter(used_by__isnull=False).count() == 2
    file_id = application["fileId"]
    listing = citizen.get(f"{BASE}/applications", **MEDIATOR).json()
    validate(listing, MAIN, array_of("applicantApplicationFileListResponse"))
    assert [row["fileId"] for row in listing] == [file_id]
    assert (
        client_for(personas.other_citizen)
        .get(f"{BASE}/applications/{file_id}", **MEDIATOR)
        .status_code
        == 404
    )
    # Operators work the case through tasks until it is approved.
    for user in (
        staff.clerk,
        staff.clerk,
        staff.reviewer,
        staff.approver,
        staff.approver,
        staff.clerk,
        staff.clerk,
    ):
        operator = client_for(user)
        tasks = operator.get(f"{BASE}/tasks?fileId={file_id}").json()
        validate(tasks, MAIN, array_of("userTaskResponse"))
        assert len(tasks) == 1, user
        task = operator.get(f"{BASE}/tasks/{tasks[0]['taskId']}").json()
        validate(task, MAIN, ref("dataUserTaskResponse"))
        done = operator.post(
            f"{BASE}/tasks/{tasks[0]['taskId']}/complete",
            {"data": {"granted": {"value": True}}},
            content_type="application/json",
        )
        assert done.status_code == 200, (user, done.content)
        validate(done.json(), MAIN, ref("completedTaskResponse"))
        stale = operator.post(
            f"{BASE}/tasks/{tasks[0]['taskId']}/complete",
            {"data": {}},
            content_type="application/json",
        )
        assert stale.status_code == 404  # the task is done: never done twice
    final = citizen.get(f"{BASE}/applications/{file_id}", **MEDIATOR).json()
    assert final["status"]["code"] == "APPROVED" and final["ended"] is True
    assert client_for(staff.clerk).get(f"{BASE}/tasks").json() == []


def test_someone_else_cannot_submit_in_my_name(personas, version) -> None:
    body = {"applicantId": personas.other_citizen.username, "documentUrls": []}
    answer = client_for(personas.citizen).post(
        f"{BASE}/services/{service_id(version.pk)}/applications",
        body,
        content_type="application/json",
        **MEDIATOR,
    )
    assert answer.status_code == 403


def test_documents_need_a_login_and_cannot_be_borrowed(client, personas, version) -> None:
    handle = io.BytesIO(PDF)
    handle.name = "a.pdf"
    assert client.post(f"{BASE}/documents", {"file": handle}).status_code == 401
    url = _upload(client_for(personas.citizen), 1)
    path = url.replace("http://testserver", "")
    assert client_for(personas.other_citizen).get(path).status_code == 404
    assert client.get(path).status_code == 401
    body = {"applicantId": personas.other_citizen.username, "documentUrls": [url]}
    answer = client_for(personas.other_citizen).post(
        f"{BASE}/services/{service_id(version.pk)}/applications",
        body,
        content_type="application/json",
        **MEDIATOR,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "document_unknown"


def test_statistics_match_the_spec(client, personas, staff, version) -> None:
    submit(personas.citizen, version)
    assert client.get(f"{BASE}/data/statistics").status_code == 400  # mediator header
    answer = client.get(f"{BASE}/data/statistics?timeframe=day", **MEDIATOR)
    assert answer.status_code == 200
    rows = answer.json()
    validate(rows, STATS, array_of("inline_response_200"))
    assert sum(r["processed"] for r in rows) == 0 and rows[0]["references"]["timeframeDay"]
    total = client.get(f"{BASE}/data/statistics?registrationName=食品", **MEDIATOR).json()
    validate(total, STATS, array_of("inline_response_200"))
    bad = client.get(f"{BASE}/data/statistics?timeframe=decade", **MEDIATOR)
    assert bad.status_code == 400
    bad = client.get(f"{BASE}/data/statistics?startDate=2026-13-01", **MEDIATOR)
    assert bad.status_code == 422
