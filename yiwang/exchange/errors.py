"""Stable error codes of the exchange that more than one module raises."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError


def wrong_status(current: str, wanted: str) -> DomainError:
    return DomainError(
        "status_invalid",
        _("当前状态为「%(current)s」，不能%(wanted)s。"),
        params={"current": current, "wanted": wanted},
        status=409,
    )


def reason_required(field: str = "reason") -> DomainError:
    return DomainError("reason_required", _("请填写理由。"), field=field)


def text_required(field: str) -> DomainError:
    return DomainError("field_required", _("请填写此项。"), field=field)
