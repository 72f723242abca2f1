"""Permission matrix: every case page and endpoint, asked from outside by each persona.

Personas: the applicant, another citizen, a clerk of the item's department, a clerk of the
same county's other department (department-only), a clerk of another county, anonymous.
Outsiders get 404 (a case's existence is not revealed); insiders without the role get 403.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from conftest import client_for
from yiwang.cases import actions
from yiwang.cases.tests.conftest import PDF, at, submit

MEDIATOR = {"HTTP_INFORMATION_MEDIATOR_CLIENT": "eGovStack/GOV/90000009/matrix"}
PERSONAS = [
    "applicant",
    "other_citizen",
    "clerk",
    "clerk_other_dept",
    "clerk_other_county",
    "anonymous",
]


def _pdf() -> io.BytesIO:
    handle = io.BytesIO(PDF + b"matrix")
    handle.name = "m.pdf"
    return handle


# (label, state, method, url, body, expected per persona in PERSONAS order)
# Pages answer anonymous visitors with a redirect to log in (302); the API with 401.
MATRIX: list[tuple[Any, ...]] = [
    ("page detail", "accepted", "get", "/cases/{case}/", None, [200, 404, 200, 404, 404, 302]),
    ("page file", "accepted", "get", "/cases/{case}/materials/{row}/file/", None,
     [200, 404, 200, 404, 404, 302]),
    ("page notice", "accepted", "get", "/cases/{case}/notices/acceptance.pdf", None,
     [200, 404, 200, 404, 404, 302]),
    ("page mine", "accepted", "get", "/cases/mine/", None, [200, 200, 302, 302, 302, 302]),
    ("page workbench", "accepted", "get", "/cases/workbench/?queue=all", None,
     [403, 403, 200, 200, 200, 302]),
    ("page apply", "accepted", "get", "/cases/apply/{version}/", None,
     [200, 200, 200, 200, 200, 302]),
    # Citizens lack the materials (400); staff may not apply at all (403).
    ("page apply post", "accepted", "post", "/cases/apply/{version}/", {"submission_key": "x"},
     [400, 400, 403, 403, 403, 302]),
    ("page accept", "received", "post", "/cases/{case}/act/accept/", {"mode": "normal"},
     [403, 404, 302, 404, 404, 302]),
    ("page check", "received", "post", "/cases/{case}/materials/{row}/check/", {"accepted": "1"},
     [403, 404, 302, 404, 404, 302]),
    ("page upload", "submitted", "post", "/cases/{case}/upload/{material}/", "file",
     [302, 404, 403, 404, 404, 302]),
    ("page withdraw", "submitted", "post", "/cases/{case}/act/withdraw/", {},
     [302, 404, 403, 404, 404, 302]),
    ("api list", "accepted", "get", "/api/v1/cases/", None, [200, 200, 200, 200, 200, 401]),
    ("api detail", "accepted", "get", "/api/v1/cases/{case}", None,
     [200, 404, 200, 404, 404, 401]),
    ("api file", "accepted", "get", "/api/v1/cases/{case}/case-materials/{row}/file", None,
     [200, 404, 200, 404, 404, 401]),
    ("api notice", "accepted", "get", "/api/v1/cases/{case}/notices/acceptance", None,
     [200, 404, 200, 404, 404, 401]),
    ("api submit", "accepted", "post", "/api/v1/cases/", {"version_id": "{version}"},
     [400, 400, 403, 403, 403, 401]),
    ("api accept", "received", "json", "/api/v1/cases/{case}/transitions", {"action": "accept"},
     [403, 404, 200, 404, 404, 401]),
    ("api check", "received", "json", "/api/v1/cases/{case}/case-materials/{row}/check",
     {"accepted": True}, [403, 404, 200, 404, 404, 401]),
    ("api upload", "submitted", "post", "/api/v1/cases/{case}/materials/{material}", "file",
     [201, 404, 403, 404, 404, 401]),
    ("api withdraw", "submitted", "json", "/api/v1/cases/{case}/transitions",
     {"action": "withdraw"}, [200, 404, 403, 404, 404, 401]),
    # The GovStack face (tasks are staff work: applicants see none of them).
    ("gs application", "accepted", "get", "/govstack/registration/applications/{uuid}", None,
     [200, 404, 200, 404, 404, 401]),
    ("gs applications", "accepted", "get", "/govstack/registration/applications", None,
     [200, 200, 200, 200, 200, 401]),
    ("gs tasks", "received", "get", "/govstack/registration/tasks", None,
     [200, 200, 200, 200, 200, 401]),
    ("gs task", "received", "get", "/govstack/registration/tasks/{uuid}:{status}", None,
     [404, 404, 200, 404, 404, 401]),
    ("gs complete", "received", "json", "/govstack/registration/tasks/{uuid}:{status}/complete",
     {"data": {}}, [404, 404, 200, 404, 404, 401]),
]  # fmt: skip


# The persona whose request changes the case is asked last, so the others see it unchanged.
ORDER = ["anonymous", "other_citizen", "clerk_other_dept", "clerk_other_county", "applicant",
         "clerk"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "state", "method", "url", "body", "expected"),
    [pytest.param(*row, id=row[0]) for row in MATRIX],
)
def test_permission_matrix(personas, staff, version, label, state, method, url, body,
                           expected) -> None:  # fmt: skip
    case = submit(personas.citizen, version, at(2026, 11, 2))
    if state in {"received", "accepted"}:
        case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    if state == "accepted":
        case = actions.accept_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    row = case.materials.first()
    users = {
        "applicant": personas.citizen,
        "other_citizen": personas.other_citizen,
        "clerk": staff.clerk,
        "clerk_other_dept": personas.clerk_a,
        "clerk_other_county": personas.clerk_b,
        "anonymous": None,
    }
    target = url.format(
        case=case.pk, row=row.pk, version=version.pk, material=row.material_id, uuid=case.uuid,
        status=case.status,
    )  # fmt: skip
    for persona in ORDER:
        want = expected[PERSONAS.index(persona)]
        client = client_for(users[persona])
        if method == "get":
            answer = client.get(target, **MEDIATOR)
        elif method == "json":
            answer = client.post(target, body, content_type="application/json", **MEDIATOR)
        else:
            data: dict[str, Any] = {"file": _pdf()} if body == "file" else {
                k: (v.format(version=version.pk) if isinstance(v, str) else v)
                for k, v in body.items()
            }  # fmt: skip
            answer = client.post(target, data)
        assert answer.status_code == want, (label, persona, answer.content[:300])
        if want == 302 and persona == "anonymous":
            assert "/accounts/login/" in answer["Location"]
        if label == "api list" and persona in {"other_citizen", "clerk_other_dept",
                                               "clerk_other_county"}:  # fmt: skip
            assert answer.json()["count"] == 0
        if label in {"gs applications", "gs tasks"} and want == 200:
            sees = persona in ({"applicant", "clerk"} if label == "gs applications" else {"clerk"})
            assert bool(answer.json()) == sees, (label, persona)
        if label in {"page workbench", "page mine"} and want == 200:
            shown = str(case.project_no) in answer.content.decode()
            assert shown == (persona in {"applicant", "clerk"}), (label, persona)
