"""GB/T 36904 identifiers: real identifiers from provincial systems, and every malformed shape."""

import pytest

from yiwang.certificates.vc.identifier import (
    CertificateIdentifier,
    IdentifierError,
    compute_check,
    is_valid_identifier,
    make_identifier,
    normalize_serial,
    parse_identifier,
)

# Zhejiang (from an OFD file name of a published project record) and the 住建部 interface spec.
ZHEJIANG = "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0"
MOHURD_SPEC = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
# Shandong's certificate-sharing API documentation example. Its check character "M" is not the
# MOD 37,36 of the four fields (that is "D"); see test_shandong_example_check_is_not_mod_37_36.
SHANDONG_DOC = (
    "1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M"
)


@pytest.mark.parametrize("value", [ZHEJIANG, MOHURD_SPEC])
def test_real_identifiers_parse_and_their_check_is_recomputed(value):
    parsed = parse_identifier(value)
    assert parsed.value == value
    assert parsed.check == value[-1]
    assert parsed.expected_check == value[-1]
    assert make_identifier(parsed.type_code, parsed.issuer_uscc, parsed.serial, parsed.version) == (
        value
    )


def test_fields_of_a_parsed_identifier():
    parsed = parse_identifier(ZHEJIANG)
    assert parsed == CertificateIdentifier(
        type_code="11100000000013338W009",
        issuer_uscc="11330105002500287C",
        serial="2025052201",
        version=2,
        check="0",
    )
    assert parsed.defining_authority_uscc == "11100000000013338W"  # 住建部
    assert str(parsed) == ZHEJIANG


def test_shandong_example_check_is_not_mod_37_36():
    # Every field of this real example is well formed (both USCCs pass GB 32100), but its check
    # character does not follow the algorithm the Hubei guide and the 住建部 spec use.
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(SHANDONG_DOC)
    assert caught.value.code == "bad_check"
    lenient = parse_identifier(SHANDONG_DOC, strict=False)
    assert lenient.check == "M"
    assert lenient.expected_check == "D"
    assert not lenient.check_valid
    assert lenient.serial == "209FA4E88F9E4C878F3E9BED2CE7EA49"


def test_check_over_concatenated_fields():
    assert compute_check("11100000000013338W009", "11330105002500287C", "2025052201", 2) == "0"


@pytest.mark.parametrize("value", [ZHEJIANG, MOHURD_SPEC])
def test_any_changed_character_is_refused(value):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ."
    start = len("1.2.156.3005.2.")
    for position in range(len(value)):
        original = value[position]
        replacement = "7" if original != "7" else "8"
        if position < start and original == ".":
            replacement = "1"
        changed = value[:position] + replacement + value[position + 1 :]
        assert replacement in alphabet
        with pytest.raises(IdentifierError) as caught:
            parse_identifier(changed)
        assert caught.value.code in {
            "bad_prefix",
            "bad_format",
            "bad_type_code",
            "bad_issuer",
            "bad_serial",
            "bad_version",
            "bad_check",
        }, (position, changed)


def test_a_changed_serial_character_is_caught_by_the_check():
    changed = ZHEJIANG.replace(".2025052201.", ".2025052202.")
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(changed)
    assert caught.value.code == "bad_check"


def test_swapped_adjacent_serial_characters_are_caught():
    changed = ZHEJIANG.replace(".2025052201.", ".2025052210.")
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(changed)
    assert caught.value.code == "bad_check"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "bad_prefix"),
        ("1.2.156.3005.3.11100000000013338W009.11330105002500287C.2025052201.002.0", "bad_prefix"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002", "bad_format"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025.052201.002.0", "bad_format"),
        (
            "1.2.156.3005.2.11100000000013338W09.11330105002500287C.2025052201.002.0",
            "bad_type_code",
        ),
        (
            "1.2.156.3005.2.11100000000013338WA09.11330105002500287C.2025052201.002.0",
            "bad_type_code",
        ),
        (
            "1.2.156.3005.2.11100000000013338X009.11330105002500287C.2025052201.002.0",
            "bad_type_code",
        ),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287D.2025052201.002.0", "bad_issuer"),
        ("1.2.156.3005.2.11100000000013338W009.1133010500250028.2025052201.002.0", "bad_issuer"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C..002.0", "bad_serial"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025-05.002.0", "bad_serial"),
        (
            "1.2.156.3005.2.11100000000013338W009.11330105002500287C." + "A" * 33 + ".002.0",
            "bad_serial",
        ),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.02.0", "bad_version"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.000.0", "bad_version"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.00A.0", "bad_version"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.00", "bad_check"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.*", "bad_check"),
        ("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.1", "bad_check"),
    ],
)
def test_malformed_identifiers_have_stable_codes(value, code):
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(value)
    assert caught.value.code == code
    assert not is_valid_identifier(value)


def test_non_string_input_is_an_identifier_error():
    with pytest.raises(IdentifierError):
        parse_identifier(None)


def test_typed_in_lowercase_with_spaces_still_parses():
    assert parse_identifier(f"  {SHANDONG_DOC.lower()} ", strict=False).check == "M"
    assert parse_identifier(ZHEJIANG.lower()).value == ZHEJIANG


def test_make_identifier_normalises_a_guid_serial():
    guid = "209fa4e8-8f9e-4c87-8f3e-9bed2ce7ea49"
    made = make_identifier("11100000000013661B006", "113700000045046442", guid, 1)
    assert made.endswith(".209FA4E88F9E4C878F3E9BED2CE7EA49.001.D")
    assert normalize_serial(guid) == "209FA4E88F9E4C878F3E9BED2CE7EA49"


@pytest.mark.parametrize("version", [0, 1000, -1, True])
def test_make_identifier_refuses_versions_outside_001_999(version):
    with pytest.raises(IdentifierError) as caught:
        make_identifier("11100000000013338W009", "11330105002500287C", "2025052201", version)
    assert caught.value.code == "bad_version"


def test_make_identifier_refuses_a_bad_serial_and_issuer():
    with pytest.raises(IdentifierError) as caught:
        make_identifier("11100000000013338W009", "11330105002500287C", "2025/01", 1)
    assert caught.value.code == "bad_serial"
    with pytest.raises(IdentifierError) as caught:
        make_identifier("11100000000013338W009", "11330105002500287D", "2025", 1)
    assert caught.value.code == "bad_issuer"


def test_next_version_keeps_the_serial_and_recomputes_the_check():
    renewed = parse_identifier(ZHEJIANG).next_version()
    assert renewed.version == 3
    assert renewed.serial == "2025052201"
    assert renewed.value.endswith(".2025052201.003." + renewed.check)
    assert parse_identifier(renewed.value) == renewed
