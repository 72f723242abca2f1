"""Issuing and the lifecycle through the actions: identifiers, signatures, status lists, events."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from stdnum.iso7064 import mod_37_36

from yiwang.certificates import actions, keys
from yiwang.certificates.choices import Status
from yiwang.certificates.models import Certificate, CertificateEvent, IssuerKey
from yiwang.certificates.tests.conftest import (
    BUSINESS_LICENCE,
    FOOD_FACE,
    issue_disability,
    issue_food,
)
from yiwang.certificates.vc.identifier import parse_identifier
from yiwang.certificates.verification import verify_certificate
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import AuditEntry


def test_issue_builds_identifier_number_credential_and_event(setup):
    certificate = issue_food(setup)
    parsed = parse_identifier(certificate.identifier)
    assert parsed.type_code == setup.food_licence.type_code
    assert parsed.issuer_uscc == setup.city.dept_a2.uscc
    assert parsed.version == 1
    # The check character is MOD 37,36 over the four middle fields, computed independently.
    body = f"{parsed.type_code}{parsed.issuer_uscc}{parsed.serial}001"
    assert mod_37_36.calc_check_digit(body) == certificate.identifier[-1]
    assert certificate.certificate_number.startswith("JY360102")
    assert certificate.holder_code_display == setup.company.uscc
    # 5 years from today, ending the day before the anniversary.
    today = certificate.issue_date
    assert certificate.valid_until == today.replace(year=today.year + 5) - dt.timedelta(days=1)
    credential = json.loads(actions.credential_of(certificate))
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["proof"]["verificationMethod"] == keys.verification_method_id(
        setup.city.dept_a2.uscc, "key-1"
    )
    assert credential["issuer"]["id"] == keys.controller_url(setup.city.dept_a2.uscc)
    assert credential["credentialSubject"]["faceData"] == FOOD_FACE
    assert [e["statusPurpose"] for e in credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    event = CertificateEvent.objects.get(certificate=certificate)
    assert event.operation == "01" and event.status_after == Status.VALID
    assert AuditEntry.objects.filter(action="certificates.issued").exists()
    assert verify_certificate(certificate).verified


def test_credential_is_encrypted_at_rest(setup):
    certificate = issue_disability(setup)
    stored = Certificate.objects.values_list("credential_encrypted", flat=True).get(
        pk=certificate.pk
    )
    assert setup.person.name not in stored
    credential = json.loads(actions.credential_of(certificate))
    # The credential itself carries the full number, as the paper certificate does.
    assert len(credential["credentialSubject"]["holderCode"]) == 18
    assert certificate.holder_code_display == setup.person.document_masked


def test_private_keys_are_never_stored_in_clear(setup):
    key = IssuerKey.objects.get(department=setup.city.dept_a2)
    private = keys.private_key_of(key)
    from yiwang.certificates.vc.multibase import private_key_to_multikey

    secret = private_key_to_multikey(private)
    assert secret not in key.private_key_encrypted
    assert key.private_key_encrypted.startswith("1:")
    # Bound to its department and key id: the ciphertext moved to another row does not open.
    other = IssuerKey.objects.get(department=setup.city.dept_a)
    other.private_key_encrypted = key.private_key_encrypted
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM refuses the wrong context
        keys.private_key_of(other)


def test_serials_are_unique_and_numbers_gap_free(setup):
    first = issue_food(setup)
    second = issue_food(setup)
    assert first.serial != second.serial
    assert int(second.certificate_number[-6:]) == int(first.certificate_number[-6:]) + 1
    assert second.status_index == first.status_index + 1


def test_face_is_checked_against_the_type(setup):
    with pytest.raises(DomainError) as missing:
        issue_food(setup, face={"operator": "x", "premises": "y"})
    assert missing.value.code == "face_field_required"
    with pytest.raises(DomainError) as unknown:
        issue_food(setup, face={**FOOD_FACE, "colour": "red"})
    assert unknown.value.code == "face_field_unknown"
    with pytest.raises(DomainError) as kind:
        issue_food(setup, holder=setup.person)
    assert kind.value.code == "holder_kind_mismatch"
    assert not Certificate.objects.exists()


def test_only_the_issuing_departments_approvers_issue(setup):
    for outsider in (setup.personas.clerk_a, setup.personas.clerk_b, setup.personas.citizen):
        with pytest.raises(PermissionDenied):
            issue_food(setup, actor=outsider)
    # An approver of another department (dept_a) may not sign in dept_a2's name.
    from conftest import make_staff
    from yiwang.regions.choices import Role

    approver_a = make_staff("approver.a", setup.city.dept_a, [Role.APPROVER])
    with pytest.raises(PermissionDenied):
        issue_food(setup, actor=approver_a)
    assert not Certificate.objects.exists()


def test_issuing_without_a_key_is_refused(setup):
    with pytest.raises(DomainError) as caught:
        issue_food(setup, issuer=setup.city.dept_b, actor=SYSTEM)
    assert caught.value.code == "issuer_key_missing"


def test_type_code_is_validated(setup):
    for bad in ("11100000000013127D01", "11100000000013127E001", "1110000000001312AD001"):
        with pytest.raises(DomainError):
            actions.create_certificate_type(
                actor=SYSTEM,
                name="x",
                type_code=bad,
                defining_authority="y",
                holder_kind="person",
                face_fields=[{"name": "a", "label": "A"}],
            )
    with pytest.raises(DomainError) as taken:
        actions.create_certificate_type(
            actor=SYSTEM,
            name="x",
            type_code=BUSINESS_LICENCE,
            defining_authority="y",
            holder_kind="person",
            face_fields=[{"name": "a", "label": "A"}],
        )
    assert taken.value.code == "type_code_taken"
    with pytest.raises(PermissionDenied):
        actions.create_certificate_type(
            actor=setup.personas.clerk_a,
            name="x",
            type_code="11100000000013127D009",
            defining_authority="y",
            holder_kind="person",
            face_fields=[{"name": "a", "label": "A"}],
        )


def test_lifecycle_follows_the_transition_table(setup):
    certificate = issue_food(setup)
    approver = setup.approver_a2
    certificate = actions.suspend_certificate(
        actor=approver, certificate=certificate, reason="整改"
    )
    assert verify_certificate(certificate).status == "suspended"
    with pytest.raises(DomainError) as twice:
        actions.suspend_certificate(actor=approver, certificate=certificate, reason="again")
    assert twice.value.code == "certificate_status_invalid"
    certificate = actions.reinstate_certificate(actor=approver, certificate=certificate)
    report = verify_certificate(certificate)
    assert report.status == "valid" and report.verified
    certificate = actions.revoke_certificate(
        actor=approver, certificate=certificate, reason="虚假材料"
    )
    report = verify_certificate(certificate)
    assert report.status == "revoked" and not report.verified
    with pytest.raises(DomainError):
        actions.reinstate_certificate(actor=approver, certificate=certificate)
    operations = list(
        CertificateEvent.objects.filter(certificate=certificate).values_list("operation", flat=True)
    )
    assert operations == ["01", "03", "06", "05"]


@pytest.mark.parametrize(
    ("transition", "status"),
    [("cancel", Status.CANCELLED), ("rescind", Status.RESCINDED), ("transfer", Status.TRANSFERRED)],
)
def test_terminal_transitions_set_the_revocation_bit(setup, transition, status):
    certificate = issue_food(setup)
    changed = actions.change_status(
        actor=setup.approver_a2, certificate=certificate, transition=transition, reason="依法"
    )
    assert changed.status == status
    assert verify_certificate(changed).status == "revoked"


def test_a_reason_is_required_and_bad_input_changes_nothing(setup):
    certificate = issue_food(setup)
    with pytest.raises(DomainError) as caught:
        actions.revoke_certificate(actor=setup.approver_a2, certificate=certificate, reason=" ")
    assert caught.value.code == "reason_required"
    with pytest.raises(DomainError):
        actions.change_status(
            actor=setup.approver_a2, certificate=certificate, transition="explode", reason="x"
        )
    certificate.refresh_from_db()
    assert certificate.status == Status.VALID
    with pytest.raises(PermissionDenied):
        actions.revoke_certificate(
            actor=setup.personas.clerk_b, certificate=certificate, reason="x"
        )


def test_renewal_makes_a_linked_new_version_and_the_old_lapses(setup):
    old = issue_food(setup)
    assert old.valid_until is not None
    until = old.valid_until + dt.timedelta(days=5 * 365)
    new = actions.renew_certificate(actor=setup.approver_a2, certificate=old, valid_until=until)
    old.refresh_from_db()
    assert old.status == Status.EXPIRED
    assert new.previous_version == old and new.version == 2 and new.serial == old.serial
    assert new.identifier == parse_identifier(old.identifier).next_version().value
    assert new.certificate_number == old.certificate_number
    credential = json.loads(actions.credential_of(new))
    assert credential["credentialSubject"]["associatedCertificateIdentifier"] == old.identifier
    assert verify_certificate(new).verified
    old_report = verify_certificate(old)
    assert old_report.signature_ok and old_report.status == "revoked"
    assert old_report.as_dict()["record"]["nextVersion"] == new.identifier


def test_change_keeps_unchanged_face_fields(setup):
    old = issue_food(setup)
    new = actions.change_certificate(
        actor=setup.approver_a2,
        certificate=old,
        face={"premises": "南昌市东湖区八一大道 2 号"},
        reason="经营场所变更",
    )
    assert new.face_data == {**FOOD_FACE, "premises": "南昌市东湖区八一大道 2 号"}
    assert new.events.get().operation == "09"


def test_expiry_sweep(setup):
    certificate = issue_food(setup, valid_until=timezone.localdate() + dt.timedelta(days=1))
    assert actions.expire_due_certificates(actor=SYSTEM, today=timezone.localdate()) == 0
    later = timezone.localdate() + dt.timedelta(days=3)
    assert actions.expire_due_certificates(actor=SYSTEM, today=later) == 1
    certificate.refresh_from_db()
    assert certificate.status == Status.EXPIRED


def test_key_rotation_keeps_old_certificates_verifying(setup):
    old = issue_food(setup)
    new_key = actions.rotate_issuer_key(actor=SYSTEM, department=setup.city.dept_a2)
    assert new_key.key_id == "key-2"
    retired = IssuerKey.objects.get(department=setup.city.dept_a2, key_id="key-1")
    assert retired.retired_at is not None
    new = issue_food(setup)
    assert new.verification_method.endswith("#key-2")
    assert old.verification_method.endswith("#key-1")
    assert verify_certificate(old).verified
    assert verify_certificate(new).verified
    # A status change after rotation re-signs the list with the new key; both still verify.
    actions.suspend_certificate(actor=setup.approver_a2, certificate=old, reason="检查")
    assert verify_certificate(old).status == "suspended"
    assert verify_certificate(new).status == "valid"


def test_key_management_is_for_the_departments_admins(setup):
    from conftest import make_staff
    from yiwang.regions.choices import Role

    with pytest.raises(PermissionDenied):
        actions.create_issuer_key(actor=setup.approver_a2, department=setup.city.dept_a2)
    with pytest.raises(PermissionDenied):
        actions.create_issuer_key(actor=setup.personas.admin_a, department=setup.city.dept_b)
    admin_a2 = make_staff("admin.a2", setup.city.dept_a2, [Role.DEPARTMENT_ADMIN])
    assert actions.create_issuer_key(actor=admin_a2, department=setup.city.dept_a2).key_id == (
        "key-2"
    )
