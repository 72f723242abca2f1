"""Result issuing: a granted case of a 证照 item reaches CERT_ISSUING → issuers are called.

    from yiwang.cases.results import register_result_issuer
    register_result_issuer("certificates", issue)   # issue(case, actor) -> str | None

The first non-empty identifier returned is stored as the case's result_cetr_no. Issuers run
inside the transition's transaction: an issuer that raises rolls the transition back.

What the result will say (a certificate's face: 经营者名称, 经营场所…) comes from the
application, so the apply form asks for it; the app that issues the result names those fields:

    from yiwang.cases.results import register_result_fields
    register_result_fields("certificates", fields)  # fields(version) -> [{"name", "label", ...}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Issuer = Callable[[Any, Any], str | None]
FieldsOf = Callable[[Any], list[dict[str, Any]]]
_issuers: dict[str, Issuer] = {}
_fields: dict[str, FieldsOf] = {}


def register_result_issuer(name: str, issuer: Issuer) -> None:
    _issuers[name] = issuer


def unregister_result_issuer(name: str) -> None:
    _issuers.pop(name, None)


def issue_results(case: Any, actor: Any) -> str | None:
    """Call every issuer; return the first certificate identifier given."""
    identifier: str | None = None
    for issuer in list(_issuers.values()):
        answer = issuer(case, actor)
        if answer and identifier is None:
            identifier = answer
    return identifier


def register_result_fields(name: str, fields_of: FieldsOf) -> None:
    _fields[name] = fields_of


def result_fields(version: Any) -> list[dict[str, Any]]:
    """Fields the applicant fills in for the item's result, each name once, in order given."""
    seen: dict[str, dict[str, Any]] = {}
    for fields_of in list(_fields.values()):
        for field in fields_of(version):
            seen.setdefault(str(field["name"]), field)
    return list(seen.values())
