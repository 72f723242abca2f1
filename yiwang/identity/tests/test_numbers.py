"""National numbers: published valid examples pass; each kind of mistake gets its own code."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.errors import DomainError
from yiwang.core.national_numbers import check_resident_id, check_uscc

# GB 11643-1999's own worked example, and python-stdnum's documented example.
VALID_IDS = ["11010519491231002X", "360426199101010071", "11010519491231002x "]
# GB 32100 examples from python-stdnum's documentation and a public registration.
VALID_USCCS = ["91110000600037341L", "91350100M000100Y43", "9135 0100 M000 100Y43"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids(number: str) -> None:
    assert check_resident_id(number) == number.strip().upper()


def test_resident_born_before_their_district_existed_is_valid() -> None:
    # 东湖区's code dates from 1983; numbers issued from 1985 used it for older people too.
    from yiwang.portal.demo.city import resident_id_for

    assert check_resident_id(resident_id_for("360102", dt.date(1960, 3, 1), 12))


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("110105194912310021", "id_number_checksum", "校验位"),  # last digit changed
        ("11010519491231002", "id_number_length", "18 位"),
        ("1101051949123100211", "id_number_length", "18 位"),
        ("1101051949123100AX", "id_number_format", "17 位"),
        ("110105194902300028", "id_number_birth_date", "出生日期"),  # 30 February
        ("110105203001010018", "id_number_birth_date", "出生日期"),  # born in 2030
        ("990105194912310026", "id_number_region", "行政区划"),  # no region 990105
    ],
)
def test_invalid_resident_ids(number: str, code: str, words: str) -> None:
    from stdnum.cn import ric

    # Make sure each bad example fails for the stated reason, not by a wrong check digit.
    if code not in {"id_number_checksum", "id_number_length", "id_number_format"}:
        number = number[:17] + ric.calc_check_digit(number)
    with pytest.raises(DomainError) as caught:
        check_resident_id(number, today=dt.date(2026, 11, 27))
    assert caught.value.code == code
    assert words in caught.value.message


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_usccs(code: str) -> None:
    assert check_uscc(code) == code.replace(" ", "")


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        ("91110000600037341M", "uscc_checksum", "校验位"),
        ("91110000600037341", "uscc_length", "18 位"),
        ("91110000600O37341L", "uscc_forbidden_letter", "O"),
        ("9111000060003734IL", "uscc_forbidden_letter", "I"),
        ("91110000S00037341L", "uscc_forbidden_letter", "S"),
        ("91AB0000600037341L", "uscc_format", "行政区划"),
        ("9111000060003734#L", "uscc_format", "数字和大写字母"),
    ],
)
def test_invalid_usccs(code: str, error: str, words: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_uscc(code)
    assert caught.value.code == error
    assert words in caught.value.message


def test_messages_follow_the_language() -> None:
    from django.utils import translation

    with pytest.raises(DomainError) as caught:
        check_uscc("91110000600037341M")
    # The message is rendered when shown, in the language of whoever reads it.
    with translation.override("en"):
        assert "check character" in caught.value.message
    assert "校验位" in caught.value.message
