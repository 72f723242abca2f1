"""Glue to apps built on other branches: the ledger (anchoring) and cases (results, 免提交).

Each is used only when its module exists and its app is installed, so this app works, and its
tests run, without them. The interfaces are the ones the project brief fixes:

- `yiwang.ledger.anchoring.anchor(kind, subject, payload) -> LedgerEntry` (within the caller's
  transaction; `.digest` hex, `.index` None until sequenced) and
  `yiwang.ledger.queries.receipt_for(entry) -> str | None` (tlog-proof receipt text).
- `yiwang.cases.results.register_result_issuer(name, fn(case, actor) -> str | None)` and
  `register_result_fields(name, fn(version) -> [face field])`: the apply form asks for the face.
- `yiwang.cases.reuse.register_material_provider(name, provider(applicant, material))`,
  the provider returning `ReusedMaterial(source, reference, digest, label)` or None.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps

logger = logging.getLogger("yiwang.certificates")

LEDGER_MODULE = "yiwang.ledger.anchoring"
RESULTS_MODULE = "yiwang.cases.results"
REUSE_MODULE = "yiwang.cases.reuse"
PREFILL_MODULE = "yiwang.cases.prefill"
LINKS_MODULE = "yiwang.cases.links"  # the case page's next step "查看电子证照"


@functools.cache
def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


def ledger_available() -> bool:
    """True when the ledger's Django layer is on this branch and installed."""
    return _module_present(LEDGER_MODULE) and apps.is_installed("yiwang.ledger")


@dataclass(frozen=True)
class Anchor:
    """What the ledger returned for one anchored event."""

    digest: str
    entry_id: int | None


def anchor(kind: str, subject: str, payload: Mapping[str, Any]) -> Anchor | None:
    """Append an entry to the ledger inside the caller's transaction, if there is a ledger."""
    if not ledger_available():
        return None
    module = importlib.import_module(LEDGER_MODULE)
    entry = module.anchor(kind, subject, payload)
    return Anchor(digest=str(entry.digest), entry_id=getattr(entry, "pk", None))


def ledger_receipt(entry_id: int | None) -> str | None:
    """The offline-verifiable inclusion receipt of an anchored entry, once it is sequenced."""
    if entry_id is None or not ledger_available():
        return None
    try:
        model = apps.get_model("ledger", "LedgerEntry")
        entry = model.objects.filter(pk=entry_id).first()
        if entry is None:
            return None
        queries = importlib.import_module("yiwang.ledger.queries")
        receipt = queries.receipt_for(entry)
    except LookupError:
        logger.warning("ledger installed without a LedgerEntry model; receipts unavailable")
        return None
    return str(receipt) if receipt else None


@dataclass(frozen=True)
class ReusedMaterialFallback:
    """The shape of cases.reuse.ReusedMaterial, used only while the cases app is absent."""

    source: str
    reference: str
    digest: str
    label: str


def reused_material(*, reference: str, digest: str, label: str) -> Any:
    """A ReusedMaterial of the cases app when it exists, else the same-shaped fallback."""
    if _module_present(REUSE_MODULE):
        module = importlib.import_module(REUSE_MODULE)
        return module.ReusedMaterial(
            source="certificate", reference=reference, digest=digest, label=label
        )
    return ReusedMaterialFallback("certificate", reference, digest, label)


def register_with_cases() -> None:
    """Called from AppConfig.ready(): offer our result issuer and material provider to cases."""
    if not apps.is_installed("yiwang.cases"):
        return
    from yiwang.certificates import results

    if _module_present(RESULTS_MODULE):
        module = importlib.import_module(RESULTS_MODULE)
        module.register_result_issuer("certificates", results.issue_for_case)
        module.register_result_fields("certificates", results.face_fields_for)
    if _module_present(REUSE_MODULE):
        module = importlib.import_module(REUSE_MODULE)
        module.register_material_provider("certificates", results.provide_material)
    if _module_present(PREFILL_MODULE):
        module = importlib.import_module(PREFILL_MODULE)
        module.register_prefill_source("certificate", results.prefill_from_certificate)
    if _module_present(LINKS_MODULE):
        from yiwang.certificates.links import links_of_many

        module = importlib.import_module(LINKS_MODULE)
        module.register_case_links(
            "certificates", module.one_of(links_of_many), many=links_of_many, order=40
        )
