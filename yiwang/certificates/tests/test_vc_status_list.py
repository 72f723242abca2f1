"""Bitstring Status List v1.0: bit order, encoding, limits and the status list credential."""

import base64
import gzip
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yiwang.certificates.vc.canonical import issuer_dependent_terms
from yiwang.certificates.vc.dataintegrity import EDDSA_RDFC_2022, StaticKeyResolver, add_proof
from yiwang.certificates.vc.dataintegrity import verify as verify_proof
from yiwang.certificates.vc.multibase import encode_base64url
from yiwang.certificates.vc.status_list import (
    MIN_ENTRIES,
    SUSPENSION,
    BitstringStatusList,
    StatusListError,
    build_status_list_credential,
    credential_status,
    status_list_entry,
)

LIST_URL = "https://zw.example.gov.cn/status/revocation/1"


def _raw(encoded: str) -> bytes:
    """Decode an encodedList with the standard library only, independently of the code tested."""
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_new_list_has_the_minimum_size_and_is_all_clear():
    status_list = BitstringStatusList()
    assert status_list.size == MIN_ENTRIES == 131_072
    raw = _raw(status_list.encode())
    assert len(raw) == 16 * 1024
    assert not any(raw)


def test_index_zero_is_the_leftmost_bit_of_the_first_byte():
    status_list = BitstringStatusList()
    status_list.set(0)
    status_list.set(9)
    status_list.set(MIN_ENTRIES - 1)
    raw = _raw(status_list.encode())
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001
    assert [i for i in range(MIN_ENTRIES) if status_list.get(i)] == [0, 9, MIN_ENTRIES - 1]


def test_encoding_is_multibase_base64url_and_round_trips():
    status_list = BitstringStatusList()
    for index in (1, 94567, 131071):
        status_list.set(index)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert not set(encoded) & set("+/=")
    decoded = BitstringStatusList.decode(encoded)
    assert decoded.to_bytes() == status_list.to_bytes()
    assert decoded.get(94567) == 1
    assert decoded.get(94568) == 0


def test_same_bits_encode_to_the_same_string():
    # gzip's header holds a timestamp; a status list credential must not change when nothing did.
    first = BitstringStatusList()
    second = BitstringStatusList()
    first.set(5)
    second.set(5)
    assert first.encode() == second.encode()


def test_clearing_a_bit_lifts_a_suspension():
    status_list = BitstringStatusList()
    status_list.set(42, True)
    status_list.set(42, False)
    assert status_list.get(42) == 0


def test_multi_bit_statuses():
    status_list = BitstringStatusList(status_size=2)
    status_list.set(0, 0b10)
    status_list.set(3, 0b11)
    assert _raw(status_list.encode())[0] == 0b1000_0011
    decoded = BitstringStatusList.decode(status_list.encode(), status_size=2)
    assert [decoded.get(i) for i in range(5)] == [2, 0, 0, 3, 0]
    with pytest.raises(StatusListError) as caught:
        status_list.set(1, 4)
    assert caught.value.code == "bad_status_value"


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "1"])
def test_out_of_range_indexes_are_refused(index):
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList().get(index)
    assert caught.value.code == "index_out_of_range"


def test_a_list_shorter_than_the_minimum_is_refused():
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList(1000)
    assert caught.value.code == "list_too_short"
    short = encode_base64url(gzip.compress(bytes(1000)))
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList.decode(short)
    assert caught.value.code == "list_too_short"


def test_a_gzip_bomb_is_refused():
    bomb = encode_base64url(gzip.compress(bytes(64 * 1024 * 1024)))
    assert len(bomb) < 200_000
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList.decode(bomb)
    assert caught.value.code == "list_too_long"


@pytest.mark.parametrize(
    "encoded",
    ["", "zabc", "u!!!", "u" + encode_base64url(b"not gzip")[1:], "uH4sI"],
)
def test_garbage_encodings_are_refused(encoded):
    with pytest.raises(StatusListError) as caught:
        BitstringStatusList.decode(encoded)
    assert caught.value.code == "bad_encoding"


def test_status_entry_shape():
    entry = status_list_entry(list_credential=LIST_URL, index=94567, status_purpose=SUSPENSION)
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    with pytest.raises(StatusListError):
        status_list_entry(list_credential=LIST_URL, index=1, status_purpose="voided")


def _list_credential(status_list):
    return build_status_list_credential(
        list_id=LIST_URL,
        issuer="did:web:zw.example.gov.cn",
        status_list=status_list,
        valid_from=datetime(2025, 5, 22, tzinfo=UTC),
    )


def test_status_list_credential_shape_and_lookup():
    status_list = BitstringStatusList()
    status_list.set(94567)
    credential = _list_credential(status_list)
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["id"] == f"{LIST_URL}#list"
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["validFrom"] == "2025-05-22T00:00:00Z"
    revoked = status_list_entry(list_credential=LIST_URL, index=94567)
    in_force = status_list_entry(list_credential=LIST_URL, index=94566)
    assert credential_status(revoked, credential) == 1
    assert credential_status(in_force, credential) == 0


def test_lookup_refuses_a_mismatched_list_or_purpose():
    credential = _list_credential(BitstringStatusList())
    other_list = status_list_entry(list_credential=LIST_URL + "x", index=1)
    with pytest.raises(StatusListError) as caught:
        credential_status(other_list, credential)
    assert caught.value.code == "wrong_list"
    suspension = status_list_entry(list_credential=LIST_URL, index=1, status_purpose=SUSPENSION)
    with pytest.raises(StatusListError) as caught:
        credential_status(suspension, credential)
    assert caught.value.code == "wrong_purpose"
    bad_index = {**status_list_entry(list_credential=LIST_URL, index=1), "statusListIndex": 1}
    with pytest.raises(StatusListError) as caught:
        credential_status(bad_index, credential)
    assert caught.value.code == "bad_entry"


def test_status_list_credential_signs_and_verifies_with_every_term_defined():
    credential = _list_credential(BitstringStatusList())
    assert issuer_dependent_terms(credential) == []
    key = Ed25519PrivateKey.generate()
    method = "did:web:zw.example.gov.cn#status-key"
    resolver = StaticKeyResolver({method: key.public_key()})
    for suite in ("eddsa-jcs-2022", EDDSA_RDFC_2022):
        signed = add_proof(credential, key, verification_method=method, cryptosuite=suite)
        assert verify_proof(signed, resolver).verified
        revoked = BitstringStatusList()
        revoked.set(7)
        signed["credentialSubject"]["encodedList"] = revoked.encode()
        assert verify_proof(signed, resolver).error_code == "bad_signature"
