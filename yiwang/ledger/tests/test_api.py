"""/api/v1/ledger/: public look-ups and receipts; anchoring only with a system token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import client_for
from yiwang.core.actors import SYSTEM
from yiwang.core.models import AuditEntry
from yiwang.identity import actions as identity_actions
from yiwang.ledger import queries
from yiwang.ledger.models import LedgerEntry
from yiwang.ledger.sequencer import sequence_pending
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog.note import verifier_from_vkey
from yiwang.ledger.tlog.proof import verify_receipt

pytestmark = pytest.mark.django_db
DIGEST = "ab" * 32
BODY = {"kind": "archive.record", "subject": "ARCH-2026-0001", "digest": DIGEST}


def post_anchor(client: Client, body: dict, token: str | None = None, key: str | None = None):
    headers = {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        "/api/v1/ledger/anchors", json.dumps(body), content_type="application/json", **headers
    )


def test_public_lookups_by_digest_and_subject(no_task) -> None:
    [first, second] = anchor_many(2)
    sequence_pending()
    [pending] = anchor_many(1, start=2)
    client = Client()
    found = client.get(f"/api/v1/ledger/entries/{first.digest}").json()
    assert [(e["index"], e["status"]) for e in found] == [(0, "sequenced")]
    assert json.loads(found[0]["entry_data"])["digest"] == first.digest
    by_subject = client.get("/api/v1/ledger/entries", {"subject": pending.subject}).json()
    assert [(e["index"], e["status"]) for e in by_subject] == [(None, "pending")]
    assert (
        client.get("/api/v1/ledger/entries", {"digest": second.digest.upper()}).json()[0]["index"]
        == 1
    )


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/ledger/entries/zz", 400, "ledger_digest_invalid"),
        ("/api/v1/ledger/entries/" + "0" * 64, 404, "ledger_entry_not_found"),
        ("/api/v1/ledger/entries", 400, "ledger_query_invalid"),
        ("/api/v1/ledger/entries?digest=x&subject=y", 400, "ledger_query_invalid"),
        ("/api/v1/ledger/entries?subject=" + "x" * 201, 400, "ledger_subject_invalid"),
        ("/api/v1/ledger/receipts/" + "0" * 64, 404, "ledger_receipt_not_found"),
        ("/api/v1/ledger/receipts/nope", 400, "ledger_digest_invalid"),
        ("/api/v1/ledger/receipts/" + "0" * 64 + "?index=x", 422, "invalid_input"),
        ("/api/v1/ledger/checkpoint", 404, "ledger_not_initialised"),
    ],
)
def test_bad_lookups_answer_with_a_stable_code(no_task, path: str, status: int, code: str):
    response = Client().get(path)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_receipt_and_checkpoint_endpoints(no_task) -> None:
    entries = anchor_many(9)
    sequence_pending()
    client = Client()
    body = client.get(f"/api/v1/ledger/receipts/{entries[4].digest}").json()
    assert body["index"] == 4
    key = verifier_from_vkey(queries.log_vkey())
    result = verify_receipt(body["receipt"], key, entry=entries[4].entry_data.encode())
    assert result.index == 4 and result.checkpoint.size == 9
    for index in (9, -1, 10**30):  # beyond the tree, negative, beyond any database integer
        response = client.get(f"/api/v1/ledger/receipts/{entries[4].digest}", {"index": index})
        assert response.status_code == 404, index
    head = client.get("/api/v1/ledger/checkpoint").json()
    assert head["size"] == 9 and head["origin"] == "yiwang.example/360100/log"
    assert head["note"] == client.get("/ledger/checkpoint").content.decode()


def test_a_system_token_anchors_a_digest_once_per_idempotency_key(no_task, system_token):
    client = Client()
    first = post_anchor(client, BODY, system_token, key="k-1")
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "external.archive.record"
    assert first.json()["status"] == "pending"
    again = post_anchor(client, BODY, system_token, key="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="ledger.anchored").count() == 1
    # Reusing the key for another digest is a conflict, and changes nothing.
    conflict = post_anchor(client, {**BODY, "digest": "cd" * 32}, system_token, key="k-1")
    assert conflict.status_code == 409
    assert LedgerEntry.objects.count() == 1


def test_who_may_anchor(no_task, personas, system_token) -> None:
    citizen_token = identity_actions.issue_api_token(
        actor=SYSTEM, user=personas.citizen, name="not a system"
    )[1]
    cases = [
        (Client(), None, 401),  # anonymous
        (client_for(personas.citizen), None, 401),  # a session is not a system token
        (client_for(personas.city_admin), None, 401),
        (Client(), "yw_not-a-real-token", 401),
        (Client(), citizen_token, 403),  # a token, but not a system account's
        (Client(), system_token, 201),
    ]
    for client, token, status in cases:
        assert post_anchor(client, BODY, token).status_code == status, (token, status)
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**BODY, "digest": "xyz"}, "ledger_digest_invalid"),
        ({**BODY, "kind": "Bad Kind"}, "ledger_kind_invalid"),
        ({**BODY, "subject": ""}, "ledger_subject_invalid"),
        ({"kind": "a"}, "invalid_input"),
    ],
)
def test_bad_anchor_requests_change_nothing(no_task, system_token, body, code) -> None:
    response = post_anchor(Client(), body, system_token)
    assert response.status_code in (400, 422)
    assert response.json()["code"] == code
    assert not LedgerEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="ledger.anchored").exists()
