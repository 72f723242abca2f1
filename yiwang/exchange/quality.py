"""Quality checks along the GB/T 36344 dimensions, as pure functions of a row.

params per dimension:
- completeness: {}                              the item is present and not blank
- accuracy:     {"regex": "…"} | {"min": n, "max": n} | {"choices": [...]}
- consistency:  {"field": other item, "op": "<" "<=" "==" "!=" ">=" ">"}
- timeliness:   {"max_age_days": n}             of the row's source update time
- conformity:   {"format": "resident_id" | "uscc" | "phone" | "date" | "number"} or, when
                absent, the item's declared data type and length
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.core.errors import DomainError
from yiwang.core.national_numbers import check_resident_id, check_uscc
from yiwang.exchange.choices import DataType, QualityDimension

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}
FORMATS = frozenset({"resident_id", "uscc", "phone", "date", "number"})
MAX_REGEX = 200


def check_params(dimension: str, params: Mapping[str, Any], item_codes: set[str]) -> dict[str, Any]:
    """Validate a rule's parameters when it is written, so running it cannot fail."""
    bad = DomainError("rule_params_invalid", gettext_lazy("规则参数不正确。"), field="params")
    values = dict(params)
    if dimension == QualityDimension.ACCURACY:
        if "regex" in values:
            pattern = values["regex"]
            if not isinstance(pattern, str) or len(pattern) > MAX_REGEX:
                raise bad
            try:
                re.compile(pattern)
            except re.error:
                raise bad from None
        elif "choices" in values:
            if not isinstance(values["choices"], list) or not values["choices"]:
                raise bad
        elif "min" in values or "max" in values:
            for bound in ("min", "max"):
                if bound in values and not isinstance(values[bound], (int, float)):
                    raise bad
        else:
            raise bad
    elif dimension == QualityDimension.CONSISTENCY:
        if values.get("op") not in OPERATORS or values.get("field") not in item_codes:
            raise bad
    elif dimension == QualityDimension.TIMELINESS:
        age = values.get("max_age_days")
        if not isinstance(age, int) or age <= 0:
            raise bad
    elif dimension == QualityDimension.CONFORMITY:
        if "format" in values and values["format"] not in FORMATS:
            raise bad
    elif dimension != QualityDimension.COMPLETENESS:
        raise bad
    return values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _comparable(value: Any) -> Any:
    """Numbers compare as numbers, ISO dates as dates, anything else as text."""
    number = _number(value)
    if number is not None:
        return number
    day = _date(value)
    return day if day is not None else str(value)


def _conforms(value: Any, fmt: str | None, data_type: str, length: int | None) -> str | None:
    text = str(value)
    if fmt == "resident_id":
        try:
            check_resident_id(text)
        except DomainError:
            return _("不是有效的居民身份证号码")
        return None
    if fmt == "uscc":
        try:
            check_uscc(text)
        except DomainError:
            return _("不是有效的统一社会信用代码")
        return None
    if fmt == "phone":
        return None if re.fullmatch(r"1\d{10}", text) else _("不是有效的手机号码")
    if fmt == "date" or (fmt is None and data_type == DataType.DATE):
        return None if _date(value) is not None and len(text) == 10 else _("不是 YYYY-MM-DD 日期")
    if fmt == "number" or (fmt is None and data_type == DataType.NUMBER):
        return None if _number(value) is not None else _("不是数值")
    if fmt is None and data_type == DataType.BOOLEAN and not isinstance(value, bool):
        return _("不是布尔值")
    if length is not None and len(text) > length:
        return _("超过长度 %(length)s") % {"length": length}
    return None


def evaluate(
    dimension: str,
    params: Mapping[str, Any],
    item_code: str,
    row: Mapping[str, Any],
    *,
    updated_at: dt.datetime,
    now: dt.datetime,
    data_type: str = DataType.STRING,
    length: int | None = None,
) -> str | None:
    """None when the row passes, else what is wrong (in the active language)."""
    value = row.get(item_code)
    if dimension == QualityDimension.COMPLETENESS:
        return _("缺失") if _blank(value) else None
    if dimension == QualityDimension.TIMELINESS:
        age = (now - updated_at).days
        limit = int(params["max_age_days"])
        return (
            _("数据已 %(age)s 天未更新（上限 %(limit)s 天）") % {"age": age, "limit": limit}
            if age > limit
            else None
        )
    if _blank(value):
        return None  # a missing value is completeness's finding, not counted twice
    if dimension == QualityDimension.ACCURACY:
        if "regex" in params:
            return None if re.fullmatch(params["regex"], str(value)) else _("格式不符合规则")
        if "choices" in params:
            return None if value in params["choices"] else _("不在取值范围内")
        number = _number(value)
        if number is None:
            return _("不是数值")
        if "min" in params and number < Decimal(str(params["min"])):
            return _("小于下限 %(min)s") % {"min": params["min"]}
        if "max" in params and number > Decimal(str(params["max"])):
            return _("大于上限 %(max)s") % {"max": params["max"]}
        return None
    if dimension == QualityDimension.CONSISTENCY:
        other = row.get(params["field"])
        if _blank(other):
            return None
        left, right = _comparable(value), _comparable(other)
        try:
            holds = OPERATORS[params["op"]](left, right)
        except TypeError:
            holds = False
        if holds:
            return None
        return _("与 %(field)s 不一致（应 %(op)s）") % {
            "field": params["field"],
            "op": params["op"],
        }
    if dimension == QualityDimension.CONFORMITY:
        return _conforms(value, params.get("format"), data_type, length)
    return None
