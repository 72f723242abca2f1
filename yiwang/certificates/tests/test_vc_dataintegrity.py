"""Data Integrity EdDSA proofs against the W3C test vectors in shared/vectors/vc-di-eddsa/."""

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from yiwang.certificates.vc import canonical
from yiwang.certificates.vc.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    StaticKeyResolver,
    add_proof,
    chain_resolvers,
    create_hash_inputs,
    did_key_resolver,
    proof_configuration,
    verify,
)
from yiwang.certificates.vc.loader import ContextNotAvailableError, OfflineDocumentLoader
from yiwang.certificates.vc.multibase import (
    decode_base58btc,
    encode_base58btc,
    multikey_to_private_key,
    multikey_to_public_key,
    private_key_to_multikey,
    public_key_to_multikey,
)


def _shared_dir() -> Path:
    configured = os.environ.get("YIWANG_SHARED_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent.parent / "shared"
    package_root = here.parents[2]  # .../yiwang
    return package_root.parent.parent / "shared"


VECTORS = _shared_dir() / "vectors" / "vc-di-eddsa"


@pytest.fixture(scope="module")
def vectors() -> Path:
    # The vectors are the point of these tests: missing vectors must fail the run, not skip it.
    assert VECTORS.is_dir(), f"W3C vc-di-eddsa vectors not found at {VECTORS}"
    return VECTORS


def load(vectors: Path, name: str):
    return json.loads((vectors / name).read_text("utf-8"))


def text(vectors: Path, name: str) -> str:
    return (vectors / name).read_text("utf-8")


@pytest.fixture(scope="module")
def key_pair(vectors):
    pair = load(vectors, "keyPair.json")
    return multikey_to_private_key(pair["privateKeyMultibase"]), pair["publicKeyMultibase"]


# (suite, directory, unsigned document, file suffix)
SUITES = [
    (EDDSA_JCS_2022, "eddsa-jcs-2022", "unsigned.json", "JCS"),
    (EDDSA_RDFC_2022, "eddsa-rdfc-2022", "unsigned.json", "DataInt"),
    (EDDSA_RDFC_2022, "eddsa-rdfc-2022/employ", "employmentAuth.json", "DataInt"),
]
SUITE_IDS = ["jcs", "rdfc-alumni", "rdfc-employment"]


# --- keys and multibase ---------------------------------------------------------------------


def test_vector_key_pair_decodes_to_matching_keys(key_pair):
    private_key, public_multikey = key_pair
    assert public_key_to_multikey(private_key.public_key()) == public_multikey
    assert multikey_to_public_key(public_multikey) == private_key.public_key()


def test_all_multikey_pairs_match(vectors):
    for pair in load(vectors, "proof-set-chain/multiKeyPairs.json").values():
        private_key = multikey_to_private_key(pair["privateKeyMultibase"])
        assert private_key_to_multikey(private_key) == pair["privateKeyMultibase"]
        assert public_key_to_multikey(private_key.public_key()) == pair["publicKeyMultibase"]


def test_base58btc_round_trip_keeps_leading_zero_bytes():
    for data in (b"", b"\x00", b"\x00\x00\x01", bytes(range(256))):
        assert decode_base58btc(encode_base58btc(data)) == data


def test_did_key_resolver(key_pair):
    _, multikey = key_pair
    assert did_key_resolver(f"did:key:{multikey}#{multikey}") is not None
    assert did_key_resolver(f"did:key:{multikey}") is not None
    assert did_key_resolver(f"did:key:{multikey}#other") is None
    assert did_key_resolver("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme") is None
    assert did_key_resolver("did:web:gov.example#key-1") is None
    assert did_key_resolver("did:key:not-multibase") is None


# --- each step of the cryptosuites reproduces the vectors -----------------------------------


@pytest.mark.parametrize(("suite", "folder", "unsigned", "suffix"), SUITES, ids=SUITE_IDS)
def test_canonical_forms_hashes_and_signature_match_vectors(
    vectors, key_pair, suite, folder, unsigned, suffix
):
    private_key, _ = key_pair
    document = load(vectors, unsigned)
    options = load(vectors, f"{folder}/proofConfig{suffix}.json")
    config = proof_configuration(document, options)
    inputs = create_hash_inputs(document, config)

    assert inputs.canonical_document.decode() == text(vectors, f"{folder}/canonDoc{suffix}.txt")
    assert inputs.canonical_proof_config.decode() == text(
        vectors, f"{folder}/proofCanon{suffix}.txt"
    )
    assert inputs.document_hash.hex() == text(vectors, f"{folder}/docHash{suffix}.txt").strip()
    assert (
        inputs.proof_config_hash.hex() == text(vectors, f"{folder}/proofHash{suffix}.txt").strip()
    )
    assert inputs.hash_data.hex() == text(vectors, f"{folder}/combinedHash{suffix}.txt").strip()

    signature = private_key.sign(inputs.hash_data)
    assert signature.hex() == text(vectors, f"{folder}/sigHex{suffix}.txt").strip()
    assert encode_base58btc(signature) == text(vectors, f"{folder}/sigBTC58{suffix}.txt").strip()


@pytest.mark.parametrize(("suite", "folder", "unsigned", "suffix"), SUITES, ids=SUITE_IDS)
def test_signing_reproduces_the_signed_vector(vectors, key_pair, suite, folder, unsigned, suffix):
    private_key, _ = key_pair
    options = load(vectors, f"{folder}/proofConfig{suffix}.json")
    signed = add_proof(
        load(vectors, unsigned),
        private_key,
        verification_method=options["verificationMethod"],
        cryptosuite=suite,
        created=options["created"],
    )
    assert signed == load(vectors, f"{folder}/signed{suffix}.json")


@pytest.mark.parametrize(("suite", "folder", "unsigned", "suffix"), SUITES, ids=SUITE_IDS)
def test_signed_vectors_verify(vectors, suite, folder, unsigned, suffix):
    result = verify(load(vectors, f"{folder}/signed{suffix}.json"), did_key_resolver)
    assert result.verified, result
    assert result.error_code is None
    assert [p.cryptosuite for p in result.proofs] == [suite]


# --- tampering ----------------------------------------------------------------------------------


def _changed(value):
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [*value[:-1], _changed(value[-1])]
    if isinstance(value, dict):
        return {**value, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    return "changed"


def _tamperings(document):
    """(label, tampered copy): each top-level and subject field, and the proof's created."""
    for key in document:
        if key in ("proof", "@context"):
            continue
        tampered = copy.deepcopy(document)
        tampered[key] = _changed(tampered[key])
        yield key, tampered
    for key in document["credentialSubject"]:
        tampered = copy.deepcopy(document)
        tampered["credentialSubject"][key] = _changed(tampered["credentialSubject"][key])
        yield f"credentialSubject.{key}", tampered
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["addedClaim"] = "added"
    yield "credentialSubject+addedClaim", tampered
    tampered = copy.deepcopy(document)
    del tampered[next(k for k in document if k not in ("@context", "proof", "type"))]
    yield "removed field", tampered
    tampered = copy.deepcopy(document)
    tampered["proof"]["created"] = "2023-02-24T23:36:39Z"
    yield "proof.created", tampered
    tampered = copy.deepcopy(document)
    tampered["@context"] = tampered["@context"][:1]
    yield "@context", tampered


@pytest.mark.parametrize(("suite", "folder", "unsigned", "suffix"), SUITES, ids=SUITE_IDS)
def test_every_single_change_breaks_verification(vectors, suite, folder, unsigned, suffix):
    signed = load(vectors, f"{folder}/signed{suffix}.json")
    labels = []
    for label, tampered in _tamperings(signed):
        result = verify(tampered, did_key_resolver)
        assert not result.verified, label
        assert result.error_code, label
        labels.append(label)
    # Every top-level field but proof/@context, every subject field, plus the extra cases.
    assert len(labels) == len(signed) - 2 + len(signed["credentialSubject"]) + 4


def test_another_key_in_verification_method_fails(vectors):
    other = load(vectors, "proof-set-chain/multiKeyPairs.json")["keyPair1"]["publicKeyMultibase"]
    for folder, suffix in (("eddsa-jcs-2022", "JCS"), ("eddsa-rdfc-2022", "DataInt")):
        signed = load(vectors, f"{folder}/signed{suffix}.json")
        signed["proof"]["verificationMethod"] = f"did:key:{other}#{other}"
        result = verify(signed, did_key_resolver)
        assert result.error_code == "bad_signature"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("proofPurpose", "authentication", "proof_purpose_mismatch"),
        ("cryptosuite", "ecdsa-rdfc-2019", "unsupported_cryptosuite"),
        ("type", "Ed25519Signature2020", "unsupported_proof_type"),
        ("created", "yesterday", "malformed_proof"),
        ("verificationMethod", "did:web:unknown.example#key-1", "unknown_key"),
        ("verificationMethod", 42, "malformed_proof"),
        ("proofValue", "u" + "A" * 86, "malformed_proof"),
        ("proofValue", "z0OIl", "malformed_proof"),
        ("proofValue", "z3yQ", "malformed_proof"),
        ("expires", "2000-01-01T00:00:00Z", "proof_expired"),
    ],
)
def test_proof_problems_have_stable_codes(vectors, field, value, code):
    signed = load(vectors, "eddsa-jcs-2022/signedJCS.json")
    signed["proof"][field] = value
    assert verify(signed, did_key_resolver).error_code == code


def test_swapping_the_cryptosuite_name_fails(vectors):
    signed = load(vectors, "eddsa-rdfc-2022/signedDataInt.json")
    signed["proof"]["cryptosuite"] = EDDSA_JCS_2022
    assert verify(signed, did_key_resolver).error_code == "bad_signature"


def test_a_flipped_signature_bit_fails(vectors):
    signed = load(vectors, "eddsa-jcs-2022/signedJCS.json")
    signature = bytearray(decode_base58btc(signed["proof"]["proofValue"]))
    signature[10] ^= 1
    signed["proof"]["proofValue"] = encode_base58btc(bytes(signature))
    assert verify(signed, did_key_resolver).error_code == "bad_signature"


def test_jcs_proof_context_must_open_the_document_context(vectors):
    signed = load(vectors, "eddsa-jcs-2022/signedJCS.json")
    signed["@context"] = list(reversed(signed["@context"]))
    assert verify(signed, did_key_resolver).error_code == "context_mismatch"


def test_jcs_ignores_contexts_appended_after_signing(vectors):
    # eddsa-jcs-2022 Verify Proof: the proof's @context stands in for the document's.
    signed = load(vectors, "eddsa-jcs-2022/signedJCS.json")
    signed["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert verify(signed, did_key_resolver).verified


def test_domain_and_challenge_are_checked_when_expected(key_pair, vectors):
    private_key, multikey = key_pair
    signed = add_proof(
        load(vectors, "unsigned.json"),
        private_key,
        verification_method=f"did:key:{multikey}#{multikey}",
        domain="zw.example.gov.cn",
        challenge="c-1",
    )
    assert verify(signed, did_key_resolver, expected_domain="zw.example.gov.cn").verified
    assert (
        verify(signed, did_key_resolver, expected_domain="other.example").error_code
        == "domain_mismatch"
    )
    assert (
        verify(signed, did_key_resolver, expected_challenge="c-2").error_code
        == "challenge_mismatch"
    )


def test_proof_expiry_is_checked_against_now(key_pair, vectors):
    private_key, multikey = key_pair
    signed = add_proof(
        load(vectors, "unsigned.json"),
        private_key,
        verification_method=f"did:key:{multikey}#{multikey}",
        created="2025-01-01T00:00:00Z",
        expires="2026-01-01T00:00:00Z",
    )
    before = datetime(2025, 6, 1, tzinfo=UTC)
    after = datetime(2026, 6, 1, tzinfo=UTC)
    assert verify(signed, did_key_resolver, now=before).verified
    assert verify(signed, did_key_resolver, now=after).error_code == "proof_expired"


# --- proof sets and chains ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("signedProofSet1.json", 1),
        ("signedProofSet2.json", 2),
        ("signedProofChain1.json", 3),
        ("signedProofChain2.json", 4),
    ],
)
def test_proof_sets_and_chains_verify(vectors, name, count):
    result = verify(load(vectors, f"proof-set-chain/{name}"), did_key_resolver)
    assert result.verified, result
    assert len(result.proofs) == count
    assert all(p.verified for p in result.proofs)


def _pair(vectors, name):
    pair = load(vectors, "proof-set-chain/multiKeyPairs.json")[name]
    return multikey_to_private_key(pair["privateKeyMultibase"])


def _sign_with_config(document, private_key, config):
    return add_proof(
        document,
        private_key,
        verification_method=config["verificationMethod"],
        cryptosuite=config["cryptosuite"],
        created=config["created"],
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


def test_signing_reproduces_the_proof_set(vectors):
    document = load(vectors, "proof-set-chain/unsigned.json")
    first = _sign_with_config(
        document, _pair(vectors, "keyPair1"), load(vectors, "proof-set-chain/proofSetConfig1.json")
    )
    assert first == load(vectors, "proof-set-chain/signedProofSet1.json")
    both = _sign_with_config(
        first, _pair(vectors, "keyPair2"), load(vectors, "proof-set-chain/proofSetConfig2.json")
    )
    assert both == load(vectors, "proof-set-chain/signedProofSet2.json")


def test_signing_reproduces_the_proof_chain(vectors):
    third = _sign_with_config(
        load(vectors, "proof-set-chain/proofChainTempDoc1.json"),
        _pair(vectors, "keyPair3"),
        load(vectors, "proof-set-chain/proofChainConfig1.json"),
    )
    assert third["proof"][-1] == load(vectors, "proof-set-chain/proofChainConfigSigned1.json")
    assert third == load(vectors, "proof-set-chain/signedProofChain1.json")
    fourth = _sign_with_config(
        load(vectors, "proof-set-chain/proofChainTempDoc2.json"),
        _pair(vectors, "keyPair4"),
        load(vectors, "proof-set-chain/proofChainConfig2.json"),
    )
    assert fourth["proof"][-1] == load(vectors, "proof-set-chain/proofChainConfigSigned2.json")


def test_a_chain_fails_when_the_previous_proof_is_removed(vectors):
    signed = load(vectors, "proof-set-chain/signedProofChain2.json")
    signed["proof"] = [p for p in signed["proof"] if p.get("id") != signed["proof"][2]["id"]]
    result = verify(signed, did_key_resolver)
    assert result.error_code == "previous_proof_missing"


def test_a_chain_fails_when_a_previous_proof_is_altered(vectors):
    signed = load(vectors, "proof-set-chain/signedProofChain1.json")
    signed["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    result = verify(signed, did_key_resolver)
    assert not result.verified
    # The altered first proof fails, and so does the chained proof that signed it.
    assert [p.verified for p in result.proofs] == [False, True, False]


def test_one_bad_proof_in_a_set_fails_the_document(vectors):
    signed = load(vectors, "proof-set-chain/signedProofSet2.json")
    signed["proof"][1]["verificationMethod"] = signed["proof"][0]["verificationMethod"]
    result = verify(signed, did_key_resolver)
    assert not result.verified
    assert [p.verified for p in result.proofs] == [True, False]


def test_jcs_proof_chain_round_trip(key_pair, vectors):
    private_key, multikey = key_pair
    second_key = _pair(vectors, "keyPair2")
    second_multikey = public_key_to_multikey(second_key.public_key())
    first = add_proof(
        load(vectors, "unsigned.json"),
        private_key,
        verification_method=f"did:key:{multikey}#{multikey}",
        proof_id="urn:uuid:first",
    )
    chained = add_proof(
        first,
        second_key,
        verification_method=f"did:key:{second_multikey}#{second_multikey}",
        previous_proof="urn:uuid:first",
    )
    assert verify(chained, did_key_resolver).verified
    chained["proof"][0]["created"] = "2020-01-01T00:00:00Z"
    assert [p.verified for p in verify(chained, did_key_resolver).proofs] == [False, False]


# --- resolvers, offline contexts and hostile input ----------------------------------------------


def test_static_and_chained_resolvers(key_pair, vectors):
    private_key, _ = key_pair
    method = "did:web:zw.example.gov.cn:depts:11330105002500287C#key-1"
    signed = add_proof(load(vectors, "unsigned.json"), private_key, verification_method=method)
    static = StaticKeyResolver({method: public_key_to_multikey(private_key.public_key())})
    assert verify(signed, static).verified
    assert verify(signed, chain_resolvers(did_key_resolver, static)).verified
    assert verify(signed, did_key_resolver).error_code == "unknown_key"

    def refusing(_method):
        raise LookupError(_method)

    assert verify(signed, refusing).error_code == "unknown_key"


def test_unknown_context_is_never_fetched(vectors, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    signed = load(vectors, "eddsa-rdfc-2022/signedDataInt.json")
    signed["@context"].append("https://contexts.example/unknown/v1")
    assert verify(signed, did_key_resolver).error_code == "context_not_available"
    with pytest.raises(ContextNotAvailableError):
        OfflineDocumentLoader()("https://contexts.example/unknown/v1")
    for url in ("file:///etc/passwd", "http://www.w3.org/ns/credentials/v2"):
        with pytest.raises(ContextNotAvailableError):
            OfflineDocumentLoader()(url)


def test_extra_contexts_can_be_supplied_to_a_loader(vectors):
    url = "https://contexts.example/extra/v1"
    loader = OfflineDocumentLoader().with_contexts(
        {url: {"@context": {"extraClaim": "https://contexts.example/extra#extraClaim"}}}
    )
    document = load(vectors, "unsigned.json")
    document["@context"] = ["https://www.w3.org/ns/credentials/v2", url]
    document["credentialSubject"] = {"id": "did:example:abc", "extraClaim": "yes"}
    assert "contexts.example/extra#extraClaim" in canonical.rdfc(document, loader=loader)
    with pytest.raises(canonical.CanonicalizationError) as caught:
        canonical.rdfc(document)
    assert caught.value.code == "context_not_available"


def test_safe_mode_refuses_terms_that_would_be_dropped():
    # The VC 1.1 context has no @vocab: an undefined term vanishes from the N-Quads, so the
    # signature would not cover it. Safe mode refuses the document instead.
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "https://zw.example.gov.cn",
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abc", "undefinedClaim": "x"},
    }
    with pytest.raises(canonical.CanonicalizationError) as caught:
        canonical.rdfc(document)
    assert caught.value.code == "undefined_term"
    document["credentialSubject"] = {"id": "did:example:abc"}
    document["type"] = ["VerifiableCredential", "UndefinedType"]
    with pytest.raises(canonical.CanonicalizationError) as caught:
        canonical.rdfc(document)
    assert caught.value.code == "undefined_term"
    document["type"] = ["VerifiableCredential"]
    assert "credentials#VerifiableCredential" in canonical.rdfc(document)
    document["id"] = "certificates/42"
    with pytest.raises(canonical.CanonicalizationError) as caught:
        canonical.rdfc(document)
    assert caught.value.code == "undefined_term"


def test_look_alike_blank_nodes_are_refused_quickly():
    # A "poison" graph: ten blank nodes that all point at each other look identical to RDFC-1.0
    # and would take factorial time without a limit.
    prop = "https://www.w3.org/ns/credentials/examples#knows"
    nodes = [
        {"@id": f"_:n{i}", prop: [{"@id": f"_:n{j}"} for j in range(10) if j != i]}
        for i in range(10)
    ]
    with pytest.raises(canonical.CanonicalizationError) as caught:
        canonical.rdfc({"@graph": nodes})
    assert caught.value.code == "too_complex"


CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
HOSTILE: list[Any] = [
    None,
    [],
    "a string",
    {},
    {"proof": None},
    {"proof": "z123"},
    {"proof": []},
    {"proof": [1, 2]},
    {"proof": {}},
    {"proof": {"type": "DataIntegrityProof"}},
    {"proof": {"type": "DataIntegrityProof", "cryptosuite": ["eddsa-jcs-2022"]}},
    {"proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": 5}},
    {"proof": {"id": ["x"], "previousProof": {"a": 1}}},
    {"proof": [{"id": ["x"]}, {"previousProof": ["x"]}]},
    {"@context": 5, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}},
    {"@context": {"@import": "https://evil.example/ctx"}},
    {"@context": "https://evil.example/ctx"},
    {"@context": [{"@vocab": 5}]},
    {"@context": [None, {"@protected": "yes"}]},
    {"@context": {"a": {"@id": "@context"}}, "a": 1},
    {"n": float("nan")},
    {"n": 2**80},
    {"n": {1, 2}},
    {"expires": "99999-01-01T00:00:00Z"},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": ["not", "an", "iri"]},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": 5},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "@graph": "x"},
]


def _deep(depth):
    value: object = "leaf"
    for _ in range(depth):
        value = {"n": value}
    return value


@pytest.mark.parametrize("suite", [EDDSA_JCS_2022, EDDSA_RDFC_2022])
def test_hostile_documents_fail_without_raising(vectors, suite):
    template = load(vectors, "eddsa-rdfc-2022/signedDataInt.json")["proof"]
    template["cryptosuite"] = suite
    documents: list[Any] = [*HOSTILE]
    for extra in HOSTILE:
        if isinstance(extra, dict):
            document: dict[str, Any] = {"@context": [CREDENTIALS_V2], **extra}
            if "proof" not in extra:
                document["proof"] = dict(template)
                if "expires" in extra:
                    document["proof"]["expires"] = extra["expires"]
            documents.append(document)
    documents.append({"deep": _deep(3000), "proof": dict(template)})
    for document in documents:
        result = verify(document, did_key_resolver)
        assert not result.verified, document
        assert result.error_code, document
