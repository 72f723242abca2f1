"""Stable error codes of case processing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import Conflict, DomainError


def transition_not_allowed(status_label: str, action_label: str) -> DomainError:
    return DomainError(
        "transition_not_allowed",
        _("办件当前状态为「%(status)s」，不能%(action)s。"),
        params={"status": status_label, "action": action_label},
        status=409,
    )


def case_changed(status_label: str) -> Conflict:
    return Conflict(
        "case_changed",
        _("该办件已被他人处理（当前状态：%(status)s），请刷新页面后再操作。"),
        params={"status": status_label},
    )


def reason_required(field: str = "reason") -> DomainError:
    return DomainError("reason_required", _("请填写理由。"), field=field)


def upload_invalid(name: str) -> DomainError:
    return DomainError(
        "upload_type_invalid",
        _("文件「%(name)s」不是可接受的 PDF、JPG、PNG 或 OFD 文件（按文件内容判断）。"),
        params={"name": name},
        field="file",
    )


def upload_too_large(name: str, limit_mb: int) -> DomainError:
    return DomainError(
        "upload_too_large",
        _("文件「%(name)s」超过 %(limit)s MB 的上限。"),
        params={"name": name, "limit": limit_mb},
        field="file",
    )


def upload_empty(name: str) -> DomainError:
    return DomainError(
        "upload_empty", _("文件「%(name)s」是空的。"), params={"name": name}, field="file"
    )


def materials_missing(names: list[str]) -> DomainError:
    return DomainError(
        "materials_missing",
        _("还缺少以下必要材料：%(names)s。"),
        params={"names": "、".join(names)},
    )
