"""The write path of electronic certificates: types, keys, issuance, lifecycle, shares, uses.

Every change of a certificate writes a CertificateEvent, updates the issuer's status lists and
is anchored in the ledger (when the ledger is installed), all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.certificates import errors, integration, keys, status
from yiwang.certificates.choices import (
    FINAL_STATUSES,
    TRANSITION_LABELS,
    TRANSITIONS,
    HolderKind,
    Operation,
    Status,
    StatusPurpose,
    UseKind,
)
from yiwang.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateShare,
    CertificateType,
    CertificateUse,
    IssuerKey,
    IssuingSystem,
)
from yiwang.certificates.permissions import holds, may_issue, may_manage_keys, may_manage_types
from yiwang.certificates.vc.compact import sign_compact
from yiwang.certificates.vc.credential import (
    CertificateClaims,
    CredentialError,
    build_certificate_credential,
    credential_url,
)
from yiwang.certificates.vc.dataintegrity import add_proof
from yiwang.certificates.vc.identifier import IdentifierError, make_identifier, parse_identifier
from yiwang.certificates.vc.multibase import private_key_to_multikey, public_key_to_multikey
from yiwang.core import audit, numbering
from yiwang.core.actors import is_system
from yiwang.core.crypto import decrypt_text, encrypt_text
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.national_numbers import check_uscc
from yiwang.identity.actions import DOCUMENT_CONTEXT
from yiwang.identity.models import LegalPerson, Person, User
from yiwang.regions.choices import Role
from yiwang.regions.models import Department
from yiwang.regions.permissions import has_role

CREDENTIAL_CONTEXT = "certificates.credential"
# The ledger entry kind and audit action of each lifecycle step: certificate.<kind>.
EVENT_KINDS = {
    "suspend": "suspended",
    "reinstate": "reinstated",
    "revoke": "revoked",
    "cancel": "cancelled",
    "rescind": "rescinded",
    "transfer": "transferred",
    "expire": "expired",
}
HOLDER_CODE_USCC = "001"
MAX_REASON = 200
MAX_FACE_VALUE = 500


def _label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())
    return "anonymous"


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- types ------------------------------------------------------------------------------------


def clean_type_code(value: str) -> str:
    """A GB/T 36904 type code: the defining ministry's USCC (checksum-valid) + 3 digits."""
    code = "".join(str(value).split()).upper()
    if len(code) != 21 or not code[18:].isdigit():
        raise DomainError(
            "type_code_format",
            _("证照类型代码须为定义机构的统一社会信用代码（18 位）加 3 位数字。"),
            field="type_code",
        )
    check_uscc(code[:18], field="type_code")
    return code


def _clean_face_fields(fields: Any) -> list[dict[str, Any]]:
    if not isinstance(fields, list) or not fields:
        raise DomainError("face_fields_invalid", _("请至少定义一个照面字段。"), field="face_fields")
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in fields:
        if not isinstance(item, Mapping):
            raise DomainError(
                "face_fields_invalid", _("照面字段须包含名称和显示标签。"), field="face_fields"
            )
        name = str(item.get("name", "")).strip()
        label = str(item.get("label", "")).strip()
        if not name or not label or len(name) > 40 or len(label) > 60 or name in seen:
            raise DomainError(
                "face_fields_invalid",
                _("照面字段须有不重复的名称（不超过 40 字）和显示标签（不超过 60 字）。"),
                field="face_fields",
            )
        seen.add(name)
        cleaned.append({"name": name, "label": label, "required": bool(item.get("required", True))})
    return cleaned


@transaction.atomic
def create_certificate_type(
    *,
    actor: Any,
    name: str,
    type_code: str,
    defining_authority: str,
    holder_kind: str,
    face_fields: list[dict[str, Any]],
    validity_years: int | None = None,
    template: str = "standard",
    number_prefix: str = "",
) -> CertificateType:
    """Define a certificate type (证照类型) by its GB/T 36904 type code."""
    if not may_manage_types(actor):
        raise PermissionDenied()
    code = clean_type_code(type_code)
    name = name.strip()
    if not name or len(name) > 120:
        raise DomainError("name_required", _("请填写证照名称。"), field="name")
    if holder_kind not in HolderKind.values:
        raise DomainError("holder_kind_invalid", _("持证主体类型不正确。"), field="holder_kind")
    if validity_years is not None and not 1 <= validity_years <= 100:
        raise DomainError(
            "validity_invalid",
            _("有效期须为 1 至 100 年，或留空表示长期有效。"),
            field="validity_years",
        )
    if CertificateType.objects.filter(type_code=code).exists():
        raise Conflict("type_code_taken", _("该证照类型代码已存在。"))
    certificate_type = CertificateType.objects.create(
        name=name,
        type_code=code,
        defining_authority=defining_authority.strip(),
        holder_kind=holder_kind,
        validity_years=validity_years,
        face_fields=_clean_face_fields(face_fields),
        template=template,
        number_prefix=number_prefix.strip(),
    )
    audit.record(
        "certificates.type_created",
        actor=actor,
        subject=certificate_type,
        after={"name": name, "type_code": code, "holder_kind": holder_kind},
    )
    return certificate_type


# --- keys -------------------------------------------------------------------------------------


@transaction.atomic
def create_issuer_key(*, actor: Any, department: Department) -> IssuerKey:
    """Generate the department's new signing key; the previous one is retired, not deleted.

    This is both the first key and key rotation: new certificates are signed with the new key,
    and certificates signed before keep verifying with the retired one.
    """
    if not may_manage_keys(actor, department):
        raise PermissionDenied()
    locked = Department.objects.select_for_update().get(pk=department.pk)
    now = timezone.now()
    retired = list(
        IssuerKey.objects.filter(department=locked, retired_at__isnull=True).values_list(
            "key_id", flat=True
        )
    )
    IssuerKey.objects.filter(department=locked, retired_at__isnull=True).update(retired_at=now)
    key_id = f"key-{IssuerKey.objects.filter(department=locked).count() + 1}"
    private = Ed25519PrivateKey.generate()
    issuer_key = IssuerKey.objects.create(
        department=locked,
        key_id=key_id,
        public_multikey=public_key_to_multikey(private.public_key()),
        private_key_encrypted=encrypt_text(
            private_key_to_multikey(private), context=keys.key_context(locked.uscc, key_id)
        ),
    )
    audit.record(
        "certificates.issuer_key_created",
        actor=actor,
        subject=issuer_key,
        after={"key_id": key_id, "public_key": issuer_key.public_multikey, "retired": retired},
    )
    integration.anchor(
        "certificate.issuer_key",
        keys.controller_url(locked.uscc),
        {
            "department": locked.uscc,
            "keyId": key_id,
            "publicKeyMultibase": issuer_key.public_multikey,
            "retired": retired,
        },
    )
    return issuer_key


rotate_issuer_key = create_issuer_key


@transaction.atomic
def register_issuing_system(*, actor: Any, user: User, department: Department) -> IssuingSystem:
    """Let a system account (with an API token) issue certificates for one department."""
    if not (is_system(actor) or has_role(actor, Role.SYSTEM_ADMIN)):
        raise PermissionDenied()
    system, _created = IssuingSystem.objects.update_or_create(
        user=user, defaults={"department": department}
    )
    audit.record(
        "certificates.issuing_system_registered",
        actor=actor,
        subject=system,
        after={"user": user.username, "department": department.uscc},
    )
    return system


# --- issuance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The holder as the credential states it."""

    person: Person | None
    legal_person: LegalPerson | None
    name: str
    code: str
    code_type: str
    display_code: str
    kind: str


def holder_of(holder: Person | LegalPerson) -> Holder:
    """The name and code a certificate of `holder` carries."""
    if isinstance(holder, Person):
        number = decrypt_text(holder.document_encrypted, context=DOCUMENT_CONTEXT)
        return Holder(
            holder,
            None,
            holder.name,
            number,
            holder.document_type,
            holder.document_masked,
            HolderKind.PERSON,
        )
    if isinstance(holder, LegalPerson):
        return Holder(
            None,
            holder,
            holder.name,
            holder.uscc,
            HOLDER_CODE_USCC,
            holder.uscc,
            HolderKind.LEGAL_PERSON,
        )
    raise DomainError("holder_invalid", _("持证主体须为自然人或法人。"), field="holder")


def clean_face(certificate_type: CertificateType, face: Mapping[str, Any] | None) -> dict[str, Any]:
    """照面信息: only the type's fields, the required ones filled, short text or numbers."""
    face = dict(face or {})
    known = {f["name"]: f for f in certificate_type.face_fields}
    unknown = sorted(set(face) - set(known))
    if unknown:
        raise DomainError(
            "face_field_unknown",
            _("照面信息含有该证照类型未定义的字段：%(fields)s。"),
            params={"fields": "、".join(str(u) for u in unknown)},
            field="face",
        )
    cleaned: dict[str, Any] = {}
    for name, definition in known.items():
        value = face.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if definition.get("required", True):
                raise DomainError(
                    "face_field_required",
                    _("请填写照面信息「%(label)s」。"),
                    params={"label": definition["label"]},
                    field="face",
                )
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise DomainError(
                "face_field_invalid",
                _("照面信息「%(label)s」须为文字或数字。"),
                params={"label": definition["label"]},
                field="face",
            )
        if isinstance(value, str) and len(value) > MAX_FACE_VALUE:
            raise DomainError(
                "face_field_invalid",
                _("照面信息「%(label)s」过长。"),
                params={"label": definition["label"]},
                field="face",
            )
        cleaned[name] = value
    return cleaned


def _default_valid_until(
    certificate_type: CertificateType, issue_date: dt.date, valid_until: dt.date | None
) -> dt.date | None:
    if valid_until is not None:
        if valid_until < issue_date:
            raise DomainError(
                "validity_invalid", _("有效期止不能早于发证日期。"), field="valid_until"
            )
        return valid_until
    if certificate_type.validity_years is None:
        return None
    try:
        end = issue_date.replace(year=issue_date.year + certificate_type.validity_years)
    except ValueError:  # 29 February
        end = issue_date.replace(year=issue_date.year + certificate_type.validity_years, day=28)
    return end - dt.timedelta(days=1)


def serialise(credential: Mapping[str, Any]) -> str:
    """The stored and downloaded form of a credential (UTF-8 JSON, compact)."""
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def credential_of(certificate: Certificate) -> str:
    """The signed credential's JSON text, decrypted."""
    return decrypt_text(certificate.credential_encrypted, context=CREDENTIAL_CONTEXT)


def _record(
    certificate: Certificate,
    *,
    operation: str,
    before: str,
    reason: str,
    actor: Any,
    kind: str,
) -> CertificateEvent:
    event = CertificateEvent.objects.create(
        certificate=certificate,
        operation=operation,
        status_before=before,
        status_after=certificate.status,
        reason=reason,
        actor_label=_label(actor),
    )
    # Hashes and codes only: what the ledger holds is public, the holder's data is not.
    anchored = integration.anchor(
        f"certificate.{kind}",
        certificate.identifier,
        {
            "identifier": certificate.identifier,
            "operation": operation,
            "status": certificate.status,
            "credentialDigest": certificate.credential_digest,
            "at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    if anchored is not None:
        event.ledger_digest = anchored.digest
        event.ledger_entry_id = anchored.entry_id
        event.save(update_fields=["ledger_digest", "ledger_entry_id"])
    audit.record(
        f"certificates.{kind}",
        actor=actor,
        subject=certificate,
        before={"status": before} if before else None,
        after={"status": certificate.status, "operation": operation, "reason": reason},
    )
    return event


def issue_in_transaction(
    *,
    actor: Any,
    certificate_type: CertificateType,
    holder: Person | LegalPerson,
    issuer: Department,
    face: Mapping[str, Any] | None,
    case_project_no: str = "",
    valid_until: dt.date | None = None,
    issue_date: dt.date | None = None,
    certificate_number: str = "",
    serial: str | None = None,
    version: int = 1,
    previous: Certificate | None = None,
    operation: str = Operation.ISSUE,
    imported: bool = False,
) -> Certificate:
    """Issue one certificate version inside the caller's transaction (issue, renew, import)."""
    if not may_issue(actor, issuer):
        raise PermissionDenied()
    if not certificate_type.is_active:
        raise DomainError("type_inactive", _("该证照类型已停用。"), status=409)
    who = holder_of(holder)
    if who.kind != certificate_type.holder_kind:
        raise DomainError(
            "holder_kind_mismatch",
            _("该证照只能颁发给「%(kind)s」。"),
            params={"kind": HolderKind(certificate_type.holder_kind).label},
            field="holder",
        )
    cleaned_face = clean_face(certificate_type, face)
    if len(case_project_no) > 64:
        raise DomainError("case_invalid", _("办件编号过长。"), field="case_project_no")
    issue_date = issue_date or timezone.localdate()
    until = _default_valid_until(certificate_type, issue_date, valid_until)
    key = keys.active_key(issuer)
    if serial is None:
        sequence = numbering.next_value(f"certificates.serial.{issuer.uscc}.{issue_date.year}")
        serial = f"{issue_date:%Y}{sequence:08d}"
    try:
        identifier = make_identifier(certificate_type.type_code, issuer.uscc, serial, version)
    except IdentifierError as exc:
        raise DomainError(
            f"identifier_{exc.code}", _("证照标识无法生成：%(reason)s"), params={"reason": str(exc)}
        ) from exc
    if Certificate.objects.filter(identifier=identifier).exists():
        raise Conflict("certificate_exists", _("该证照标识已存在。"))
    if not certificate_number:
        sequence = numbering.next_value(
            f"certificates.number.{certificate_type.type_code}.{issuer.uscc}.{issue_date.year}"
        )
        region6 = issuer.region.code[:6]
        certificate_number = (
            f"{certificate_type.number_prefix}{region6}{issue_date:%Y}{sequence:06d}"
        )
    if len(certificate_number) > 80:
        raise DomainError(
            "certificate_number_invalid", _("证照编号过长。"), field="certificate_number"
        )
    list_number, index = status.allocate_index(issuer)
    claims = CertificateClaims(
        identifier=identifier,
        certificate_name=certificate_type.name,
        certificate_type=certificate_type.name,
        certificate_number=certificate_number,
        holder_name=who.name,
        holder_code=who.code,
        holder_code_type=who.code_type,
        issue_date=issue_date,
        valid_from=issue_date,
        valid_until=until,
        area_code=issuer.region.code[:6],
        face_data=cleaned_face,
        associated_identifier=previous.identifier if previous else None,
    )
    try:
        unsigned = build_certificate_credential(
            claims,
            credential_id=credential_url(f"{keys.public_base()}/certificates", identifier),
            issuer_id=keys.controller_url(issuer.uscc),
            issuer_name=issuer.name,
            credential_status=status.entries(issuer, list_number, index),
        )
    except CredentialError as exc:
        raise DomainError(
            f"credential_{exc.code}",
            _("证照数据不完整或不正确：%(reason)s"),
            params={"reason": str(exc)},
        ) from exc
    method = keys.verification_method_id(issuer.uscc, key.key_id)
    private_key = keys.private_key_of(key)
    signed = add_proof(unsigned, private_key, verification_method=method)
    text = serialise(signed)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    qr_claims = {
        "v": 1,
        "id": identifier,
        "n": certificate_number,
        "t": certificate_type.name,
        "h": who.name,
        "c": who.display_code,
        "i": issue_date.isoformat(),
        "u": until.isoformat() if until else None,
        "d": digest,
        "m": method,
    }
    certificate = Certificate.objects.create(
        identifier=identifier,
        serial=parse_identifier(identifier).serial,
        version=version,
        certificate_type=certificate_type,
        certificate_number=certificate_number,
        holder_person=who.person,
        holder_legal_person=who.legal_person,
        holder_name=who.name,
        holder_code_type=who.code_type,
        holder_code_display=who.display_code,
        issuer=issuer,
        face_data=cleaned_face,
        area_code=issuer.region.code[:6],
        issue_date=issue_date,
        valid_from=issue_date,
        valid_until=until,
        status=Status.VALID,
        previous_version=previous,
        credential_encrypted=encrypt_text(text, context=CREDENTIAL_CONTEXT),
        credential_digest=digest,
        verification_method=method,
        qr_token=sign_compact(qr_claims, private_key),
        status_index=index,
        status_list_number=list_number,
        case_project_no=case_project_no,
        imported=imported,
    )
    # The lists exist (signed, all zeros) from the first certificate on, so its status URLs work.
    for purpose in StatusPurpose.values:
        status.locked_list(issuer, purpose, list_number)
    kinds: dict[str, str] = {Operation.RENEW: "renewed", Operation.CHANGE: "changed"}
    kind = kinds.get(operation, "issued")
    if imported:
        kind = "imported"
    _record(certificate, operation=operation, before="", reason="", actor=actor, kind=kind)
    return certificate


@transaction.atomic
def issue_certificate(
    *,
    actor: Any,
    certificate_type: CertificateType,
    holder: Person | LegalPerson,
    issuer: Department,
    face: Mapping[str, Any] | None,
    case_project_no: str = "",
    valid_until: dt.date | None = None,
) -> Certificate:
    """制证签发: issue a certificate signed with the issuer's key (eddsa-jcs-2022)."""
    return issue_in_transaction(
        actor=actor,
        certificate_type=certificate_type,
        holder=holder,
        issuer=issuer,
        face=face,
        case_project_no=case_project_no,
        valid_until=valid_until,
    )


# --- lifecycle --------------------------------------------------------------------------------


def _locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update()
        .select_related("issuer", "certificate_type")
        .get(pk=certificate.pk)
    )


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if (required and not reason) or len(reason) > MAX_REASON:
        raise errors.reason_required()
    return reason


def _apply_status_bits(certificate: Certificate, before: str) -> None:
    issuer, number, index = (
        certificate.issuer,
        certificate.status_list_number,
        certificate.status_index,
    )
    suspended = certificate.status == Status.SUSPENDED
    if suspended or before == Status.SUSPENDED:
        status.set_status(issuer, StatusPurpose.SUSPENSION, number, index, suspended)
    if certificate.status in FINAL_STATUSES:
        status.set_status(issuer, StatusPurpose.REVOCATION, number, index, True)


def transition_in_transaction(
    certificate: Certificate, transition: str, *, actor: Any, reason: str, check: bool = True
) -> Certificate:
    """One lifecycle step inside the caller's transaction; `check=False` only for steps that
    follow from another the actor was allowed (a renewal's old version, an import's expiry)."""
    locked = _locked(certificate)
    if check and not may_issue(actor, locked.issuer):
        raise PermissionDenied()
    allowed, target, operation = TRANSITIONS[transition]
    if locked.status not in allowed:
        raise errors.wrong_status(locked.get_status_display(), str(TRANSITION_LABELS[transition]))
    before = locked.status
    locked.status = target
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    _apply_status_bits(locked, before)
    kind = EVENT_KINDS[transition]
    _record(locked, operation=operation, before=before, reason=reason, actor=actor, kind=kind)
    return locked


@transaction.atomic
def change_status(
    *, actor: Any, certificate: Certificate, transition: str, reason: str = ""
) -> Certificate:
    """One lifecycle step by name: suspend, reinstate, revoke, cancel, rescind, transfer."""
    if transition not in TRANSITIONS or transition == "expire":
        raise DomainError("transition_unknown", _("不支持的证照操作。"), field="operation")
    cleaned = _clean_reason(reason, required=transition != "reinstate")
    return transition_in_transaction(certificate, transition, actor=actor, reason=cleaned)


def suspend_certificate(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """暂扣."""
    return change_status(actor=actor, certificate=certificate, transition="suspend", reason=reason)


def reinstate_certificate(*, actor: Any, certificate: Certificate, reason: str = "") -> Certificate:
    """暂扣发还."""
    return change_status(
        actor=actor, certificate=certificate, transition="reinstate", reason=reason
    )


def revoke_certificate(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """撤销 (the grant was unlawful)."""
    return change_status(actor=actor, certificate=certificate, transition="revoke", reason=reason)


def cancel_certificate(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """注销 (the holder gave it up, or it ended by law)."""
    return change_status(actor=actor, certificate=certificate, transition="cancel", reason=reason)


def rescind_certificate(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """吊销 (an administrative penalty)."""
    return change_status(actor=actor, certificate=certificate, transition="rescind", reason=reason)


def transfer_certificate(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """办理转出 (the holder moved to another issuer's area)."""
    return change_status(actor=actor, certificate=certificate, transition="transfer", reason=reason)


def _new_version(
    *,
    actor: Any,
    certificate: Certificate,
    operation: str,
    face: Mapping[str, Any] | None,
    valid_until: dt.date | None,
    reason: str,
) -> Certificate:
    old = _locked(certificate)
    if not may_issue(actor, old.issuer):
        raise PermissionDenied()
    label = _("延续") if operation == Operation.RENEW else _("变更")
    if old.status != Status.VALID:
        raise errors.wrong_status(old.get_status_display(), str(label))
    holder: Person | LegalPerson | None = old.holder_person or old.holder_legal_person
    assert holder is not None  # the table's check constraint guarantees one holder
    new = issue_in_transaction(
        actor=actor,
        certificate_type=old.certificate_type,
        holder=holder,
        issuer=old.issuer,
        face={**old.face_data, **(face or {})},
        case_project_no=old.case_project_no,
        valid_until=valid_until,
        certificate_number=old.certificate_number,
        serial=old.serial,
        version=old.version + 1,
        previous=old,
        operation=operation,
    )
    superseded = _("已由新版本 %(identifier)s 替代") % {"identifier": new.identifier}
    transition_in_transaction(
        old, "expire", actor=actor, reason=reason or str(superseded), check=False
    )
    return new


@transaction.atomic
def renew_certificate(
    *,
    actor: Any,
    certificate: Certificate,
    valid_until: dt.date | None = None,
    face: Mapping[str, Any] | None = None,
    reason: str = "",
) -> Certificate:
    """延续: a new version (same serial, version + 1) with a new validity; the old one lapses."""
    return _new_version(
        actor=actor,
        certificate=certificate,
        operation=Operation.RENEW,
        face=face,
        valid_until=valid_until,
        reason=_clean_reason(reason, required=False),
    )


@transaction.atomic
def change_certificate(
    *, actor: Any, certificate: Certificate, face: Mapping[str, Any], reason: str
) -> Certificate:
    """变更: a new version with changed face data, linked to the old one, which lapses."""
    old = Certificate.objects.get(pk=certificate.pk)
    return _new_version(
        actor=actor,
        certificate=certificate,
        operation=Operation.CHANGE,
        face=face,
        valid_until=old.valid_until,
        reason=_clean_reason(reason, required=True),
    )


@transaction.atomic
def expire_due_certificates(*, actor: Any, today: dt.date | None = None) -> int:
    """过期失效: end every certificate whose validity ended before `today` (a daily task)."""
    today = today or timezone.localdate()
    due = Certificate.objects.filter(
        status__in=[Status.VALID, Status.SUSPENDED], valid_until__lt=today
    ).order_by("id")
    count = 0
    for certificate in due:
        transition_in_transaction(certificate, "expire", actor=actor, reason=str(_("有效期届满")))
        count += 1
    return count


def find_holder(code_type: str, code: str) -> Person | LegalPerson | None:
    """The registered holder with this code (001: USCC; else a person's document type)."""
    from yiwang.identity.actions import find_person

    if code_type == HOLDER_CODE_USCC:
        return LegalPerson.objects.filter(uscc=check_uscc(code, field="holder_code")).first()
    return find_person(code_type, code)


# --- sharing and use --------------------------------------------------------------------------


def share_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def share_certificate(
    *, actor: Any, certificate: Certificate, purpose: str, days: int
) -> tuple[CertificateShare, str]:
    """分享: a link for a stated purpose that expires; the raw token is returned once."""
    if not holds(actor, certificate):
        raise PermissionDenied()
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > MAX_REASON:
        raise DomainError("purpose_required", _("请说明用途（不超过 200 字）。"), field="purpose")
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (1 <= days <= settings.YIWANG_SHARE_MAX_DAYS)
    ):
        raise DomainError(
            "share_days_invalid",
            _("分享有效期须为 1 至 %(max)d 天。"),
            params={"max": settings.YIWANG_SHARE_MAX_DAYS},
            field="days",
        )
    if certificate.status != Status.VALID:
        raise errors.wrong_status(certificate.get_status_display(), str(_("分享")))
    raw = secrets.token_urlsafe(24)
    share = CertificateShare.objects.create(
        certificate=certificate,
        token_hash=share_token_hash(raw),
        purpose=purpose,
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        "certificates.shared",
        actor=actor,
        subject=share,
        after={"certificate": certificate.identifier, "purpose": purpose, "days": days},
    )
    return share, raw


@transaction.atomic
def revoke_share(*, actor: Any, share: CertificateShare) -> CertificateShare:
    """Withdraw a share link before it expires."""
    if not holds(actor, share.certificate):
        raise PermissionDenied()
    locked = CertificateShare.objects.select_for_update().get(pk=share.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record("certificates.share_revoked", actor=actor, subject=locked)
    return locked


def record_use(
    *,
    certificate: Certificate,
    kind: str,
    purpose: str,
    actor: Any,
    case_project_no: str = "",
    share: CertificateShare | None = None,
) -> CertificateUse:
    """用证记录: log one use; the holder sees it in the wallet (call inside a transaction)."""
    return CertificateUse.objects.create(
        certificate=certificate,
        kind=kind,
        purpose=purpose[:MAX_REASON],
        case_project_no=case_project_no[:64],
        share=share,
        actor=_user(actor),
        actor_label=_label(actor),
    )


@transaction.atomic
def open_share(*, actor: Any, raw_token: str, kind: str = UseKind.SHARE_VIEW) -> CertificateShare:
    """Someone opens a share link: refused once expired or withdrawn; logged as a use."""
    share = (
        CertificateShare.objects.select_related("certificate", "certificate__issuer")
        .filter(token_hash=share_token_hash(raw_token or ""))
        .first()
    )
    if share is None or share.revoked_at is not None or share.expires_at <= timezone.now():
        raise errors.share_unavailable()
    record_use(
        certificate=share.certificate, kind=kind, purpose=share.purpose, actor=actor, share=share
    )
    return share


# The import action lives with the file reader; re-exported so callers find every action here.
from yiwang.certificates.importing import (  # noqa: E402
    ImportRefused,
    RowError,
    import_certificates,
)

__all__ = ["ImportRefused", "RowError", "import_certificates"]
