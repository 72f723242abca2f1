"""Checking a certificate: signature, issuer, status (from the signed status list), validity,
and the ledger's inclusion receipts. Used by the public page, the API and the VC API.

Nothing here is fetched from the network: keys and status lists of this platform are read from
its database; a credential whose keys or lists live elsewhere reports them as unknown.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.certificates import integration, keys
from yiwang.certificates.actions import credential_of
from yiwang.certificates.choices import Status
from yiwang.certificates.models import Certificate, CertificateEvent, StatusList
from yiwang.certificates.vc.credential import validity_problem
from yiwang.certificates.vc.dataintegrity import (
    chain_resolvers,
    did_key_resolver,
    verify,
)
from yiwang.certificates.vc.status_list import (
    REVOCATION,
    SUSPENSION,
    BitstringStatusList,
    StatusListError,
)
from yiwang.core.crypto import mask_number

RESOLVER = chain_resolvers(keys.RESOLVER, did_key_resolver)
_LIST_URL = re.compile(r"^/certificates/status/([0-9A-Z]{18})/(revocation|suspension)/(\d{1,6})$")
MAX_DOCUMENT_BYTES = 64 * 1024

SIGNATURE_MESSAGES = {
    None: _("签名有效，内容未被改动。"),
    "proof_missing": _("没有签名。"),
    "malformed_document": _("不是有效的证照文件。"),
    "malformed_proof": _("签名格式不正确。"),
    "unsupported_proof_type": _("不支持的签名类型。"),
    "unsupported_cryptosuite": _("不支持的签名算法。"),
    "unknown_key": _("签名密钥不是已知的发证机关密钥。"),
    "bad_signature": _("签名与内容不符：证照内容已被改动或签名伪造。"),
    "proof_purpose_mismatch": _("签名用途不符。"),
    "proof_expired": _("签名已过期。"),
    "context_mismatch": _("签名的上下文与文件不一致。"),
    "context_not_available": _("文件引用了平台未收录的 JSON-LD 上下文。"),
    "undefined_term": _("文件含有未定义的字段。"),
    "too_complex": _("文件过于复杂，拒绝处理。"),
    "previous_proof_missing": _("签名链不完整。"),
}
STATUS_MESSAGES = {
    "valid": _("状态列表显示：未撤销、未暂扣。"),
    "revoked": _("状态列表显示：已撤销、注销、吊销、失效或转出。"),
    "suspended": _("状态列表显示：已暂扣。"),
    "unknown": _("无法确认状态：状态列表不在本平台或无效。"),
}
VALIDITY_MESSAGES = {
    None: _("在有效期内。"),
    "expired": _("已超过有效期。"),
    "not_yet_valid": _("尚未生效。"),
    "malformed_validity": _("有效期格式不正确。"),
}


@dataclass
class VerificationReport:
    """Everything a verifier is told about one credential."""

    verified: bool
    signature_ok: bool
    signature_code: str | None
    verification_method: str | None
    cryptosuite: str | None
    issuer_ok: bool
    issuer_name: str
    issuer_code: str
    status: str  # valid / revoked / suspended / unknown: from the signed status lists
    validity: str | None  # None when in force
    face: dict[str, Any]
    certificate: Certificate | None = None
    ledger_available: bool = False
    ledger: list[dict[str, Any]] = field(default_factory=list)

    @property
    def signature_message(self) -> str:
        return str(SIGNATURE_MESSAGES.get(self.signature_code, _("签名无效。")))

    @property
    def status_message(self) -> str:
        return str(STATUS_MESSAGES[self.status])

    @property
    def validity_message(self) -> str:
        return str(VALIDITY_MESSAGES.get(self.validity, VALIDITY_MESSAGES["malformed_validity"]))

    @property
    def record_status(self) -> str | None:
        """The issuer's own record of the status (more precise than the list's two bits)."""
        return self.certificate.status if self.certificate else None

    def as_dict(self) -> dict[str, Any]:
        certificate = self.certificate
        body: dict[str, Any] = {
            "verified": self.verified,
            "checks": {
                "signature": {
                    "ok": self.signature_ok,
                    "code": self.signature_code,
                    "message": self.signature_message,
                    "verificationMethod": self.verification_method,
                    "cryptosuite": self.cryptosuite,
                },
                "issuer": {
                    "ok": self.issuer_ok,
                    "name": self.issuer_name,
                    "code": self.issuer_code,
                },
                "status": {"value": self.status, "message": self.status_message},
                "validity": {
                    "ok": self.validity is None,
                    "code": self.validity,
                    "message": self.validity_message,
                },
            },
            "certificate": self.face,
            "record": None,
            "ledger": {"available": self.ledger_available, "entries": self.ledger},
        }
        if certificate is not None:
            newer = getattr(certificate, "next_version", None) if certificate.pk else None
            body["record"] = {
                "status": certificate.status,
                "statusLabel": str(certificate.get_status_display()),
                "reason": certificate.status_reason,
                "version": certificate.version,
                "previousVersion": certificate.previous_version.identifier
                if certificate.previous_version
                else None,
                "nextVersion": newer.identifier if newer else None,
            }
        return body


def _list_key(url: str) -> tuple[str, str, int] | None:
    """(department USCC, purpose, number) of one of our status list URLs, else None."""
    for base in keys.known_bases():
        if url.startswith(base):
            match = _LIST_URL.match(url[len(base) :])
            if match:
                uscc, purpose, number = match.groups()
                return uscc, purpose, int(number)
    return None


def _lists_for(wanted: list[tuple[str, str, int]]) -> dict[tuple[str, str, int], StatusList]:
    """The named status lists in one query (a certificate's two lists share issuer and number)."""
    condition = Q()
    for uscc, purpose, number in set(wanted):
        condition |= Q(department__uscc=uscc, purpose=purpose, number=number)
    rows = StatusList.objects.filter(condition).select_related("department")
    return {(row.department.uscc, row.purpose, row.number): row for row in rows}


class _VerifiedLists:
    """Status lists whose proof has been checked, keyed by the digest of their signed text."""

    _lock = threading.Lock()
    _cache: dict[str, tuple[str, BitstringStatusList]] = {}

    def get(self, row: StatusList) -> tuple[str, BitstringStatusList] | None:
        key = hashlib.sha256(row.credential_json.encode()).hexdigest()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        try:
            credential = json.loads(row.credential_json)
        except ValueError:
            return None
        if not verify(credential, keys.RESOLVER).verified:
            return None
        issuer = credential.get("issuer", {})
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        try:
            bits = BitstringStatusList.decode(credential["credentialSubject"]["encodedList"])
        except (KeyError, TypeError, StatusListError):
            return None
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (str(issuer_id), bits)
        return self._cache[key]


VERIFIED_LISTS = _VerifiedLists()


def _status_from_lists(document: dict[str, Any], issuer_id: str) -> str:
    entries = document.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries] if entries else []
    if not entries or len(entries) > 4:
        return "unknown"
    checks: list[tuple[tuple[str, str, int], str, int]] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            return "unknown"
        url, index_text = entry.get("statusListCredential"), entry.get("statusListIndex")
        purpose = entry.get("statusPurpose")
        if not isinstance(url, str) or not isinstance(index_text, str) or not index_text.isdigit():
            return "unknown"
        key = _list_key(url)
        if key is None or key[1] != purpose:
            return "unknown"
        checks.append((key, purpose, int(index_text)))
    rows = _lists_for([key for key, _purpose, _index in checks])
    result = "valid"
    for key, purpose, index in checks:
        row = rows.get(key)
        verified = VERIFIED_LISTS.get(row) if row is not None else None
        # A list signed by someone else cannot speak for this issuer's credential.
        if verified is None or verified[0] != issuer_id:
            return "unknown"
        try:
            bit = verified[1].get(index)
        except StatusListError:
            return "unknown"
        if bit and purpose == REVOCATION:
            return "revoked"
        if bit and purpose == SUSPENSION:
            result = "suspended"
    return result


def public_face(document: dict[str, Any]) -> dict[str, Any]:
    """What the certificate states on its face, with a natural person's code masked."""
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    code = subject.get("holderCode")
    code_type = subject.get("holderCodeType")
    if isinstance(code, str) and code_type != "001":
        code = mask_number(code)
    face = subject.get("faceData")
    return {
        "name": document.get("name"),
        "identifier": subject.get("certificateIdentifier"),
        "certificateNumber": subject.get("certificateNumber"),
        "certificateTypeCode": subject.get("certificateTypeCode"),
        "holderName": subject.get("holderName"),
        "holderCode": code,
        "holderCodeType": code_type,
        "issuerName": issuer.get("name"),
        "issuerCode": issuer.get("issueDeptCode"),
        "issueDate": subject.get("issueDate"),
        "validFrom": document.get("validFrom"),
        "validUntil": document.get("validUntil"),
        "longTermValid": subject.get("longTermValid"),
        "faceData": face if isinstance(face, dict) else {},
    }


def _ledger_entries(certificate: Certificate) -> list[dict[str, Any]]:
    entries = []
    events = CertificateEvent.objects.filter(certificate=certificate).exclude(ledger_digest="")
    for event in events:
        entries.append(
            {
                "operation": event.operation,
                "at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "digest": event.ledger_digest,
                "receipt": integration.ledger_receipt(event.ledger_entry_id),
            }
        )
    return entries


def verify_document(
    document: Any, *, now: datetime | None = None, known: Certificate | None = None
) -> VerificationReport:
    """Verify a credential someone holds; never raises on bad input.

    `known` is our record of the certificate when the caller already has it (saves a query);
    it is used only if the verified credential names the same identifier.
    """
    now = now or datetime.now(UTC)
    if not isinstance(document, dict):
        document = {}
    result = verify(document, RESOLVER, now=now)
    proof = result.proofs[0] if result.proofs else None
    method = proof.verification_method if proof else None
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    issuer_code = issuer.get("issueDeptCode", "") if isinstance(issuer, dict) else ""
    # The key must be the issuer's own: its controller is the credential's issuer.
    issuer_ok = bool(
        result.verified
        and isinstance(issuer_id, str)
        and all(
            p.verification_method and p.verification_method.split("#")[0] == issuer_id
            for p in result.proofs
        )
    )
    parsed = keys.parse_verification_method(method) if method else None
    if parsed is not None and issuer_ok:
        issuer_ok = parsed[1] == issuer_code
    status = _status_from_lists(document, str(issuer_id)) if issuer_ok else "unknown"
    validity = validity_problem(document, now)
    face = public_face(document)
    certificate = None
    subject = document.get("credentialSubject")
    identifier = subject.get("certificateIdentifier") if isinstance(subject, dict) else None
    if issuer_ok and isinstance(identifier, str) and parsed is not None:
        if known is not None and known.identifier == identifier:
            certificate = known
        else:
            certificate = (
                Certificate.objects.select_related("previous_version", "next_version")
                .filter(identifier=identifier)
                .first()
            )
    report = VerificationReport(
        verified=result.verified and issuer_ok and status == "valid" and validity is None,
        signature_ok=result.verified,
        signature_code=result.error_code,
        verification_method=method,
        cryptosuite=proof.cryptosuite if proof else None,
        issuer_ok=issuer_ok,
        issuer_name=str(issuer_name),
        issuer_code=str(issuer_code),
        status=status,
        validity=validity,
        face=face,
        certificate=certificate,
    )
    if certificate is not None:
        if certificate.status != Status.VALID:
            report.verified = False
        report.ledger_available = integration.ledger_available()
        if report.ledger_available:
            report.ledger = _ledger_entries(certificate)
    return report


def verify_certificate(
    certificate: Certificate, *, now: datetime | None = None
) -> VerificationReport:
    """Verify one of our certificates from its stored credential."""
    return verify_document(json.loads(credential_of(certificate)), now=now, known=certificate)
