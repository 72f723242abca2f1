"""Data subjects (the person or organisation a record is about), keyed without their number.

A person is keyed by identity's own document hash (HMAC with the city's lookup key), so the
exchange's log can be matched to the citizen's account for "who used my data" without any
identity number being stored by the exchange.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.core.crypto import lookup_hash, mask_number
from yiwang.core.errors import DomainError
from yiwang.core.national_numbers import check_uscc
from yiwang.identity.actions import clean_document, document_hash
from yiwang.identity.choices import DocumentType
from yiwang.identity.models import LegalPerson, Person

USCC = "uscc"


def _parts(subject: Mapping[str, Any]) -> tuple[str, str]:
    kind = str(subject.get("type", ""))
    number = str(subject.get("number", ""))
    if not kind or not number:
        raise DomainError("subject_invalid", _("数据主体须有证件类型和号码。"), field="subject")
    return kind, number


def subject_hash(subject: Mapping[str, Any]) -> str:
    """The key of a subject: {"type": "111", "number": …} or {"type": "uscc", "number": …}."""
    kind, number = _parts(subject)
    if kind == USCC:
        return lookup_hash(
            f"uscc:{check_uscc(number, field='subject')}", context="exchange.subject"
        )
    if kind in DocumentType.values:
        return document_hash(kind, clean_document(kind, number))
    raise DomainError("subject_invalid", _("不支持的数据主体证件类型。"), field="subject")


def subject_label(subject: Mapping[str, Any]) -> str:
    """How a subject is shown: masked, except an organisation's public USCC."""
    kind, number = _parts(subject)
    return number if kind == USCC else mask_number(number)


def person_hash(person: Person) -> str:
    return person.document_hash


def legal_person_hash(company: LegalPerson) -> str:
    return lookup_hash(f"uscc:{company.uscc}", context="exchange.subject")
