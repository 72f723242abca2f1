"""POST /vc/credentials/issue: only systems registered for a department, idempotent."""

from __future__ import annotations

import json

from conftest import client_for
from yiwang.certificates import actions
from yiwang.certificates.models import Certificate
from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity_actions
from yiwang.identity.choices import AccountKind
from yiwang.identity.models import User

ISSUE = "/api/v1/vc/credentials/issue"


def _system(setup, department=None, register=True):
    user = User.objects.create_user(
        username=f"sys-{User.objects.count()}",
        display_name="市场监管业务系统",
        kind=AccountKind.SYSTEM,
    )
    _token, raw = identity_actions.issue_api_token(actor=SYSTEM, user=user, name="scjg")
    if register:
        actions.register_issuing_system(
            actor=SYSTEM, user=user, department=department or setup.city.dept_a2
        )
    return raw


def _body(setup, **subject):
    values = {
        "certificateTypeCode": setup.food_licence.type_code,
        "holderCode": setup.company.uscc,
        "holderCodeType": "001",
        "faceData": {"operator": "赣香餐饮", "premises": "八一大道 1 号", "items": "热食类"},
    }
    values.update(subject)
    return {"credential": {"credentialSubject": values}, "options": {"caseProjectNo": "P-1"}}


def _post(token, body, **headers):
    return client_for(None).post(
        ISSUE,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def test_a_registered_system_issues_and_the_result_verifies(setup):
    token = _system(setup)
    response = _post(token, _body(setup), HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.content
    credential = response.json()["verifiableCredential"]
    certificate = Certificate.objects.get()
    assert credential["credentialSubject"]["certificateIdentifier"] == certificate.identifier
    assert certificate.case_project_no == "P-1"
    again = _post(token, _body(setup), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Certificate.objects.count() == 1
    verified = client_for(None).post(
        "/api/v1/vc/credentials/verify",
        data=json.dumps({"verifiableCredential": credential}),
        content_type="application/json",
    )
    assert verified.json()["verified"] is True


def test_issue_refuses_everyone_but_registered_systems(setup):
    body = json.dumps(_body(setup))
    assert (
        client_for(None).post(ISSUE, data=body, content_type="application/json").status_code == 401
    )
    # A logged-in approver's session is not a system token.
    session = client_for(setup.approver_a2).post(ISSUE, data=body, content_type="application/json")
    assert session.status_code == 401
    unregistered = _post(_system(setup, register=False), _body(setup))
    assert unregistered.status_code == 403
    # A system of dept_b cannot issue dept_b certificates without a key, nor anyone else's.
    other = _post(_system(setup, department=setup.city.dept_a), _body(setup))
    assert other.status_code == 201  # dept_a has a key; it issues in its own name
    assert Certificate.objects.get().issuer == setup.city.dept_a
    assert _post(_system(setup, department=setup.city.dept_b), _body(setup)).status_code == 409


def test_issue_input_errors_are_clear_and_change_nothing(setup):
    token = _system(setup)
    cases = [
        (_body(setup, certificateTypeCode="11100000000013127D999"), "type_unknown"),
        (_body(setup, holderCode="91360102000399999X"), "uscc_checksum"),
        (_body(setup, faceData={"operator": "x"}), "face_field_required"),
        (_body(setup, faceData="x"), "face_field_invalid"),
        ({"credential": {}}, "subject_required"),
    ]
    for body, code in cases:
        response = _post(token, body)
        assert response.status_code == 400, (code, response.content)
        assert response.json()["code"] == code
    assert _post(token, {"nope": 1}).status_code == 422
    assert not Certificate.objects.exists()
