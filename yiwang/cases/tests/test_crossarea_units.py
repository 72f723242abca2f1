"""跨域通办: a unit (法人) registered at the hall through its 经办人, and 联办 departments in
other counties offered and checked at acceptance."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from conftest import client_for
from yiwang.cases import actions
from yiwang.cases.models import Case, CaseHandoff, CaseProcess, CaseReviewTask
from yiwang.cases.tests import test_crossarea as base
from yiwang.cases.tests import test_crossarea_web as web
from yiwang.cases.tests.conftest import full_uploads
from yiwang.cases.tests.test_crossarea import Sides, forwarded, item_of
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.identity import actions as identity_actions
from yiwang.identity.models import LegalPerson, Person
from yiwang.portal.demo.city import resident_id_for, uscc_for

pytestmark = pytest.mark.django_db
sides = base.sides
version_b = base.version_b
UNIT_USCC = uscc_for("91360102", 77)


@pytest.fixture
def unit(city: Any, sides: Sides) -> LegalPerson:
    """南昌面馆有限公司, whose 经办人 is the citizen (申报 authorised)."""
    company = identity_actions.register_legal_person(
        actor=SYSTEM, name="南昌面馆有限公司", uscc=UNIT_USCC, applicant_type="2",
        legal_representative="张伟", region=city.county_a,
    )  # fmt: skip
    identity_actions.authorise_operator(
        actor=SYSTEM, legal_person=company, user=sides.citizen, scopes=["apply"]
    )
    return company


def _unit_body(version: Any, key: str, number: str, uscc: str) -> dict[str, Any]:
    return {**web._hall_body(version, key, number), "applicant_uscc": uscc}


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseProcess.objects.count(), CaseHandoff.objects.count()


# --- a unit at the hall ------------------------------------------------------------------------


def test_the_hall_registers_a_unit_through_its_operator_on_the_page(
    sides: Sides, version_b: Any, unit: LegalPerson
) -> None:
    hall = client_for(sides.clerk_a)
    form = hall.get(f"/cases/hall/{version_b.pk}/").content.decode()
    assert "单位统一社会信用代码" in form and 'for="id_applicant_uscc"' in form
    number = web._id_number(sides.citizen)
    first = hall.post(
        f"/cases/hall/{version_b.pk}/", _unit_body(version_b, "u" * 32, number, UNIT_USCC.lower())
    )
    again = hall.post(
        f"/cases/hall/{version_b.pk}/", _unit_body(version_b, "u" * 32, number, UNIT_USCC)
    )
    assert first.status_code == again.status_code == 302
    case = Case.objects.get()
    assert (case.applicant_legal_person, case.applyer_type, case.applyer_name) == (
        unit,
        "2",
        "南昌面馆有限公司",
    )
    assert case.applyer_page_code == UNIT_USCC and case.contact_name == "张伟"
    # The unit's operators see it as theirs; another citizen does not.
    assert client_for(sides.citizen).get(f"/cases/{case.pk}/").status_code == 200
    assert client_for(sides.other_citizen).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(sides.clerk_c).get(f"/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("uscc", "code", "status"),
    [
        (UNIT_USCC[:-1] + ("0" if UNIT_USCC[-1] != "0" else "1"), "uscc_checksum", 400),
        ("91360102", "uscc_length", 400),
        (uscc_for("91360102", 78), "legal_person_not_registered", 404),
    ],
)
def test_bad_or_unregistered_unit_is_refused_through_the_api(
    sides: Sides, version_b: Any, unit: LegalPerson, uscc: str, code: str, status: int
) -> None:
    before = _counts()
    answer = client_for(sides.clerk_a).post(
        "/api/v1/cases/proxy-receipts",
        {**web._api_body(version_b, web._id_number(sides.citizen)), "applicant_uscc": uscc},
    )
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code
    if code == "legal_person_not_registered":
        assert "尚未在本平台注册" in answer.json()["message"]
    assert _counts() == before


def test_api_registers_a_unit(sides: Sides, version_b: Any, unit: LegalPerson) -> None:
    answer = client_for(sides.clerk_a).post(
        "/api/v1/cases/proxy-receipts",
        {**web._api_body(version_b, web._id_number(sides.citizen)), "applicant_uscc": UNIT_USCC},
        HTTP_IDEMPOTENCY_KEY="unit-1",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["applyer_name"] == "南昌面馆有限公司"


def test_a_person_without_the_units_mandate_is_refused_on_the_page(
    sides: Sides, version_b: Any, unit: LegalPerson
) -> None:
    hall = client_for(sides.clerk_a)
    other = Person.objects.get(user=sides.other_citizen)
    number = resident_id_for(other.region.code[:6], dt.date(1985, 5, 3), 12)
    answer = hall.post(
        f"/cases/hall/{version_b.pk}/", _unit_body(version_b, "v" * 32, number, UNIT_USCC)
    )
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "授权申报的经办人" in text and "南昌面馆有限公司" in text
    assert Case.objects.count() == 0


def test_an_expired_or_pay_only_mandate_is_refused(
    sides: Sides, version_b: Any, unit: LegalPerson
) -> None:
    identity_actions.authorise_operator(
        actor=SYSTEM, legal_person=unit, user=sides.citizen, scopes=["pay"]
    )
    with pytest.raises(DomainError) as refused:
        base.register(sides, version_b, legal_person=unit)
    assert refused.value.code == "operator_not_authorised"
    assert Case.objects.count() == 0


def test_an_item_for_natural_persons_only_refuses_the_unit(
    city: Any, sides: Sides, unit: LegalPerson
) -> None:
    personal = item_of(city, city.dept_b, city.county_b, "0301", handle_area="2", server_type=["1"])
    with pytest.raises(DomainError) as refused:
        base.register(sides, personal, legal_person=unit)
    assert refused.value.code == "applicant_type_not_served"
    companies_only = item_of(
        city, city.dept_b, city.county_b, "0302", handle_area="2", server_type=["2"]
    )
    with pytest.raises(DomainError) as refused:
        base.register(sides, companies_only)
    assert refused.value.code == "applicant_type_not_served"
    assert base.register(sides, companies_only, legal_person=unit).applyer_type == "2"


# --- 联办 departments at acceptance --------------------------------------------------------------


def _accept_form(client: Any, case_id: int) -> str:
    page: str = client.get(f"/cases/{case_id}/").content.decode()
    match = re.search(r'<select id="a-accept-joint_department_ids".*?</select>', page, re.S)
    assert match is not None
    return match.group(0)


def test_acceptance_offers_the_departments_the_items_area_allows_by_county(
    city: Any, sides: Sides, version_b: Any
) -> None:
    case = actions.receive_case(actor=sides.clerk_b, case=forwarded(sides, version_b))
    select = _accept_form(client_for(sides.clerk_b), case.pk)
    labels = re.findall(r'<optgroup label="([^"]+)"', select)
    # 西湖区 has no other department; the city's own departments come under 南昌市.
    assert labels == ["南昌市", "东湖区", "青山湖区"]
    assert f'value="{sides.dept_c2.pk}"' in select and f'value="{city.dept_a.pk}"' in select
    assert f'value="{city.dept_b.pk}"' not in select  # not the implementing department itself
    done = web._act(
        client_for(sides.clerk_b),
        case.pk,
        "accept",
        mode="normal",
        joint_department_ids=[sides.dept_c2.pk],
    )
    assert done.status_code == 302
    assert CaseReviewTask.objects.filter(case=case, department=sides.dept_c2).exists()
    assert client_for(sides.reviewer_c2).get(f"/cases/{case.pk}/").status_code == 200


def test_a_local_items_acceptance_offers_its_county_only_and_refuses_others(
    city: Any, sides: Sides
) -> None:
    local = item_of(city, city.dept_b, city.county_b, "0303", handle_area="1")
    case = actions.submit_case(
        actor=sides.citizen, version_id=local.pk, uploads=full_uploads(local)
    )
    case = actions.receive_case(actor=sides.clerk_b, case=case)
    select = _accept_form(client_for(sides.clerk_b), case.pk)
    assert re.findall(r'<optgroup label="([^"]+)"', select) in ([], ["西湖区"])
    assert f'value="{sides.dept_c2.pk}"' not in select
    answer = client_for(sides.clerk_b).post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"action": "accept", "joint_department_ids": [sides.dept_c2.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 409 and answer.json()["code"] == "not_open_for_cross_area"
    case.refresh_from_db()
    assert case.status == "received" and not case.review_tasks.exists()
    page = web._act(
        client_for(sides.clerk_b),
        case.pk,
        "accept",
        mode="normal",
        joint_department_ids=[city.dept_a.pk],
    )
    assert page.status_code == 409 and "本级" in page.content.decode()
