"""The two canonical forms the EdDSA cryptosuites sign: JCS (RFC 8785) and RDFC-1.0 N-Quads.

RDF canonicalisation runs in "safe mode": a term the contexts do not define, or an `@id`/`@type`
that is not an absolute IRI, would silently drop out of the N-Quads, so the signature would not
cover it. Such documents are refused instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import rfc8785
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from .loader import DEFAULT_LOADER, ContextNotAvailableError, OfflineDocumentLoader

ISSUER_DEPENDENT_VOCAB: Final = "https://www.w3.org/ns/credentials/issuer-dependent#"

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

# RDFC-1.0 is exponential on "poison" graphs of look-alike blank nodes; the specification asks
# implementations to bound the work. Credentials need a handful of N-degree hashes at most.
MAX_N_DEGREE_HASHES: Final = 1000
MAX_PERMUTED_NODES: Final = 6


class CanonicalizationError(Exception):
    """A document that cannot be put into canonical form; `code` is a stable machine code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def jcs(value: Any) -> bytes:
    """Canonical JSON bytes per RFC 8785 (JCS)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(
            "malformed_document", f"not canonicalisable JSON: {exc}"
        ) from exc


def _options(loader: OfflineDocumentLoader) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(loader.context_cache, loader),
        # No base IRI: pyld would otherwise resolve relative IRIs against its made-up
        # http://example.org/base/, hiding them from the safe-mode check below.
        "base": None,
        "processingMode": "json-ld-1.1",
    }


def _find_cause(exc: BaseException) -> ContextNotAvailableError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ContextNotAvailableError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _relative_iris(node: Any, found: list[str]) -> None:
    """Collect `@id` and `@type` values of expanded JSON-LD that are not absolute IRIs."""
    if isinstance(node, list):
        for item in node:
            _relative_iris(item, found)
        return
    if not isinstance(node, dict):
        return
    node_id = node.get("@id")
    if isinstance(node_id, str) and not (node_id.startswith("_:") or _ABSOLUTE_IRI.match(node_id)):
        found.append(f"@id {node_id!r}")
    types = node.get("@type")
    for type_ in types if isinstance(types, list) else [types]:
        if isinstance(type_, str) and not (
            type_.startswith(("_:", "@")) or _ABSOLUTE_IRI.match(type_)
        ):
            found.append(f"@type {type_!r}")
    for key, value in node.items():
        if key not in ("@id", "@type", "@value"):
            _relative_iris(value, found)


def expand(
    document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> list[Any]:
    """Expand a JSON-LD document offline, refusing terms that would be dropped."""
    loader = loader or DEFAULT_LOADER
    dropped: list[str] = []

    def on_dropped(expanded_property: str | None) -> None:
        dropped.append(repr(expanded_property))

    processor = jsonld.JsonLdProcessor(on_property_dropped=on_dropped)
    try:
        expanded: list[Any] = processor.expand(dict(document), _options(loader))
    except ContextNotAvailableError as exc:
        raise CanonicalizationError(exc.code, str(exc)) from exc
    except jsonld.JsonLdError as exc:
        missing = _find_cause(exc)
        if missing is not None:
            raise CanonicalizationError(missing.code, str(missing)) from exc
        raise CanonicalizationError("malformed_document", f"JSON-LD error: {exc.args[0]}") from exc
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        # pyld assumes well-formed input in places; odd shapes surface as Python errors.
        raise CanonicalizationError("malformed_document", f"JSON-LD error: {exc}") from exc
    if dropped:
        raise CanonicalizationError(
            "undefined_term", "terms not defined by the contexts: " + ", ".join(dropped)
        )
    relative: list[str] = []
    _relative_iris(expanded, relative)
    if relative:
        raise CanonicalizationError(
            "undefined_term", "values that are not absolute IRIs: " + ", ".join(relative)
        )
    return expanded


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with a work limit (pyld has none)."""

    def __init__(self) -> None:
        super().__init__()
        self._n_degree_calls = 0

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        # Called once per N-degree hash, before the permutations that make it expensive.
        self._n_degree_calls += 1
        if self._n_degree_calls > MAX_N_DEGREE_HASHES:
            raise CanonicalizationError("too_complex", "too many blank nodes look alike")
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        if any(len(nodes) > MAX_PERMUTED_NODES for nodes in related.values()):
            raise CanonicalizationError("too_complex", "too many blank nodes look alike")
        return related


def rdfc(document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None) -> str:
    """Canonical N-Quads of a JSON-LD document per RDFC-1.0 (URDNA2015), offline, safe mode."""
    loader = loader or DEFAULT_LOADER
    expanded = expand(document, loader=loader)
    options = _options(loader)
    options["produceGeneralizedRdf"] = False
    try:
        dataset = jsonld.JsonLdProcessor().to_rdf(expanded, options)
        nquads: str = _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError("malformed_document", f"RDFC error: {exc.args[0]}") from exc
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise CanonicalizationError("malformed_document", f"RDFC error: {exc}") from exc
    return nquads


def issuer_dependent_terms(
    document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> list[str]:
    """Terms that only the VC 2.0 fallback `@vocab` maps (i.e. no context defines them)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(ISSUER_DEPENDENT_VOCAB):
                    found.add(key.removeprefix(ISSUER_DEPENDENT_VOCAB))
                if key == "@type":
                    for type_ in value if isinstance(value, list) else [value]:
                        if isinstance(type_, str) and type_.startswith(ISSUER_DEPENDENT_VOCAB):
                            found.add(type_.removeprefix(ISSUER_DEPENDENT_VOCAB))
                elif key != "@value":
                    walk(value)

    walk(expand(document, loader=loader))
    return sorted(found)
