"""A Chinese e-certificate as a VC 2.0 credential: shape, signing in both suites, terms, status."""

import copy
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stdnum.cn import uscc

from yiwang.certificates.vc import canonical
from yiwang.certificates.vc.credential import (
    CertificateClaims,
    CredentialError,
    build_certificate_credential,
    credential_url,
    national_fields,
    undefined_terms,
    validity_problem,
)
from yiwang.certificates.vc.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    StaticKeyResolver,
    add_proof,
    verify,
)
from yiwang.certificates.vc.identifier import make_identifier
from yiwang.certificates.vc.status_list import (
    SUSPENSION,
    BitstringStatusList,
    build_status_list_credential,
    credential_status,
    status_list_entry,
)

ISSUER_USCC = "11330105002500287C"  # 杭州市西湖区 department, from a real identifier
IDENTIFIER = make_identifier("11100000000013338W009", ISSUER_USCC, "2025052201", 2)
PREDECESSOR = make_identifier("11100000000013338W009", ISSUER_USCC, "2025052201", 1)
HOLDER_USCC = "91330106MA2H0B2X4" + uscc.calc_check_digit("91330106MA2H0B2X4")
ISSUER_DID = "did:web:zw.example.gov.cn:depts:11330105002500287C"
METHOD = ISSUER_DID + "#key-1"
STATUS_URL = "https://zw.example.gov.cn/status/revocation/1"
SUSPENSION_URL = "https://zw.example.gov.cn/status/suspension/1"


def claims(**changes):
    values = {
        "identifier": IDENTIFIER,
        "certificate_name": "建筑施工企业安全生产许可证",
        "certificate_type": "安全生产许可证",
        "certificate_number": "(浙)JZ安许证字[2025]000123",
        "holder_name": "杭州某某建设有限公司",
        "holder_code": HOLDER_USCC,
        "holder_code_type": "001",
        "issue_date": date(2025, 5, 22),
        "valid_from": date(2025, 5, 22),
        "valid_until": date(2028, 5, 21),
        "area_code": "330106",
        "face_data": {"法定代表人": "张三", "许可范围": "建筑施工", "注册资本（万元）": 5000},
        "associated_identifier": PREDECESSOR,
    }
    values.update(changes)
    return CertificateClaims(**values)


def build(**changes):
    return build_certificate_credential(
        claims(**changes),
        credential_id=credential_url("https://zw.example.gov.cn/certificates/", IDENTIFIER),
        issuer_id=ISSUER_DID,
        issuer_name="杭州市西湖区住房和城乡建设局",
        credential_status=[
            status_list_entry(list_credential=STATUS_URL, index=94567),
            status_list_entry(
                list_credential=SUSPENSION_URL, index=94567, status_purpose=SUSPENSION
            ),
        ],
    )


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def resolver(key):
    return StaticKeyResolver({METHOD: key.public_key()})


def test_credential_shape():
    credential = build()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://yiwang.example/ns/certificate/v1",
    ]
    assert credential["id"] == f"https://zw.example.gov.cn/certificates/{IDENTIFIER}"
    assert credential["type"] == ["VerifiableCredential", "ChineseElectronicCertificate"]
    assert credential["name"] == "建筑施工企业安全生产许可证"
    assert credential["issuer"] == {
        "id": ISSUER_DID,
        "name": "杭州市西湖区住房和城乡建设局",
        "issueDeptCode": ISSUER_USCC,
    }
    # Certificate dates are Beijing dates: valid from the start of the first day to the end
    # of the last one.
    assert credential["validFrom"] == "2025-05-22T00:00:00+08:00"
    assert credential["validUntil"] == "2028-05-21T23:59:59+08:00"
    subject = credential["credentialSubject"]
    assert subject["certificateIdentifier"] == IDENTIFIER
    assert subject["certificateTypeCode"] == "11100000000013338W009"
    assert subject["issueDate"] == "2025-05-22"
    assert subject["longTermValid"] is False
    assert subject["associatedCertificateIdentifier"] == PREDECESSOR
    assert [s["statusPurpose"] for s in credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]


def test_long_term_certificate_has_no_valid_until():
    credential = build(valid_until=None)
    assert "validUntil" not in credential
    assert credential["credentialSubject"]["longTermValid"] is True


def test_every_term_is_defined_by_the_shipped_contexts():
    credential = build()
    assert undefined_terms(credential) == []
    # A term nobody defined would fall to VC 2.0's issuer-dependent vocabulary; it is caught.
    credential["credentialSubject"]["nickname"] = "老张"
    assert undefined_terms(credential) == ["nickname"]


def test_rdfc_keeps_every_claim():
    nquads = canonical.rdfc(build())
    for term in (
        "holderName",
        "holderCode",
        "holderCodeType",
        "certificateIdentifier",
        "certificateNumber",
        "certificateType",
        "certificateTypeCode",
        "issueDate",
        "longTermValid",
        "certificateAreaCode",
        "faceData",
        "associatedCertificateIdentifier",
        "issueDeptCode",
    ):
        assert f"https://yiwang.example/ns/certificate#{term}>" in nquads, term
    assert "注册资本（万元）" in nquads
    assert '"2025-05-22"^^<http://www.w3.org/2001/XMLSchema#date>' in nquads


@pytest.mark.parametrize("suite", [EDDSA_JCS_2022, EDDSA_RDFC_2022])
def test_sign_and_verify_round_trip(key, resolver, suite):
    signed = add_proof(build(), key, verification_method=METHOD, cryptosuite=suite)
    result = verify(signed, resolver)
    assert result.verified, result


@pytest.mark.parametrize("suite", [EDDSA_JCS_2022, EDDSA_RDFC_2022])
def test_any_changed_claim_breaks_the_signature(key, resolver, suite):
    signed = add_proof(build(), key, verification_method=METHOD, cryptosuite=suite)
    for field in signed["credentialSubject"]:
        tampered = copy.deepcopy(signed)
        value = tampered["credentialSubject"][field]
        if isinstance(value, bool):
            tampered["credentialSubject"][field] = not value
        elif isinstance(value, dict):
            tampered["credentialSubject"][field] = {**value, "许可范围": "全部"}
        else:
            tampered["credentialSubject"][field] = value + "1"
        assert verify(tampered, resolver).error_code == "bad_signature", field
    for field in ("name", "validFrom", "validUntil", "id"):
        tampered = copy.deepcopy(signed)
        tampered[field] = tampered[field] + "1"
        assert not verify(tampered, resolver).verified, field
    tampered = copy.deepcopy(signed)
    tampered["credentialStatus"][0]["statusListIndex"] = "94568"
    assert verify(tampered, resolver).error_code == "bad_signature"


def test_protected_terms_cannot_be_redefined_after_the_yiwang_context(key, resolver):
    signed = add_proof(build(), key, verification_method=METHOD, cryptosuite=EDDSA_RDFC_2022)
    signed["@context"].append({"holderName": "https://evil.example/#name"})
    result = verify(signed, resolver)
    assert not result.verified
    assert result.error_code == "malformed_document"


def test_bad_inputs_are_refused_with_codes():
    cases = [
        ({"identifier": IDENTIFIER[:-1] + "9"}, "identifier_bad_check"),
        ({"associated_identifier": "1.2.3"}, "identifier_bad_prefix"),
        ({"holder_code": HOLDER_USCC[:-1] + "0"}, "bad_holder_code"),
        ({"holder_code_type": "111", "holder_code": "110105194912310021"}, "bad_holder_code"),
        ({"holder_code_type": "ID"}, "bad_holder_code_type"),
        ({"valid_until": date(2020, 1, 1)}, "bad_validity"),
        ({"valid_from": datetime(2025, 5, 22, tzinfo=None)}, "naive_datetime"),  # noqa: DTZ001
    ]
    for change, code in cases:
        with pytest.raises(CredentialError) as caught:
            build(**change)
        assert caught.value.code == code, change


def test_a_citizen_holder_with_a_valid_id_number():
    credential = build(holder_code_type="111", holder_code="11010519491231002X")
    assert credential["credentialSubject"]["holderCode"] == "11010519491231002X"


def test_national_fields_round_trip():
    fields = national_fields(build())
    assert fields == {
        "certificate_source_id": IDENTIFIER,
        "certificate_number": "(浙)JZ安许证字[2025]000123",
        "certificate_type": "安全生产许可证",
        "certificate_type_code": "11100000000013338W009",
        "certificate_holder": "杭州某某建设有限公司",
        "certificate_holder_code": HOLDER_USCC,
        "certificate_holder_type": "001",
        "issue_date": "2025-05-22",
        "certificate_area_code": "330106",
        "certificate_name": "建筑施工企业安全生产许可证",
        "issue_dept": "杭州市西湖区住房和城乡建设局",
        "issue_dept_code": ISSUER_USCC,
    }


def test_validity_period_on_beijing_days():
    credential = build()
    # 2025-05-21T16:00Z is midnight 2025-05-22 in Beijing.
    assert validity_problem(credential, datetime(2025, 5, 21, 15, 59, tzinfo=UTC)) == (
        "not_yet_valid"
    )
    assert validity_problem(credential, datetime(2025, 5, 21, 16, 0, tzinfo=UTC)) is None
    assert validity_problem(credential, datetime(2028, 5, 21, 15, 59, tzinfo=UTC)) is None
    assert validity_problem(credential, datetime(2028, 5, 21, 16, 0, tzinfo=UTC)) == "expired"
    assert validity_problem(build(valid_until=None), datetime(2099, 1, 1, tzinfo=UTC)) is None
    assert validity_problem({"validFrom": "soon"}, datetime(2025, 1, 1, tzinfo=UTC)) == (
        "malformed_validity"
    )


def test_revocation_through_the_status_list(key, resolver):
    credential = build()
    status_list = BitstringStatusList()
    list_credential = build_status_list_credential(
        list_id=STATUS_URL,
        issuer=ISSUER_DID,
        status_list=status_list,
        valid_from=datetime(2025, 5, 22, tzinfo=UTC),
    )
    entry = credential["credentialStatus"][0]
    assert credential_status(entry, list_credential) == 0
    status_list.set(int(entry["statusListIndex"]))
    revoked_list = build_status_list_credential(
        list_id=STATUS_URL,
        issuer=ISSUER_DID,
        status_list=status_list,
        valid_from=datetime(2025, 6, 1, tzinfo=UTC),
    )
    signed_list = add_proof(revoked_list, key, verification_method=METHOD)
    assert verify(signed_list, resolver).verified
    assert credential_status(entry, signed_list) == 1


def test_a_resident_born_before_their_districts_code_is_a_valid_holder():
    # 360102 (南昌市东湖区) dates from 1983; people born there in 1960 hold 360102-1960 numbers.
    from stdnum.cn import ric

    body = "36010219600101001"
    number = body + ric.calc_check_digit(body + "0")
    assert not ric.is_valid(number)  # why the credential does not use ric.is_valid
    credential = build(holder_code_type="111", holder_code=number)
    assert credential["credentialSubject"]["holderCode"] == number
    with pytest.raises(CredentialError):
        build(holder_code_type="111", holder_code=body + "0" if number[-1] != "0" else body + "1")
    with pytest.raises(CredentialError):
        build(holder_code_type="111", holder_code="36010219601301001" + "0")
