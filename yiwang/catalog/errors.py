"""Stable error codes of the catalogue."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError


def not_applicable() -> DomainError:
    return DomainError(
        "task_not_published",
        _("该事项版本未发布或已废止，不能申请。"),
        status=409,
    )


def wrong_status(current: str, wanted: str) -> DomainError:
    return DomainError(
        "version_status_invalid",
        _("当前状态为「%(current)s」，不能%(wanted)s。"),
        params={"current": current, "wanted": wanted},
        status=409,
    )
