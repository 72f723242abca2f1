"""Issuing departments' keys: their URLs, the controller document, and the key resolver.

A department's keys live at `<public URL>/certificates/keys/<department USCC>`, a controller
document listing every key it ever had as a Multikey; a verification method is that URL plus
`#<key id>`. The credential's issuer id is the same URL, so a verifier can check that the key
which signed belongs to the issuer the credential names.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from yiwang.certificates import errors
from yiwang.certificates.models import IssuerKey
from yiwang.certificates.vc.loader import CREDENTIALS_V2_URL, MULTIKEY_V1_URL
from yiwang.certificates.vc.multibase import (
    MultibaseError,
    multikey_to_private_key,
    multikey_to_public_key,
)
from yiwang.core.crypto import decrypt_text
from yiwang.regions.models import Department

KEYS_PATH = "/certificates/keys/"
_KEY_ID = re.compile(r"^key-\d{1,6}$")
_USCC = re.compile(r"^[0-9A-Z]{18}$")


def public_base() -> str:
    """The platform's public URL (no trailing slash); credential ids start with it."""
    return str(settings.YIWANG_PUBLIC_URL).rstrip("/")


def known_bases() -> list[str]:
    """The current public URL and any former ones, whose credentials must keep verifying."""
    former = [str(url).rstrip("/") for url in settings.YIWANG_FORMER_PUBLIC_URLS]
    return [public_base(), *former]


def controller_url(department_uscc: str, base: str | None = None) -> str:
    """The issuer id and key controller document URL of a department."""
    return f"{base or public_base()}{KEYS_PATH}{department_uscc}"


def verification_method_id(department_uscc: str, key_id: str) -> str:
    return f"{controller_url(department_uscc)}#{key_id}"


def key_context(department_uscc: str, key_id: str) -> str:
    """The encryption context that binds a stored private key to its department and id."""
    return f"certificates.issuer_key:{department_uscc}:{key_id}"


def private_key_of(issuer_key: IssuerKey) -> Ed25519PrivateKey:
    """Decrypt a department's private key for one signature; it is never kept decrypted."""
    secret = decrypt_text(
        issuer_key.private_key_encrypted,
        context=key_context(issuer_key.department.uscc, issuer_key.key_id),
    )
    return multikey_to_private_key(secret)


def active_key(department: Department) -> IssuerKey:
    """The key that signs new certificates of `department`; refuses when there is none."""
    key = IssuerKey.objects.filter(department=department, retired_at__isnull=True).first()
    if key is None:
        raise errors.no_issuer_key(department.name)
    return key


def parse_verification_method(method: str) -> tuple[str, str, str] | None:
    """(base, department USCC, key id) of one of our verification method ids, else None."""
    if not isinstance(method, str):
        return None
    for base in known_bases():
        prefix = base + KEYS_PATH
        if method.startswith(prefix):
            uscc, sep, key_id = method[len(prefix) :].partition("#")
            if sep and _USCC.match(uscc) and _KEY_ID.match(key_id):
                return base, uscc, key_id
    return None


class DepartmentKeyResolver:
    """Resolves our verification methods from IssuerKey rows (retired keys included).

    Public keys never change once created, so found keys are cached for the process; a miss is
    not cached, because the key may be created a moment later.
    """

    _lock = threading.Lock()
    _cache: dict[tuple[str, str], Ed25519PublicKey] = {}
    _LIMIT = 4096

    @classmethod
    def clear_cache(cls) -> None:
        """Forget cached keys (tests roll key rows back; a live database never deletes them)."""
        with cls._lock:
            cls._cache.clear()

    def __call__(self, method: str) -> Ed25519PublicKey | None:
        parsed = parse_verification_method(method)
        if parsed is None:
            return None
        _base, uscc, key_id = parsed
        cached = self._cache.get((uscc, key_id))
        if cached is not None:
            return cached
        multikey = (
            IssuerKey.objects.filter(department__uscc=uscc, key_id=key_id)
            .values_list("public_multikey", flat=True)
            .first()
        )
        if multikey is None:
            return None
        try:
            key = multikey_to_public_key(multikey)
        except (MultibaseError, ValueError):
            return None
        with self._lock:
            if len(self._cache) >= self._LIMIT:
                self._cache.clear()
            self._cache[(uscc, key_id)] = key
        return key


RESOLVER = DepartmentKeyResolver()


def controller_document(department: Department) -> dict[str, Any]:
    """The department's keys as a controlled identifier document of Multikeys."""
    controller = controller_url(department.uscc)
    methods = []
    for key in IssuerKey.objects.filter(department=department).order_by("created_at", "id"):
        method: dict[str, Any] = {
            "id": f"{controller}#{key.key_id}",
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": key.public_multikey,
        }
        if key.retired_at is not None:
            # Informational: a retired key still verifies what it signed before this moment.
            method["retired"] = key.retired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        methods.append(method)
    return {
        "@context": [CREDENTIALS_V2_URL, MULTIKEY_V1_URL],
        "id": controller,
        "name": department.name,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
