"""A Chinese electronic certificate (电子证照) as a W3C Verifiable Credential 2.0.

The national catalogue fields (`up_lic_data`, GB/T 36902/36903) map to camelCase terms defined by
the Yiwang context shipped at `contexts/yiwang-v1.jsonld`:

    certificate_name        -> name                 issue_dept      -> issuer.name
    certificate_type        -> certificateType      issue_dept_code -> issuer.issueDeptCode
    certificate_type_code   -> certificateTypeCode  issue_date      -> issueDate
    certificate_number      -> certificateNumber    certificate_area_code -> certificateAreaCode
    certificate_source_id   -> certificateIdentifier (the GB/T 36904 identifier)
    certificate_holder      -> holderName           certificate_holder_code -> holderCode
    certificate_holder_type -> holderCodeType       (GB/T 36903 附录A: 111 ID card, 001 USCC)
    有效期起/止 -> validFrom/validUntil             长期有效 -> longTermValid
    照面信息 -> faceData (a JSON literal)
    associatedZzeCertID (predecessor on 延续/变更/转入) -> associatedCertificateIdentifier

The credential `id` is an HTTPS URL ending in the GB/T 36904 identifier, not `urn:oid:`: RFC 3061
OIDs are digits only, and the identifier's USCC and serial fields contain letters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Final

from stdnum.cn import ric, uscc

from .canonical import issuer_dependent_terms
from .identifier import IdentifierError, parse_identifier
from .loader import CREDENTIALS_V2_URL, YIWANG_CERTIFICATE_V1_URL, OfflineDocumentLoader

CREDENTIAL_TYPE: Final = "ChineseElectronicCertificate"
CONTEXTS: Final = (CREDENTIALS_V2_URL, YIWANG_CERTIFICATE_V1_URL)
# Legal dates of Chinese certificates are Beijing dates.
CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
# GB/T 36903 附录A holder code types whose checksum we can check.
HOLDER_CODE_ID_CARD: Final = "111"  # 公民身份号码
HOLDER_CODE_USCC: Final = "001"  # 统一社会信用代码

# credentialSubject term -> national exchange field (up_lic_data).
_SUBJECT_FIELDS: Final = {
    "certificateIdentifier": "certificate_source_id",
    "certificateNumber": "certificate_number",
    "certificateType": "certificate_type",
    "certificateTypeCode": "certificate_type_code",
    "holderName": "certificate_holder",
    "holderCode": "certificate_holder_code",
    "holderCodeType": "certificate_holder_type",
    "issueDate": "issue_date",
    "certificateAreaCode": "certificate_area_code",
}


class CredentialError(ValueError):
    """Certificate data that cannot become a credential; `code` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class CertificateClaims:
    """What a certificate states, in the national field list's terms."""

    identifier: str  # GB/T 36904 电子证照标识 (certificate_source_id)
    certificate_name: str
    certificate_type: str
    certificate_number: str
    holder_name: str
    holder_code: str
    holder_code_type: str
    issue_date: date
    valid_from: date | datetime
    valid_until: date | datetime | None = None  # None: 长期有效 (valid without end)
    area_code: str | None = None
    face_data: Mapping[str, Any] = field(default_factory=dict)
    associated_identifier: str | None = None  # the predecessor on 延续/变更/转入
    holder_id: str | None = None  # a DID or URL of the holder, when the holder has one


def credential_url(base_url: str, identifier: str) -> str:
    """The credential id: `base_url` + '/' + the GB/T 36904 identifier."""
    return f"{base_url.rstrip('/')}/{identifier}"


def _start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return _aware(value)
    return datetime.combine(value, time(0, 0, 0), CHINA_TZ)


def _end(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return _aware(value)
    # A certificate valid "until 2030-05-21" is valid for all of that Beijing day.
    return datetime.combine(value, time(23, 59, 59), CHINA_TZ)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise CredentialError("naive_datetime", "datetimes must carry a time zone")
    return value.replace(microsecond=0)


def _resident_id_ok(code: str) -> bool:
    """GB 11643 format, check character and a real birth date.

    Not `ric.is_valid`: it also demands that the 6-digit place code existed in the birth year,
    which refuses real residents whose district got its code after they were born
    (docs/adr/0004).
    """
    if not isinstance(code, str) or len(code) != 18 or not code[:17].isdigit():
        return False
    if ric.calc_check_digit(code) != code[17]:
        return False
    try:
        ric.get_birth_date(code)
    except ValueError:
        return False
    return True


def _check_holder_code(code_type: str, code: str) -> None:
    if not (len(code_type) == 3 and code_type.isdigit()):
        raise CredentialError("bad_holder_code_type", "holder code type must be 3 digits")
    if code_type == HOLDER_CODE_ID_CARD and not _resident_id_ok(code):
        raise CredentialError("bad_holder_code", "holder ID number fails its checksum")
    if code_type == HOLDER_CODE_USCC and not uscc.is_valid(code):
        raise CredentialError("bad_holder_code", "holder USCC fails its checksum")


def build_certificate_credential(
    claims: CertificateClaims,
    *,
    credential_id: str,
    issuer_id: str,
    issuer_name: str,
    credential_status: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An unsigned VC 2.0 credential for `claims`, issued by department `issuer_id`."""
    try:
        parsed = parse_identifier(claims.identifier)
        if claims.associated_identifier is not None:
            parse_identifier(claims.associated_identifier)
    except IdentifierError as exc:
        raise CredentialError(f"identifier_{exc.code}", str(exc)) from exc
    _check_holder_code(claims.holder_code_type, claims.holder_code)
    if claims.valid_until is not None and _end(claims.valid_until) < _start(claims.valid_from):
        raise CredentialError("bad_validity", "validUntil is before validFrom")

    subject: dict[str, Any] = {}
    if claims.holder_id is not None:
        subject["id"] = claims.holder_id
    subject.update(
        {
            "type": "CertificateHolder",
            "holderName": claims.holder_name,
            "holderCode": claims.holder_code,
            "holderCodeType": claims.holder_code_type,
            "certificateIdentifier": parsed.value,
            "certificateNumber": claims.certificate_number,
            "certificateType": claims.certificate_type,
            "certificateTypeCode": parsed.type_code,
            "issueDate": claims.issue_date.isoformat(),
            "longTermValid": claims.valid_until is None,
        }
    )
    if claims.area_code is not None:
        subject["certificateAreaCode"] = claims.area_code
    if claims.face_data:
        subject["faceData"] = dict(claims.face_data)
    if claims.associated_identifier is not None:
        subject["associatedCertificateIdentifier"] = claims.associated_identifier

    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": claims.certificate_name,
        "issuer": {"id": issuer_id, "name": issuer_name, "issueDeptCode": parsed.issuer_uscc},
        "validFrom": _start(claims.valid_from).isoformat(),
    }
    if claims.valid_until is not None:
        credential["validUntil"] = _end(claims.valid_until).isoformat()
    credential["credentialSubject"] = subject
    if credential_status:
        statuses = [dict(entry) for entry in credential_status]
        credential["credentialStatus"] = statuses[0] if len(statuses) == 1 else statuses
    return credential


def national_fields(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The `up_lic_data` fields a certificate credential carries (for the national exchange)."""
    subject = credential.get("credentialSubject")
    issuer = credential.get("issuer")
    if not isinstance(subject, Mapping) or not isinstance(issuer, Mapping):
        raise CredentialError("not_a_certificate", "credential has no subject or issuer object")
    fields = {
        national: subject[term] for term, national in _SUBJECT_FIELDS.items() if term in subject
    }
    fields["certificate_name"] = credential.get("name")
    fields["issue_dept"] = issuer.get("name")
    fields["issue_dept_code"] = issuer.get("issueDeptCode")
    return fields


def undefined_terms(
    credential: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> list[str]:
    """Terms no context defines (VC 2.0 maps them to its issuer-dependent fallback vocabulary)."""
    return issuer_dependent_terms(credential, loader=loader)


def validity_problem(credential: Mapping[str, Any], now: datetime) -> str | None:
    """'not_yet_valid', 'expired' or 'malformed_validity' at aware `now`, or None when in force."""
    _aware(now)
    try:
        start = _parse(credential.get("validFrom"))
        end = _parse(credential.get("validUntil"))
    except ValueError:
        return "malformed_validity"
    if start is not None and now < start:
        return "not_yet_valid"
    if end is not None and now > end:
        return "expired"
    return None


def _parse(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed
