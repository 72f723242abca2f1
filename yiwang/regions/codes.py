"""12-digit statistical division codes (统计用区划代码): format, level and parent checks.

Layout: 2 province, 2 city, 2 county, 3 township, 3 village. A code's level is the deepest
non-zero group; its parent is the code with that group zeroed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError
from yiwang.regions.choices import RegionLevel

# (level, start, end) of the group that identifies a region at that level.
_GROUPS = (
    (RegionLevel.CITY, 2, 4),
    (RegionLevel.COUNTY, 4, 6),
    (RegionLevel.TOWNSHIP, 6, 9),
    (RegionLevel.VILLAGE, 9, 12),
)
PREFIX_LENGTH = {
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


def check_code(code: str) -> str:
    """Return the code if it has 12 digits and a valid shape, else raise DomainError."""
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        raise DomainError("region_code_format", _("区划代码须为 12 位数字。"), field="code")
    if code[:2] == "00":
        raise DomainError("region_code_format", _("区划代码的省级部分不能为 00。"), field="code")
    level_of(code)
    return code


def level_of(code: str) -> RegionLevel:
    """The level of a 12-digit code: the deepest group that is not all zeros."""
    level: RegionLevel | None = None
    seen_zero = False
    for group_level, start, end in _GROUPS:
        if set(code[start:end]) == {"0"}:
            seen_zero = True
        elif seen_zero:
            # e.g. 360100001000: a township under no county.
            raise DomainError(
                "region_code_gap", _("区划代码中间的层级不能为空（全 0）。"), field="code"
            )
        else:
            level = group_level
    if level is None:
        raise DomainError("region_code_level", _("区划代码须至少到市级。"), field="code")
    return level


def prefix_of(code: str) -> str:
    """The digits that every code in this region's subtree starts with."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    """The expected parent code, or None for a city."""
    level = level_of(code)
    if level == RegionLevel.CITY:
        return None
    parent_level = RegionLevel(level - 1)
    keep = PREFIX_LENGTH[parent_level]
    return code[:keep] + "0" * (12 - keep)
