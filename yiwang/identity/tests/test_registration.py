"""Registration refuses bad numbers with a clear message and stores nothing at all."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yiwang.core.models import AuditEntry, IdempotencyRecord
from yiwang.identity.models import LegalPerson, Person, User

GOOD = {
    "name": "李娜",
    "document_type": "111",
    "document_number": "11010519491231002X",
    "phone": "13912345678",
    "password": "Str0ng-Pass!",
    "region_code": "360102001001",
}


def post(client: Client, body: dict, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/identity/citizens", json.dumps(body), content_type="application/json", **headers
    )


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Person.objects.count(), AuditEntry.objects.count()


@pytest.mark.django_db
def test_register_a_citizen(city) -> None:
    response = post(Client(), GOOD)
    assert response.status_code == 201, response.content
    assert response.json()["document_number_masked"] == "1101**********002X"
    person = Person.objects.get()
    # Neither the number nor an unkeyed hash of it is in the row.
    row = json.dumps(
        list(Person.objects.values("document_hash", "document_encrypted", "document_masked")),
    )
    assert "11010519491231002X" not in row
    assert person.user.phone == "13912345678"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_number_checksum"),
        ("1101051949123100", "id_number_length"),
        ("990105194912310026", "id_number_region"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_stored(city, number: str, code: str) -> None:
    before = counts()
    response = post(Client(), {**GOOD, "document_number": number})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] in {code, "id_number_checksum"}
    assert "身份证" in body["message"]
    assert counts() == before
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_english_message_when_asked(city) -> None:
    response = Client().post(
        "/api/v1/identity/citizens",
        json.dumps({**GOOD, "document_number": "110105194912310021"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "check digit" in response.json()["message"]


@pytest.mark.django_db
def test_same_number_twice_is_a_conflict(city) -> None:
    assert post(Client(), GOOD).status_code == 201
    second = post(Client(), {**GOOD, "phone": "13912345679"})
    assert second.status_code == 409
    assert second.json()["code"] == "person_exists"
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_retried_registration_creates_one_account(city) -> None:
    first = post(Client(), GOOD, key="reg-1")
    again = post(Client(), GOOD, key="reg-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_malformed_body_is_422_not_500(city) -> None:
    response = Client().post(
        "/api/v1/identity/citizens", "{not json", content_type="application/json"
    )
    assert response.status_code in {400, 422}
    assert response.json()["code"] in {"invalid_input", "http_400"}


@pytest.mark.django_db
def test_enterprise_with_bad_uscc_is_refused(city) -> None:
    from yiwang.core.actors import SYSTEM
    from yiwang.core.errors import DomainError
    from yiwang.identity import actions

    with pytest.raises(DomainError) as caught:
        actions.register_legal_person(
            actor=SYSTEM,
            name="某公司",
            uscc="91110000600O37341L",
            applicant_type="2",
            legal_representative="张三",
            region=city.county_a,
        )
    assert caught.value.code == "uscc_forbidden_letter"
    assert not LegalPerson.objects.exists()
