"""Result issuing: a granted case of a 证照 item reaches CERT_ISSUING → issuers are called.

    from yiwang.cases.results import register_result_issuer
    register_result_issuer("certificates", issue)   # issue(case, actor) -> str | None

The first non-empty identifier returned is stored as the case's result_cetr_no. Issuers run
inside the transition's transaction: an issuer that raises rolls the transition back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Issuer = Callable[[Any, Any], str | None]
_issuers: dict[str, Issuer] = {}


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
