"""Anchoring in the ledger and registration with cases, against the interfaces of the brief.

The ledger's and the cases' Django layers are built on other branches. The fake below stands
in for `yiwang.ledger.anchoring` exactly as the brief specifies it, so these tests prove what
this app sends; the test marked `real ledger` runs once the ledger app is merged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import types

import pytest
import rfc8785
from django.apps import apps

from yiwang.certificates import actions, integration
from yiwang.certificates.tests.conftest import issue_food
from yiwang.certificates.verification import verify_certificate


class FakeEntry:
    def __init__(self, pk, kind, subject, payload):
        self.pk = pk
        self.kind = kind
        self.subject = subject
        self.digest = hashlib.sha256(rfc8785.dumps(dict(payload))).hexdigest()
        self.index = None
        self.payload: dict = {}


@pytest.fixture
def fake_ledger(monkeypatch):
    calls: list[FakeEntry] = []
    module = types.ModuleType("yiwang.ledger.anchoring")

    def anchor(kind, subject, payload):
        entry = FakeEntry(len(calls) + 1, kind, subject, payload)
        entry.payload = dict(payload)
        calls.append(entry)
        return entry

    module.anchor = anchor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yiwang.ledger.anchoring", module)
    monkeypatch.setattr(integration, "ledger_available", lambda: True)
    monkeypatch.setattr(
        integration,
        "ledger_receipt",
        lambda entry_id: f"receipt-for-{entry_id}" if entry_id else None,
    )
    return calls


def test_every_change_is_anchored_with_hashes_only(setup, fake_ledger):
    certificate = issue_food(setup)
    actions.suspend_certificate(actor=setup.approver_a2, certificate=certificate, reason="整改")
    actions.reinstate_certificate(actor=setup.approver_a2, certificate=certificate)
    new = actions.renew_certificate(actor=setup.approver_a2, certificate=certificate)
    kinds = [call.kind for call in fake_ledger]
    assert kinds == [
        "certificate.issued",
        "certificate.suspended",
        "certificate.reinstated",
        "certificate.renewed",
        "certificate.expired",
    ]
    first = fake_ledger[0]
    assert first.subject == certificate.identifier
    assert first.payload["credentialDigest"] == certificate.credential_digest
    # No name, no code, no face data goes to the ledger.
    flat = repr([call.payload for call in fake_ledger])
    assert setup.company.name not in flat and setup.company.uscc not in flat
    event = certificate.events.first()
    assert event.ledger_digest == first.digest and event.ledger_entry_id == 1
    report = verify_certificate(new).as_dict()
    assert report["ledger"]["available"] is True
    assert report["ledger"]["entries"][0]["receipt"] == "receipt-for-4"


def test_key_creation_is_anchored(setup, fake_ledger):
    from yiwang.core.actors import SYSTEM

    actions.rotate_issuer_key(actor=SYSTEM, department=setup.city.dept_a2)
    assert fake_ledger[-1].kind == "certificate.issuer_key"
    assert fake_ledger[-1].payload["retired"] == ["key-1"]


@pytest.mark.skipif(
    importlib.util.find_spec("yiwang.ledger.anchoring") is None
    or not apps.is_installed("yiwang.ledger"),
    reason="real ledger: yiwang.ledger.anchoring is built on the ledger branch (issue 5)",
)
def test_real_ledger_anchors_issuance(setup):
    certificate = issue_food(setup)
    event = certificate.events.get()
    assert len(event.ledger_digest) == 64
    assert event.ledger_entry_id is not None


def test_registration_with_cases_is_a_no_op_without_the_cases_app():
    # Must not raise when yiwang.cases is absent (this branch) and must register when present.
    integration.register_with_cases()
    if not apps.is_installed("yiwang.cases"):
        assert integration.reused_material(reference="r", digest="d", label="l").source == (
            "certificate"
        )
