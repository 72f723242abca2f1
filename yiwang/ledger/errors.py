"""Stable error codes of the ledger."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import Conflict, DomainError


def kind_invalid() -> DomainError:
    return DomainError(
        "ledger_kind_invalid",
        _("存证类型须为 1 至 64 个小写字母、数字、下划线或连字符，以点分段，如 case.accepted。"),
        field="kind",
    )


def subject_invalid() -> DomainError:
    return DomainError(
        "ledger_subject_invalid",
        _("存证对象须为 1 至 200 个字符，且不含控制字符。"),
        field="subject",
    )


def digest_invalid() -> DomainError:
    return DomainError(
        "ledger_digest_invalid",
        _("摘要须为 64 位十六进制字符（SHA-256）。"),
        field="digest",
    )


def payload_invalid(reason: str) -> DomainError:
    return DomainError(
        "ledger_payload_invalid",
        _("存证内容无法按 RFC 8785 规范化：%(reason)s"),
        params={"reason": reason},
        field="payload",
    )


def once_key_reused() -> DomainError:
    return Conflict(
        "ledger_once_key_reused",
        _("该去重键已用于另一条不同的存证。"),
    )


def origin_changed(stored: str, configured: str) -> DomainError:
    return DomainError(
        "ledger_origin_changed",
        _("账本名称已从 %(stored)s 改为 %(configured)s；更换名称即是新账本，请先停用旧账本。"),
        params={"stored": stored, "configured": configured},
        status=409,
    )


def not_initialised() -> DomainError:
    return DomainError(
        "ledger_not_initialised",
        _("账本尚未签发任何检查点。"),
        status=404,
    )
