"""Refusals of the ratings app, with stable codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import Conflict, DomainError


def already_rated() -> Conflict:
    return Conflict("already_rated", _("该环节已经评价过了。"))


def level_invalid() -> DomainError:
    return DomainError("level_invalid", _("评价等级须为 1 到 5。"), field="level")


def indicator_invalid(name: str) -> DomainError:
    return DomainError(
        "indicator_invalid",
        _("二级指标“%(name)s”不正确，等级须为 1 到 5。"),
        params={"name": name},
        field="indicators",
    )


def reason_required() -> DomainError:
    return DomainError("poor_reason_required", _("差评请至少选择一项原因。"), field="reason_tags")


def reason_invalid() -> DomainError:
    return DomainError("reason_invalid", _("差评原因不正确。"), field="reason_tags")


def channel_invalid() -> DomainError:
    return DomainError("channel_invalid", _("评价渠道不正确。"), field="channel")


def action_not_allowed(action: str, status: str) -> Conflict:
    return Conflict(
        "ticket_action_not_allowed",
        _("工单当前状态为“%(status)s”，不能执行“%(action)s”。"),
        params={"status": status, "action": action},
    )


def note_required() -> DomainError:
    return DomainError("note_required", _("请填写说明。"), field="note")


def due_date_required() -> DomainError:
    return DomainError(
        "due_date_invalid", _("请填写不早于今天的台账整改期限。"), field="ledger_due_date"
    )


def recheck_invalid() -> DomainError:
    return DomainError(
        "recheck_invalid", _("请选择满意、基本满意或不满意。"), field="recheck_level"
    )
