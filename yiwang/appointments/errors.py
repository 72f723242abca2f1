"""Refusals of the appointments app, with stable codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import Conflict, DomainError


def slot_full() -> Conflict:
    return Conflict("slot_full", _("该时段已约满，请选择其他时段。"))


def slot_past() -> DomainError:
    return DomainError("slot_past", _("该时段已开始或已过去。"), field="slot_id")


def slot_too_far(days: int) -> DomainError:
    return DomainError(
        "slot_too_far", _("只能预约 %(days)s 天内的时段。"), params={"days": days}, field="slot_id"
    )


def task_not_served() -> DomainError:
    return DomainError("task_not_served", _("该窗口不办理此事项。"), field="task_id")


def task_not_bookable() -> DomainError:
    return DomainError("task_not_bookable", _("该事项不支持预约。"), field="task_id")


def too_many_active(limit: int) -> Conflict:
    return Conflict(
        "too_many_bookings",
        _("您已有 %(limit)s 个未完成的预约，请先办理或取消。"),
        params={"limit": limit},
    )


def one_per_item_per_day() -> Conflict:
    return Conflict("duplicate_booking", _("同一事项同一天只能预约一次。"))


def banned(until: str) -> DomainError:
    return DomainError(
        "booking_banned",
        _("因多次预约未到场，%(until)s 前暂不能预约。"),
        status=403,
        params={"until": until},
    )


def not_cancellable() -> Conflict:
    return Conflict("not_cancellable", _("该预约已开始、已取消或已办理，不能再变更。"))


def booking_not_today() -> DomainError:
    return DomainError("booking_not_today", _("预约号只能在预约当天、在预约的大厅取号。"))


def hall_closed() -> DomainError:
    return DomainError("hall_closed", _("该大厅暂停服务。"))


def queue_empty() -> Conflict:
    return Conflict("queue_empty", _("当前没有等候的号码。"))


def ticket_not_called() -> Conflict:
    return Conflict("ticket_not_called", _("该号码不在叫号状态。"))


def template_invalid() -> DomainError:
    return DomainError(
        "template_invalid", _("时段设置不正确：开始须早于结束，时长与人数须大于 0。")
    )


def hall_exists() -> Conflict:
    return Conflict("hall_exists", _("该区划已有同名大厅。"))


def window_exists() -> Conflict:
    return Conflict("window_exists", _("该大厅已有这个窗口号。"))


def tasks_unknown(codes: str) -> DomainError:
    return DomainError(
        "tasks_unknown", _("未知的实施编码：%(codes)s"), params={"codes": codes}, field="task_codes"
    )


def horizon_invalid() -> DomainError:
    return DomainError("days_invalid", _("一次最多生成 60 天的时段。"), field="days")
