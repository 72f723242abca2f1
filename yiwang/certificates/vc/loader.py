"""An offline JSON-LD document loader that serves only the contexts shipped in `contexts/`.

A verifier must never fetch a context while checking a signature: the network may be down, and a
context served by someone else could change what a signed document means. Anything not shipped
raises `ContextNotAvailableError`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

CREDENTIALS_V2_URL: Final = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1_URL: Final = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2_URL: Final = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1_URL: Final = "https://w3id.org/security/multikey/v1"
YIWANG_CERTIFICATE_V1_URL: Final = "https://yiwang.example/ns/certificate/v1"

# URL -> file in contexts/. contexts/README.md says where each comes from and how complete it is.
SHIPPED_CONTEXTS: Final[Mapping[str, str]] = {
    CREDENTIALS_V2_URL: "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    CREDENTIALS_V1_URL: "credentials-v1.jsonld",
    DATA_INTEGRITY_V2_URL: "data-integrity-v2.jsonld",
    MULTIKEY_V1_URL: "multikey-v1.jsonld",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
    YIWANG_CERTIFICATE_V1_URL: "yiwang-v1.jsonld",
}


class ContextNotAvailableError(Exception):
    """A JSON-LD context URL that is not shipped with Yiwang (it is never fetched)."""

    code = "context_not_available"

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"JSON-LD context {url!r} is not available offline")


@cache
def _read_shipped(filename: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("contexts", filename).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def shipped_context(url: str) -> dict[str, Any]:
    """Return a copy of the shipped context document for `url`."""
    filename = SHIPPED_CONTEXTS.get(url)
    if filename is None:
        raise ContextNotAvailableError(url)
    return copy.deepcopy(_read_shipped(filename))


class _BoundedCache(dict[str, Any]):
    """pyld's resolved-context cache, bounded: inline contexts of untrusted input are keys too."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self and len(self) >= self._limit:
            del self[next(iter(self))]
        super().__setitem__(key, value)


class OfflineDocumentLoader:
    """A pyld document loader over the shipped contexts plus any `extra` ones given."""

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._extra = {url: copy.deepcopy(dict(doc)) for url, doc in (extra or {}).items()}
        # Parsed contexts, per loader: the same URL may name different documents in two loaders.
        self.context_cache: dict[str, Any] = _BoundedCache(256)

    def with_contexts(self, extra: Mapping[str, Mapping[str, Any]]) -> OfflineDocumentLoader:
        """Return a loader that also serves `extra` (URL -> context document)."""
        return OfflineDocumentLoader({**self._extra, **extra})

    def document(self, url: str) -> dict[str, Any]:
        """Return a copy of the context document for `url` or raise ContextNotAvailableError."""
        if url in self._extra:
            return copy.deepcopy(self._extra[url])
        return shipped_context(url)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # pyld's RemoteDocument shape; the 'static' tag lets pyld keep the parsed context in the
        # per-loader cache instead of re-processing it for every document.
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "contentType": "application/ld+json",
            "tag": "static",
        }


DEFAULT_LOADER: Final = OfflineDocumentLoader()
