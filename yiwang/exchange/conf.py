"""Exchange settings with their defaults (override in the site's settings)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Working-day limits (山西 2024 rules as the default set; DOMAIN §3.15).
DEFAULT_LIMITS = {
    "compliance": 2,  # 主管部门合规审核
    "provider_published": 5,  # 提供方审核，资源已上架
    "provider_unpublished": 10,  # 提供方审核，资源须先编目上架
    "negotiation": 5,  # 协商
    "coordination": 5,  # 主管部门协调
    "dispute": 5,  # 数据异议核校
    "demand": 10,  # 交办编目上架
}


def limit(name: str) -> int:
    """The working-day limit of a stage."""
    overrides: dict[str, int] = getattr(settings, "YIWANG_EXCHANGE_LIMITS", {})
    return int(overrides.get(name, DEFAULT_LIMITS[name]))


def instance() -> str:
    """The exchange instance of this city's identities (X-Road INSTANCE)."""
    return str(getattr(settings, "YIWANG_EXCHANGE_INSTANCE", "CN-JX"))


def clock_skew_seconds() -> int:
    """How far a request's timestamp may be from the provider's clock."""
    return int(getattr(settings, "YIWANG_EXCHANGE_CLOCK_SKEW_SECONDS", 300))


def max_period_days() -> int:
    """The longest period a sharing authorisation may run."""
    return int(getattr(settings, "YIWANG_EXCHANGE_MAX_PERIOD_DAYS", 3 * 366))


def consumer() -> dict[str, Any]:
    """How the platform reaches its consumer node: {"url": …, "token": …} or {}."""
    return dict(getattr(settings, "YIWANG_EXCHANGE_CONSUMER", {}))


def registry_ttl_seconds() -> float:
    """How long a node may keep a registry row (subsystem, service, node key and status)."""
    return float(getattr(settings, "YIWANG_EXCHANGE_REGISTRY_TTL_SECONDS", 5))
