"""Public verification from outside: tampering fails, revocation shows at once, rate limits."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from conftest import client_for
from yiwang.certificates import actions
from yiwang.certificates.tests.conftest import issue_disability, issue_food

VERIFY = "/api/v1/vc/credentials/verify"


def _credential(certificate):
    return json.loads(actions.credential_of(certificate))


def _post_verify(client, document):
    return client.post(
        VERIFY,
        data=json.dumps({"verifiableCredential": document}),
        content_type="application/json",
    )


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*path, index))
    else:
        yield path


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value is None:
        return "x"
    return value + "1" if value[-1:] != "1" else value[:-1] + "2"


def test_an_untouched_certificate_verifies(setup):
    certificate = issue_food(setup)
    response = _post_verify(client_for(None), _credential(certificate))
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True, body
    assert body["errors"] == []
    assert body["checks"]["issuer"]["name"] == "东湖区市场监督管理局"
    assert body["checks"]["status"]["value"] == "valid"
    assert body["record"]["status"] == "valid"


def test_changing_any_field_makes_verification_fail(setup):
    document = _credential(issue_food(setup))
    client = client_for(None)
    paths = [p for p in _leaf_paths(document) if p[:2] != ("proof", "proofValue")]
    assert len(paths) > 30
    for path in paths:
        tampered = copy.deepcopy(document)
        target = tampered
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = _changed(target[path[-1]])
        body = _post_verify(client, tampered).json()
        assert body["verified"] is False, path
        # The signature itself covers every field (the proof's options included).
        assert body["checks"]["signature"]["ok"] is False, path
    # Adding a field, or dropping one, fails too.
    added = copy.deepcopy(document)
    added["credentialSubject"]["faceData"]["note"] = "附加"
    assert _post_verify(client, added).json()["verified"] is False
    removed = copy.deepcopy(document)
    del removed["validUntil"]
    assert _post_verify(client, removed).json()["verified"] is False


def test_a_forged_signature_by_another_department_is_not_the_issuer(setup):
    # dept_a has its own key; a credential naming dept_a2 as issuer but signed by dept_a's key
    # passes the cryptography but not the issuer check.
    from yiwang.certificates import keys
    from yiwang.certificates.models import IssuerKey
    from yiwang.certificates.vc.dataintegrity import add_proof

    document = _credential(issue_food(setup))
    del document["proof"]
    key = IssuerKey.objects.get(department=setup.city.dept_a)
    forged = add_proof(
        document,
        keys.private_key_of(key),
        verification_method=keys.verification_method_id(setup.city.dept_a.uscc, key.key_id),
    )
    body = _post_verify(client_for(None), forged).json()
    assert body["checks"]["signature"]["ok"] is True
    assert body["checks"]["issuer"]["ok"] is False
    assert body["verified"] is False


def test_revoked_certificate_shows_as_revoked_on_the_next_request(setup):
    certificate = issue_food(setup)
    anonymous = client_for(None)
    url = f"/api/v1/certificates/verify/{certificate.identifier}"
    assert anonymous.get(url).json()["verified"] is True
    approver = client_for(setup.approver_a2)
    answer = approver.post(
        f"/api/v1/certificates/{certificate.identifier}/status",
        data={"operation": "revoke", "reason": "以欺骗手段取得许可"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = anonymous.get(url).json()
    assert body["verified"] is False
    assert body["checks"]["status"]["value"] == "revoked"
    assert body["record"]["status"] == "revoked"
    assert body["record"]["reason"] == "以欺骗手段取得许可"
    # The holder's own copy of the file, verified by anyone, says revoked too.
    assert (
        _post_verify(anonymous, _credential(certificate)).json()["checks"]["status"]["value"]
        == "revoked"
    )
    page = anonymous.get(f"/certificates/{certificate.identifier}")
    assert page.status_code == 200
    assert "核验未通过" in page.content.decode()


def test_public_page_shows_the_face_and_masks_a_persons_number(setup):
    certificate = issue_disability(setup)
    page = client_for(None).get(f"/certificates/{certificate.identifier}").content.decode()
    assert "核验通过" in page
    assert setup.person.document_masked in page
    from yiwang.certificates.actions import holder_of

    full_number = holder_of(setup.person).code
    assert full_number not in page
    body = client_for(None).get(f"/api/v1/certificates/verify/{certificate.identifier}").json()
    assert full_number not in json.dumps(body)
    assert body["certificate"]["holderCode"] == setup.person.document_masked


def test_unknown_and_malformed_input_never_500(setup):
    anonymous = client_for(None)
    assert anonymous.get("/api/v1/certificates/verify/nonsense").status_code == 404
    assert anonymous.get("/certificates/1.2.156.3005.2.X").status_code == 404
    bodies: list[object] = [{}, {"verifiableCredential": "x"}, [], "null"]
    for body in bodies:
        response = anonymous.post(VERIFY, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422
    for depth in (500, 3000):
        deep = '{"a":' * depth + "{}" + "}" * depth
        raw = '{"verifiableCredential":{"proof":{},"deep":' + deep + "}}"
        response = anonymous.post(VERIFY, data=raw, content_type="application/json")
        assert response.status_code in (200, 400, 422), depth
        if response.status_code == 200:
            assert response.json()["verified"] is False
    page = anonymous.post("/certificates/verify/", {"credential": "{not json"})
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()


def test_verification_page_accepts_a_pasted_credential(setup):
    certificate = issue_food(setup)
    page = client_for(None).post(
        "/certificates/verify/", {"credential": actions.credential_of(certificate)}
    )
    assert "核验通过" in page.content.decode()


@override_settings(YIWANG_VERIFY_BURST=3, YIWANG_VERIFY_PER_MINUTE=1)
def test_verification_is_rate_limited_per_address(setup):
    cache.clear()
    certificate = issue_food(setup)
    url = f"/api/v1/certificates/verify/{certificate.identifier}"
    anonymous = client_for(None)
    codes = [anonymous.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = anonymous.get(url, REMOTE_ADDR="203.0.113.9")
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    # Another address has its own bucket; the page is limited by the same bucket.
    assert anonymous.get(url, REMOTE_ADDR="203.0.113.10").status_code == 200
    page = anonymous.get(f"/certificates/{certificate.identifier}", REMOTE_ADDR="203.0.113.9")
    assert page.status_code == 429
    cache.clear()


def test_keys_and_status_lists_are_published(setup):
    certificate = issue_food(setup)
    anonymous = client_for(None)
    controller = anonymous.get(f"/certificates/keys/{setup.city.dept_a2.uscc}").json()
    assert controller["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert controller["assertionMethod"] == [certificate.verification_method]
    entry = _credential(certificate)["credentialStatus"][0]
    path = entry["statusListCredential"].removeprefix("https://zw.nanchang.example")
    listed = anonymous.get(path)
    assert listed.status_code == 200
    assert json.loads(listed.content)["type"][1] == "BitstringStatusListCredential"
    assert anonymous.get("/certificates/keys/XXXXXXXXXXXXXXXXXX").status_code == 404
    assert (
        anonymous.get(f"/certificates/status/{setup.city.dept_a2.uscc}/revocation/9").status_code
        == 404
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_reaches_only_verification(setup, method):
    certificate = issue_food(setup)
    anonymous = client_for(None)
    for url in (
        "/api/v1/certificates/mine",
        f"/api/v1/certificates/{certificate.identifier}",
        f"/api/v1/certificates/{certificate.identifier}/credential",
        f"/api/v1/certificates/{certificate.identifier}/uses",
    ):
        if method == "get":
            assert anonymous.get(url).status_code == 401, url
    assert anonymous.post(
        f"/api/v1/certificates/{certificate.identifier}/status",
        data={"operation": "revoke", "reason": "x"},
        content_type="application/json",
    ).status_code in (401, 403)
    for url in ("/certificates/wallet/", f"/certificates/wallet/{certificate.identifier}/pdf"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert anonymous.get("/certificates/manage/").status_code == 302
