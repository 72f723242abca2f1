"""Pre-filling application forms from the applicant's profile and certificates.

A form field's `prefill` names its source: ``profile:<name>`` is answered here from the
account, the natural person or the legal person; other prefixes ask a registered source:

    from yiwang.cases.prefill import register_prefill_source
    register_prefill_source("certificate", source)   # source(applicant, "<type>:<field>")

A source that fails or knows nothing returns None, and the field is left for the applicant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from yiwang.identity.models import LegalPerson, Person

logger = logging.getLogger(__name__)

Source = Callable[[Any, str], str | None]
_sources: dict[str, Source] = {}


def register_prefill_source(prefix: str, source: Source) -> None:
    _sources[prefix] = source


def unregister_prefill_source(prefix: str) -> None:
    _sources.pop(prefix, None)


def _profile(user: Any, applicant: Person | LegalPerson | None, name: str) -> str | None:
    if isinstance(applicant, LegalPerson):
        values = {
            "name": applicant.name,
            "uscc": applicant.uscc,
            "legal_representative": applicant.legal_representative,
            "mobile": getattr(user, "phone", "") or "",
        }
    else:
        region = getattr(applicant, "region", None)
        birth = getattr(applicant, "birth_date", None)
        values = {
            "name": getattr(applicant, "name", "") or "",
            "mobile": getattr(user, "phone", "") or "",
            "address": getattr(region, "full_name", "") or getattr(region, "name", "") or "",
            "birth_date": birth.isoformat() if birth else "",
        }
    return values.get(name) or None


def prefill_values(
    user: Any, applicant: Person | LegalPerson | None, fields: Iterable[Any]
) -> dict[str, str]:
    """{key: value} for each field (FormField or merged field) whose source knows a value."""
    values: dict[str, str] = {}
    for form_field in fields:
        spec = str(getattr(form_field, "prefill", "") or "")
        prefix, _sep, rest = spec.partition(":")
        if not prefix or not rest:
            continue
        value: str | None
        if prefix == "profile":
            value = _profile(user, applicant, rest)
        else:
            source = _sources.get(prefix)
            if source is None or applicant is None:
                continue
            try:
                value = source(applicant, rest)
            except Exception:  # a broken source means "type it in", never a failed page
                logger.exception("prefill source %s failed", prefix)
                continue
        if value:
            values[form_field.key] = str(value)
    return values


def applicant_of(user: Any, legal_person: LegalPerson | None = None) -> Person | LegalPerson | None:
    if legal_person is not None:
        return legal_person
    return Person.objects.filter(user=user).first() if getattr(user, "pk", None) else None


def filled_form(
    user: Any,
    applicant: Person | LegalPerson | None,
    fields: Sequence[Any],
    given: Mapping[str, Any],
) -> dict[str, Any]:
    """The application form as submitted: what the applicant typed, what they left empty
    taken from their profile and certificates, then checked field by field."""
    from yiwang.catalog.bundles import clean_form_values

    typed = {k: v for k, v in given.items() if v not in (None, "")}
    return clean_form_values(fields, prefill_values(user, applicant, fields) | typed)
