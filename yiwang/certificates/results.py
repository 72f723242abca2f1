"""What cases call: issue the result certificate of a granted case, and offer a valid
certificate the applicant holds instead of an upload (免提交).

Both take objects of the cases and catalogue apps and read them by attribute, so the code has
no import of the cases app; integration.register_with_cases() registers them when it exists.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.choices import MaterialSource, ResultType
from yiwang.certificates import actions, integration
from yiwang.certificates.choices import UseKind
from yiwang.certificates.models import Certificate
from yiwang.certificates.queries import certificate_type_by_code, valid_certificate_of_type
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import LegalPerson, Person

logger = logging.getLogger("yiwang.certificates")


def _task_version(case: Any) -> Any:
    return getattr(case, "task_version", None) or getattr(case, "version", None)


def _holder_of_case(case: Any) -> Person | LegalPerson | None:
    """The applicant the certificate is issued to: the legal person if any, else the person."""
    legal = getattr(case, "applicant_legal_person", None)
    if isinstance(legal, LegalPerson):
        return legal
    person = getattr(case, "applicant_person", None)
    if isinstance(person, Person):
        return person
    applicant = getattr(case, "applicant", None)
    if isinstance(applicant, Person | LegalPerson):
        return applicant
    user = getattr(applicant, "person", None)
    return user if isinstance(user, Person) else None


def issue_for_case(case: Any, actor: Any) -> str | None:
    """Result issuer for cases: issue (once) the certificate a granted case produces.

    Returns the identifier, or None when the item's result is not a certificate. A retry for
    the same case returns the certificate issued the first time.
    """
    version = _task_version(case)
    code = getattr(version, "result_certificate_type_code", "") if version else ""
    if not code or getattr(version, "result_type", None) != ResultType.CERTIFICATE:
        return None
    project_no = str(getattr(case, "project_no", "") or getattr(case, "projid", "") or "")
    certificate_type = certificate_type_by_code(code)
    if certificate_type is None:
        logger.warning("case %s: no certificate type %s", project_no, code)
        return None
    existing = Certificate.objects.filter(
        case_project_no=project_no, certificate_type=certificate_type
    ).first()
    if project_no and existing is not None:
        return existing.identifier
    holder = _holder_of_case(case)
    if holder is None:
        logger.warning("case %s: no applicant to issue a certificate to", project_no)
        return None
    issuer = getattr(case, "department", None) or version.task.department
    face = getattr(case, "result_face_data", None) or getattr(case, "form_data", None) or {}
    names = {f["name"] for f in certificate_type.face_fields}
    certificate = actions.issue_certificate(
        actor=actor,
        certificate_type=certificate_type,
        holder=holder,
        issuer=issuer,
        face={k: v for k, v in dict(face).items() if k in names},
        case_project_no=project_no,
    )
    return certificate.identifier


def face_fields_for(version: Any) -> list[dict[str, Any]]:
    """The face fields (name, label, required) a certificate item's applicant fills in."""
    code = getattr(version, "result_certificate_type_code", "")
    if not code or getattr(version, "result_type", None) != ResultType.CERTIFICATE:
        return []
    certificate_type = certificate_type_by_code(code)
    if certificate_type is None:
        return []
    return [
        {"name": f["name"], "label": f["label"], "required": f.get("required", True)}
        for f in certificate_type.face_fields
    ]


def _applicant_ids(applicant: Any) -> tuple[int | None, int | None]:
    if isinstance(applicant, LegalPerson):
        return None, applicant.pk
    if isinstance(applicant, Person):
        return applicant.pk, None
    person = getattr(applicant, "person", None)  # a citizen's User
    if isinstance(person, Person):
        return person.pk, None
    return None, None


def provide_material(applicant: Any, material: Any) -> Any:
    """Material provider for 免提交: the applicant's valid certificate of the required type.

    `applicant` is a Person, a LegalPerson or a citizen's User; `material` a catalogue
    Material whose source is a certificate. The use is logged for the holder to see.
    """
    if getattr(material, "source_type", None) != MaterialSource.CERTIFICATE:
        return None
    code = getattr(material, "source_certificate_type_code", "")
    if not code:
        return None
    person_id, legal_person_id = _applicant_ids(applicant)
    certificate = valid_certificate_of_type(
        person_id=person_id, legal_person_id=legal_person_id, type_code=code
    )
    if certificate is None or (
        certificate.valid_until is not None and certificate.valid_until < timezone.localdate()
    ):
        return None
    label = str(getattr(material, "material_name", "") or certificate.certificate_type.name)
    version = getattr(material, "version", None)
    item = getattr(version, "task_name", "") if version is not None else ""
    with transaction.atomic():
        actions.record_use(
            certificate=certificate,
            kind=UseKind.REUSE,
            purpose=f"{item}：{label}" if item else label,
            actor=applicant if getattr(applicant, "is_authenticated", False) else SYSTEM,
        )
    return integration.reused_material(
        reference=certificate.identifier, digest=certificate.credential_digest, label=label
    )


@transaction.atomic
def record_case_reuse(*, reference: str, case_project_no: str, purpose: str, actor: Any) -> bool:
    """Log that a case now cites a reused certificate (call once the case has its number).

    Returns False when `reference` is not one of our certificates.
    """
    certificate = Certificate.objects.filter(identifier=reference).first()
    if certificate is None:
        return False
    actions.record_use(
        certificate=certificate,
        kind=UseKind.REUSE,
        purpose=purpose,
        actor=actor,
        case_project_no=case_project_no,
    )
    return True


def prefill_from_certificate(applicant: Any, spec: str) -> str | None:
    """Prefill source ``certificate:<type code>:<face field>``: a face value of the
    applicant's newest valid certificate of that type (None when they hold none)."""
    code, _sep, name = spec.partition(":")
    if not code or not name:
        return None
    person_id, legal_person_id = _applicant_ids(applicant)
    certificate = valid_certificate_of_type(
        person_id=person_id, legal_person_id=legal_person_id, type_code=code
    )
    if certificate is None:
        return None
    value = (certificate.face_data or {}).get(name)
    return None if value in (None, "") else str(value)
