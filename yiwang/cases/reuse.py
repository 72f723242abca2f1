"""免提交: materials covered by an e-certificate or by shared data need no upload.

Providers register in their AppConfig.ready():

    from yiwang.cases.reuse import register_material_provider
    register_material_provider("certificates", provider)

`provider(applicant, material)` gets the Person or LegalPerson and the catalogue Material
and returns a ReusedMaterial or None. The first provider that answers wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReusedMaterial:
    """Where a material came from instead of an upload."""

    source: Literal["certificate", "shared_data"]
    reference: str
    digest: str
    label: str


Provider = Callable[[Any, Any], ReusedMaterial | None]
_providers: dict[str, Provider] = {}


def register_material_provider(name: str, provider: Provider) -> None:
    """Add (or replace) a provider under a stable name."""
    _providers[name] = provider


def unregister_material_provider(name: str) -> None:
    _providers.pop(name, None)


def find_reused(applicant: Any, material: Any) -> ReusedMaterial | None:
    """Ask each provider in registration order; a failing provider is skipped and logged."""
    for name, provider in list(_providers.items()):
        try:
            found = provider(applicant, material)
        except Exception:  # a broken provider means "upload it", never a failed submission
            logger.exception("material provider %s failed", name)
            continue
        if found is not None:
            if found.source not in ("certificate", "shared_data"):
                logger.error("material provider %s returned source %r", name, found.source)
                continue
            return found
    return None
