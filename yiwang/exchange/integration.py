"""Glue to apps built on other branches: the ledger (存证) and the cases app (免提交).

Both are optional here: when the ledger's Django layer is not installed, digests are still
computed and kept on the rows (`anchored=False`); when the cases app is not installed, the
shared-data material provider is simply not registered.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
from collections.abc import Mapping
from typing import Any

import rfc8785
from django.apps import apps

logger = logging.getLogger(__name__)

LEDGER_MODULE = "yiwang.ledger.anchoring"
CASES_REUSE_MODULE = "yiwang.cases.reuse"
PROVIDER_NAME = "exchange.shared_data"


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def ledger_available() -> bool:
    """True when the ledger's Django app and its anchoring module are installed."""
    return apps.is_installed("yiwang.ledger") and _module_exists(LEDGER_MODULE)


def payload_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 of the RFC 8785 form: the same digest the ledger computes for a payload."""
    return hashlib.sha256(rfc8785.dumps(dict(payload))).hexdigest()


def anchor(kind: str, subject: str, payload: Mapping[str, Any]) -> bool:
    """Append the payload's digest to the ledger inside the caller's transaction.

    Returns True if anchored. Without the ledger app this is a no-op that returns False.
    """
    if not ledger_available():
        return False
    anchoring = importlib.import_module(LEDGER_MODULE)
    entry = anchoring.anchor(kind, subject, payload)
    digest = getattr(entry, "digest", None)
    if digest is not None and digest != payload_digest(payload):
        # Both sides hash RFC 8785 JSON with SHA-256; a mismatch means one of them changed.
        logger.error("ledger digest %s differs from the exchange's for %s", digest, subject)
    return True


def cases_reuse_available() -> bool:
    return apps.is_installed("yiwang.cases") and _module_exists(CASES_REUSE_MODULE)


def register_with_cases() -> bool:
    """Register the shared-data material provider with the cases app, if it is there."""
    if not cases_reuse_available():
        return False
    reuse = importlib.import_module(CASES_REUSE_MODULE)
    reuse.register_material_provider(PROVIDER_NAME, provide_shared_data)
    return True


def provide_shared_data(applicant: Any, material: Any, case: Any = None) -> Any:
    """免提交 from shared data: fetch the material's data through the exchange, or None.

    Only for materials whose source is 数据共享 (source_type "5") naming a resource code. The
    call is made for the department that handles the item, under its authorisation for the
    resource, with the case (or the item) as the purpose, so the citizen sees the use.
    """
    from yiwang.exchange import reuse

    result = reuse.fetch_for_material(applicant, material, case=case)
    if result is None:
        return None
    reused_material = importlib.import_module(CASES_REUSE_MODULE).ReusedMaterial
    return reused_material(
        source="shared_data",
        reference=result.reference,
        digest=result.digest,
        label=result.label,
    )
