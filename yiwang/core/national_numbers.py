"""National identity numbers: resident ID (GB 11643) and USCC (GB 32100).

Checksums come from python-stdnum; the checks around them give each kind of mistake its own
code and message, because "invalid" alone does not tell a clerk what to fix.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from yiwang.core.errors import DomainError

# GB 32100 never uses I, O, Z, S or V, so they cannot be confused with 1, 0, 2, 5 and U.
USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
USCC_FORBIDDEN = frozenset("IOZSV")


def normalise(value: str) -> str:
    """Strip spaces and hyphens people type, and upper-case the letters."""
    return "".join(value.split()).replace("-", "").upper()


def check_resident_id(value: str, *, field: str = "id_number", today: dt.date | None = None) -> str:
    """Return the normalised 18-digit resident ID or raise DomainError naming the mistake."""
    number = normalise(value)
    if len(number) != 18:
        raise DomainError(
            "id_number_length",
            _("居民身份证号码须为 18 位，您输入了 %(count)d 位。"),
            params={"count": len(number)},
            field=field,
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError(
            "id_number_format",
            _("居民身份证号码前 17 位须为数字，最后一位为数字或 X。"),
            field=field,
        )
    if ric.calc_check_digit(number) != number[17]:
        raise DomainError(
            "id_number_checksum", _("居民身份证号码校验位不正确，请核对。"), field=field
        )
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise DomainError(
            "id_number_birth_date", _("居民身份证号码中的出生日期不存在。"), field=field
        ) from None
    if birth > (today or timezone.localdate()) or birth.year < 1900:
        raise DomainError(
            "id_number_birth_date", _("居民身份证号码中的出生日期不可能。"), field=field
        )
    if not is_known_division(number[:6]):
        raise DomainError(
            "id_number_region",
            _("居民身份证号码前 6 位不是已知的行政区划代码。"),
            field=field,
        )
    return number


def is_known_division(code6: str) -> bool:
    """True if the 6-digit code was a county-level division at any time.

    stdnum's own ric.get_birth_place also requires the code to have existed in the birth
    year, but numbers were first issued in 1985 under the codes of that time, so a resident
    of 东湖区 (code from 1983) born in 1960 holds a real 360102-1960 number. We must not
    refuse real people, so only the code's existence is checked.
    """
    results = numdb.get("cn/loc").info(code6)
    return any("county" in props for _part, props in results)


def check_uscc(value: str, *, field: str = "uscc") -> str:
    """Return the normalised unified social credit code or raise DomainError."""
    code = normalise(value)
    if len(code) != 18:
        raise DomainError(
            "uscc_length",
            _("统一社会信用代码须为 18 位，您输入了 %(count)d 位。"),
            params={"count": len(code)},
            field=field,
        )
    forbidden = sorted(set(code) & USCC_FORBIDDEN)
    if forbidden:
        raise DomainError(
            "uscc_forbidden_letter",
            _("统一社会信用代码不使用字母 I、O、Z、S、V（发现：%(letters)s）。"),
            params={"letters": "、".join(forbidden)},
            field=field,
        )
    if any(char not in USCC_ALPHABET for char in code):
        raise DomainError("uscc_format", _("统一社会信用代码只能包含数字和大写字母。"), field=field)
    if not code[2:8].isdigit():
        raise DomainError(
            "uscc_format",
            _("统一社会信用代码第 3 至 8 位须为行政区划数字码。"),
            field=field,
        )
    if uscc.calc_check_digit(code) != code[17]:
        raise DomainError("uscc_checksum", _("统一社会信用代码校验位不正确，请核对。"), field=field)
    return code
