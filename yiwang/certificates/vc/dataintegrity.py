"""Data Integrity proofs with the W3C EdDSA cryptosuites `eddsa-jcs-2022` and `eddsa-rdfc-2022`.

Signing and verification follow "Data Integrity EdDSA Cryptosuites v1.0": the signature covers
SHA-256(canonical proof configuration) || SHA-256(canonical document), where "canonical" is
JCS (RFC 8785) or RDFC-1.0 N-Quads. Proof sets (several independent proofs) and proof chains
(`previousProof`) follow the "Add Proof Set/Chain" and "Verify Proof Sets and Chains"
algorithms of "Verifiable Credential Data Integrity 1.0".

Verification never raises for a bad document: it returns a `VerificationResult` whose
`error_code` is a stable machine string.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import CanonicalizationError, jcs, rdfc
from .loader import OfflineDocumentLoader
from .multibase import MultibaseError, decode_base58btc, encode_base58btc, multikey_to_public_key

EDDSA_JCS_2022: Final = "eddsa-jcs-2022"
EDDSA_RDFC_2022: Final = "eddsa-rdfc-2022"
SUPPORTED_CRYPTOSUITES: Final = (EDDSA_JCS_2022, EDDSA_RDFC_2022)
PROOF_TYPE: Final = "DataIntegrityProof"

# Stable error codes; the Django layer maps them to translated messages.
PROOF_MISSING: Final = "proof_missing"
MALFORMED_DOCUMENT: Final = "malformed_document"
MALFORMED_PROOF: Final = "malformed_proof"
UNSUPPORTED_PROOF_TYPE: Final = "unsupported_proof_type"
UNSUPPORTED_CRYPTOSUITE: Final = "unsupported_cryptosuite"
UNKNOWN_KEY: Final = "unknown_key"
BAD_SIGNATURE: Final = "bad_signature"
PROOF_PURPOSE_MISMATCH: Final = "proof_purpose_mismatch"
DOMAIN_MISMATCH: Final = "domain_mismatch"
CHALLENGE_MISMATCH: Final = "challenge_mismatch"
PROOF_EXPIRED: Final = "proof_expired"
PREVIOUS_PROOF_MISSING: Final = "previous_proof_missing"
CONTEXT_MISMATCH: Final = "context_mismatch"
CONTEXT_NOT_AVAILABLE: Final = "context_not_available"
UNDEFINED_TERM: Final = "undefined_term"

# XML Schema 1.1 dateTime, which `created` and `expires` must be.
_XSD_DATETIME = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?$"
)

KeyResolver = Callable[[str], Ed25519PublicKey | None]
"""verification method id -> Ed25519 public key, or None when the id is unknown."""


class ProofError(Exception):
    """Signing or verification refused; `code` is one of the stable error codes above."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class ProofResult:
    """The outcome of checking one proof of a document."""

    verified: bool
    error_code: str | None
    message: str
    proof_id: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of verifying a secured document: verified only if every proof verified."""

    verified: bool
    error_code: str | None
    message: str
    proofs: tuple[ProofResult, ...] = ()


@dataclass(frozen=True)
class HashInputs:
    """The intermediate values of the cryptosuite's transformation and hashing steps."""

    canonical_document: bytes
    canonical_proof_config: bytes

    @property
    def document_hash(self) -> bytes:
        """SHA-256 of the canonical document."""
        return hashlib.sha256(self.canonical_document).digest()

    @property
    def proof_config_hash(self) -> bytes:
        """SHA-256 of the canonical proof configuration."""
        return hashlib.sha256(self.canonical_proof_config).digest()

    @property
    def hash_data(self) -> bytes:
        """The 64 bytes that are signed: proof config hash followed by document hash."""
        return self.proof_config_hash + self.document_hash


# --- key resolution -----------------------------------------------------------------------------


def did_key_resolver(verification_method: str) -> Ed25519PublicKey | None:
    """Resolve `did:key:z6Mk...#z6Mk...` (Ed25519) from the identifier itself."""
    if not isinstance(verification_method, str) or not verification_method.startswith("did:key:"):
        return None
    did, _, fragment = verification_method.partition("#")
    key_part = did.removeprefix("did:key:")
    # The fragment of a did:key verification method is the key itself; anything else is not
    # a method this DID document contains.
    if fragment and fragment != key_part:
        return None
    try:
        return multikey_to_public_key(key_part)
    except (MultibaseError, ValueError):
        return None


class StaticKeyResolver:
    """Resolves from a fixed map of verification method id -> key (object or Multikey string)."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey | str]) -> None:
        self._keys = {
            vm: multikey_to_public_key(key) if isinstance(key, str) else key
            for vm, key in keys.items()
        }

    def __call__(self, verification_method: str) -> Ed25519PublicKey | None:
        return self._keys.get(verification_method)


def chain_resolvers(*resolvers: KeyResolver) -> KeyResolver:
    """A resolver that asks each of `resolvers` in turn and returns the first key found."""

    def resolve(verification_method: str) -> Ed25519PublicKey | None:
        for resolver in resolvers:
            key = resolver(verification_method)
            if key is not None:
                return key
        return None

    return resolve


# --- the cryptosuite steps ----------------------------------------------------------------------


def _format_created(created: datetime | str | None) -> str:
    if created is None:
        created = datetime.now(UTC)
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise ValueError("created must be timezone-aware")
        return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not _XSD_DATETIME.match(created):
        raise ValueError(f"created is not an XML Schema dateTime: {created!r}")
    return created


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    unsecured = copy.deepcopy(dict(document))
    unsecured.pop("proof", None)
    return unsecured


def proof_configuration(
    unsecured_document: Mapping[str, Any], proof_options: Mapping[str, Any]
) -> dict[str, Any]:
    """The proof configuration object the cryptosuite canonicalises (proof minus proofValue)."""
    config = {k: copy.deepcopy(v) for k, v in proof_options.items() if k != "proofValue"}
    if config.get("type") != PROOF_TYPE:
        raise ProofError(UNSUPPORTED_PROOF_TYPE, f"proof type must be {PROOF_TYPE}")
    if config.get("cryptosuite") not in SUPPORTED_CRYPTOSUITES:
        raise ProofError(
            UNSUPPORTED_CRYPTOSUITE, f"unsupported cryptosuite {config.get('cryptosuite')!r}"
        )
    for field in ("created", "expires"):
        value = config.get(field)
        if value is not None and not (isinstance(value, str) and _XSD_DATETIME.match(value)):
            raise ProofError(MALFORMED_PROOF, f"proof {field} is not an XML Schema dateTime")
    if config["cryptosuite"] == EDDSA_RDFC_2022:
        # RDFC reads the proof with the document's contexts (eddsa-rdfc-2022 Proof Configuration).
        config.pop("@context", None)
        if "@context" in unsecured_document:
            config["@context"] = copy.deepcopy(unsecured_document["@context"])
    return config


def create_hash_inputs(
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    loader: OfflineDocumentLoader | None = None,
) -> HashInputs:
    """Canonicalise document and proof configuration the way `proof_config`'s cryptosuite does."""
    if proof_config.get("cryptosuite") == EDDSA_JCS_2022:
        return HashInputs(jcs(unsecured_document), jcs(proof_config))
    if proof_config.get("cryptosuite") == EDDSA_RDFC_2022:
        return HashInputs(
            rdfc(unsecured_document, loader=loader).encode("utf-8"),
            rdfc(proof_config, loader=loader).encode("utf-8"),
        )
    raise ProofError(UNSUPPORTED_CRYPTOSUITE, "unsupported cryptosuite")


def _proofs_of(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _matching_proofs(all_proofs: Sequence[Any], previous: Any) -> list[dict[str, Any]]:
    """The proofs a chained proof names in `previousProof`, in the order it names them."""
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise ProofError(MALFORMED_PROOF, "previousProof must be a string or a list of strings")
    by_id = {p["id"]: p for p in all_proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    matching = []
    for proof_id in wanted:
        if proof_id not in by_id:
            raise ProofError(PREVIOUS_PROOF_MISSING, f"previous proof {proof_id!r} not found")
        matching.append(copy.deepcopy(by_id[proof_id]))
    return matching


def add_proof(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    cryptosuite: str = EDDSA_JCS_2022,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    expires: datetime | str | None = None,
    domain: str | None = None,
    challenge: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Return a copy of `document` with a new Data Integrity proof added (to the set, if any)."""
    existing = _proofs_of(document)
    unsecured = _unsecured(document)
    options: dict[str, Any] = {"type": PROOF_TYPE}
    if proof_id is not None:
        options["id"] = proof_id
    options["cryptosuite"] = cryptosuite
    options["created"] = _format_created(created)
    if expires is not None:
        options["expires"] = _format_created(expires)
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if domain is not None:
        options["domain"] = domain
    if challenge is not None:
        options["challenge"] = challenge
    if previous_proof is not None:
        previous = previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        options["previousProof"] = previous
        # A chained proof signs the proofs it follows as part of the document.
        unsecured["proof"] = _matching_proofs(existing, previous)
    if cryptosuite == EDDSA_JCS_2022 and "@context" in document:
        # eddsa-jcs-2022 carries the document's contexts in the proof (its Create Proof step 2).
        options["@context"] = copy.deepcopy(document["@context"])

    config = proof_configuration(unsecured, options)
    inputs = create_hash_inputs(unsecured, config, loader=loader)
    proof = dict(options)
    proof["proofValue"] = encode_base58btc(private_key.sign(inputs.hash_data))

    secured = _unsecured(document)
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


# --- verification -------------------------------------------------------------------------------


def _verify_one(
    unsecured: dict[str, Any],
    proof: Any,
    resolver: KeyResolver,
    *,
    expected_proof_purpose: str,
    expected_domain: str | None,
    expected_challenge: str | None,
    now: datetime,
    loader: OfflineDocumentLoader | None,
) -> ProofResult:
    if not isinstance(proof, dict):
        return ProofResult(False, MALFORMED_PROOF, "proof is not a JSON object")
    proof_id = proof.get("id") if isinstance(proof.get("id"), str) else None
    suite = proof.get("cryptosuite") if isinstance(proof.get("cryptosuite"), str) else None
    method = proof.get("verificationMethod")

    def failed(code: str, message: str) -> ProofResult:
        vm = method if isinstance(method, str) else None
        return ProofResult(False, code, message, proof_id, suite, vm)

    try:
        config = proof_configuration(unsecured, proof)
        if not isinstance(method, str) or not method:
            return failed(MALFORMED_PROOF, "verificationMethod must be a URL string")
        purpose = proof.get("proofPurpose")
        if not isinstance(purpose, str):
            return failed(MALFORMED_PROOF, "proofPurpose is missing")
        if purpose != expected_proof_purpose:
            return failed(
                PROOF_PURPOSE_MISMATCH,
                f"proof purpose {purpose!r}, expected {expected_proof_purpose!r}",
            )
        if expected_domain is not None and proof.get("domain") != expected_domain:
            return failed(DOMAIN_MISMATCH, "proof domain does not match")
        if expected_challenge is not None and proof.get("challenge") != expected_challenge:
            return failed(CHALLENGE_MISMATCH, "proof challenge does not match")
        expires = config.get("expires")
        if isinstance(expires, str):
            expiry = _parse_datetime(expires)
            if expiry is None:
                return failed(MALFORMED_PROOF, "proof expires is out of range")
            if expiry < now:
                return failed(PROOF_EXPIRED, f"proof expired at {expires}")
        proof_value = proof.get("proofValue")
        if not isinstance(proof_value, str):
            return failed(MALFORMED_PROOF, "proofValue is missing")
        try:
            signature = decode_base58btc(proof_value)
        except MultibaseError as exc:
            return failed(MALFORMED_PROOF, f"proofValue: {exc}")
        if len(signature) != 64:
            return failed(MALFORMED_PROOF, "proofValue is not a 64-byte Ed25519 signature")

        document = unsecured
        if suite == EDDSA_JCS_2022 and "@context" in config:
            # eddsa-jcs-2022 Verify Proof step 4: the proof's contexts must open the document's and
            # then stand in for them, so contexts appended later by a holder are not signed.
            proof_ctx = _as_list(config["@context"])
            doc_ctx = _as_list(unsecured.get("@context"))
            if doc_ctx[: len(proof_ctx)] != proof_ctx:
                return failed(CONTEXT_MISMATCH, "document @context does not start with the proof's")
            document = dict(unsecured)
            document["@context"] = copy.deepcopy(config["@context"])

        try:
            key = resolver(method)
        except (LookupError, ValueError):
            # A resolver that refuses the id is "unknown"; other errors (database down) are not
            # a verdict on the document and propagate.
            key = None
        if key is None:
            return failed(UNKNOWN_KEY, f"no key known for verification method {method!r}")
        inputs = create_hash_inputs(document, config, loader=loader)
        try:
            key.verify(signature, inputs.hash_data)
        except InvalidSignature:
            return failed(BAD_SIGNATURE, "the signature does not match the document")
    except ProofError as exc:
        return failed(exc.code, str(exc))
    except CanonicalizationError as exc:
        return failed(exc.code, str(exc))
    return ProofResult(True, None, "verified", proof_id, suite, method)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_datetime(value: str) -> datetime | None:
    # XML Schema allows years and fractions Python cannot hold; those count as malformed.
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify(
    document: Any,
    resolver: KeyResolver,
    *,
    expected_proof_purpose: str = "assertionMethod",
    expected_domain: str | None = None,
    expected_challenge: str | None = None,
    now: datetime | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> VerificationResult:
    """Verify every Data Integrity proof of `document` (sets and chains); never raises on input."""
    if not isinstance(document, Mapping):
        return VerificationResult(False, MALFORMED_DOCUMENT, "the document is not a JSON object")
    try:
        return _verify_all(
            document,
            resolver,
            expected_proof_purpose=expected_proof_purpose,
            expected_domain=expected_domain,
            expected_challenge=expected_challenge,
            now=now or datetime.now(UTC),
            loader=loader,
        )
    except RecursionError:
        # Copying or canonicalising absurdly deep JSON; refuse it like any malformed input.
        return VerificationResult(False, MALFORMED_DOCUMENT, "the document is nested too deeply")


def _verify_all(
    document: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    expected_proof_purpose: str,
    expected_domain: str | None,
    expected_challenge: str | None,
    now: datetime,
    loader: OfflineDocumentLoader | None,
) -> VerificationResult:
    all_proofs = _proofs_of(document)
    if not all_proofs:
        return VerificationResult(False, PROOF_MISSING, "the document has no proof")
    results = []
    for proof in all_proofs:
        unsecured = _unsecured(document)
        previous = proof.get("previousProof") if isinstance(proof, dict) else None
        if previous is not None:
            try:
                unsecured["proof"] = _matching_proofs(all_proofs, previous)
            except ProofError as exc:
                results.append(_early_failure(proof, exc.code, str(exc)))
                continue
        results.append(
            _verify_one(
                unsecured,
                proof,
                resolver,
                expected_proof_purpose=expected_proof_purpose,
                expected_domain=expected_domain,
                expected_challenge=expected_challenge,
                now=now,
                loader=loader,
            )
        )
    return _combine(results)


def _early_failure(proof: Any, code: str, message: str) -> ProofResult:
    proof_id = proof.get("id") if isinstance(proof, dict) else None
    return ProofResult(False, code, message, proof_id if isinstance(proof_id, str) else None)


def _combine(results: Iterable[ProofResult]) -> VerificationResult:
    proofs = tuple(results)
    failures = [r for r in proofs if not r.verified]
    if not failures:
        count = len(proofs)
        return VerificationResult(True, None, f"{count} proof(s) verified", proofs)
    first = failures[0]
    return VerificationResult(False, first.error_code, first.message, proofs)
