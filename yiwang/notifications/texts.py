"""Message templates: Chinese source text, English from the catalogue, per recipient language.

Each template names the channels it goes out on; every message also lands in the in-app inbox.
Parameters use %(name)s placeholders (never f-strings) so translators see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.notifications.choices import Channel

ALL = (Channel.IN_APP, Channel.SMS, Channel.EMAIL)
QUIET = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class MessageTemplate:
    """A subject and a body with placeholders, and the channels they go out on."""

    subject: str | Promise
    body: str | Promise
    channels: tuple[Channel, ...] = ALL


TEMPLATES: dict[str, MessageTemplate] = {
    "payment_order_created": MessageTemplate(
        _("待缴费用：%(order_no)s"),
        _(
            "您的办件 %(project_no)s 需缴纳费用 %(amount)s 元，缴款码 %(order_no)s，"
            "请在 %(expires)s 前完成支付。"
        ),
    ),
    "payment_paid": MessageTemplate(
        _("缴费成功：%(order_no)s"),
        _("缴款码 %(order_no)s 已支付 %(amount)s 元，电子票据可在缴费页面下载。"),
    ),
    "payment_closed": MessageTemplate(
        _("缴款码已关闭：%(order_no)s"),
        _("缴款码 %(order_no)s 超过支付期限未支付，已关闭。如仍需缴费，请联系办理部门。"),
        QUIET,
    ),
    "payment_refunded": MessageTemplate(
        _("已退款：%(order_no)s"),
        _("缴款码 %(order_no)s 的 %(amount)s 元已原路退回。"),
    ),
    "booking_confirmed": MessageTemplate(
        _("预约成功：%(booking_no)s"),
        _(
            "您已预约 %(date)s %(start)s—%(end)s 在%(hall)s办理“%(task)s”，"
            "预约号 %(booking_no)s。请按时到场取号。"
        ),
    ),
    "booking_cancelled": MessageTemplate(
        _("预约已取消：%(booking_no)s"),
        _("您 %(date)s %(start)s 在%(hall)s的预约（%(booking_no)s）已取消。"),
        QUIET,
    ),
    "booking_rescheduled": MessageTemplate(
        _("预约已改期：%(booking_no)s"),
        _("您的预约已改到 %(date)s %(start)s—%(end)s，地点%(hall)s，新预约号 %(booking_no)s。"),
    ),
    "booking_reminder": MessageTemplate(
        _("预约提醒：%(date)s %(start)s"),
        _("提醒：您预约了 %(date)s %(start)s—%(end)s 在%(hall)s办理“%(task)s”，请准时到场。"),
    ),
    "booking_banned": MessageTemplate(
        _("预约功能暂停"),
        _("您在 %(days)s 天内有 %(count)s 次预约未到场，%(until)s 前暂不能在线预约。"),
    ),
    "case_event": MessageTemplate(
        _("办件进度：%(project_no)s"),
        _("您的办件 %(project_no)s（%(task)s）%(event)s。"),
    ),
    "bundle_event": MessageTemplate(
        _("一件事进度：%(bundle_no)s"),
        _("您的“%(bundle)s”（%(bundle_no)s）%(event)s。"),
    ),
    "case_deadline": MessageTemplate(
        _("办件提醒：%(project_no)s"),
        _("您的办件 %(project_no)s 须在 %(due)s 前%(what)s，逾期将影响办理。"),
    ),
    "rating_invitation": MessageTemplate(
        _("请评价：%(project_no)s"),
        _(
            "请对办件 %(project_no)s 的“%(touchpoint)s”服务进行评价；"
            "%(due)s 前未评价的，系统默认为“基本满意”。"
        ),
        QUIET,
    ),
    "ticket_dispatched": MessageTemplate(
        _("差评工单待处理：%(ticket_no)s"),
        _("差评工单 %(ticket_no)s 已转至本部门，请在 %(deadline)s 前完成回访、整改和反馈。"),
        QUIET,
    ),
    "ticket_feedback": MessageTemplate(
        _("差评处理反馈：%(project_no)s"),
        _("您对办件 %(project_no)s 的评价已处理：%(feedback)s 请登录确认是否满意。"),
    ),
}


def render(code: str, context: Mapping[str, Any], language: str) -> tuple[str, str, dict[str, Any]]:
    """Subject, body and the JSON-safe context, written in `language`."""
    template = TEMPLATES[code]
    with translation.override(language):
        plain = {key: str(value) for key, value in context.items()}
        subject = str(template.subject) % plain
        body = str(template.body) % plain
    return subject[:200], body, plain
