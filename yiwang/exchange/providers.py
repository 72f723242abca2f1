"""Provider functions: what a provider node runs to answer an authorised call.

The node has already checked the signature, the authorisation, the items and the rate; a
provider function only looks the data up and returns the authorised items (or None when it
holds nothing for the subject). The bench calls the same function directly as its baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yiwang.exchange.models import DataRecord, ExchangeService


@dataclass(frozen=True)
class ServiceCall:
    """An authorised call as a provider function sees it."""

    service: ExchangeService
    subject_hash: str
    items: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


ProviderFunction = Callable[[ServiceCall], dict[str, Any] | None]


def records(call: ServiceCall) -> dict[str, Any] | None:
    """The latest collected row of the resource for the subject, cut to the items asked for."""
    record = (
        DataRecord.objects.filter(
            resource_id=call.service.resource_id, subject_hash=call.subject_hash
        )
        .order_by("-source_updated_at", "-id")
        .only("data", "source_updated_at")
        .first()
    )
    if record is None:
        return None
    return {
        "record": {code: record.data.get(code) for code in call.items},
        "source_updated_at": record.source_updated_at.isoformat(),
    }


HANDLERS: dict[str, ProviderFunction] = {"records": records}


def register_handler(name: str, function: ProviderFunction) -> None:
    """Add a provider function (e.g. one that queries a department's own system)."""
    HANDLERS[name] = function
