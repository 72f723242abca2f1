"""Stable error codes of electronic certificates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError


def no_issuer_key(department: str) -> DomainError:
    return DomainError(
        "issuer_key_missing",
        _("%(department)s尚未生成签发密钥，不能签发证照。"),
        params={"department": department},
        status=409,
    )


def wrong_status(current: str, wanted: str) -> DomainError:
    return DomainError(
        "certificate_status_invalid",
        _("证照当前状态为「%(current)s」，不能%(wanted)s。"),
        params={"current": current, "wanted": wanted},
        status=409,
    )


def reason_required() -> DomainError:
    return DomainError("reason_required", _("请填写原因（不超过 200 字）。"), field="reason")


class RateLimited(DomainError):
    """Too many verification requests from one address; `retry_after` in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate_limited", _("查询过于频繁，请稍后再试。"), status=429)
        self.retry_after = retry_after


def share_unavailable() -> DomainError:
    return DomainError(
        "share_unavailable",
        _("该分享链接已过期、已撤回或不存在。"),
        status=410,
    )
