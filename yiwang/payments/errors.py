"""Refusals of the payments app, with stable codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import Conflict, DomainError


def no_fees() -> DomainError:
    return DomainError("no_fees", _("该事项没有需要缴纳的费用。"))


def order_open(order_no: str) -> Conflict:
    return Conflict(
        "order_open", _("该办件已有待支付的缴款码 %(order_no)s。"), params={"order_no": order_no}
    )


def order_not_payable(status: str) -> Conflict:
    return Conflict(
        "order_not_payable",
        _("该订单当前状态为“%(status)s”，不能支付。"),
        params={"status": status},
    )


def order_expired() -> Conflict:
    return Conflict("order_expired", _("已超过支付期限，订单已关闭。"))


def channel_unknown() -> DomainError:
    return DomainError("channel_unknown", _("不支持该支付渠道。"), field="channel")


def not_refundable(status: str) -> Conflict:
    return Conflict(
        "not_refundable", _("该订单当前状态为“%(status)s”，不能退款。"), params={"status": status}
    )


def reason_required() -> DomainError:
    return DomainError("reason_required", _("请填写原因。"), field="reason")


def fees_unpaid(project_no: str) -> DomainError:
    return DomainError(
        "fees_unpaid",
        _("办件 %(project_no)s 的费用尚未缴清，不能送达结果。"),
        params={"project_no": project_no},
    )


def receipt_unavailable() -> Conflict:
    return Conflict("receipt_unavailable", _("订单支付成功后才能下载电子票据。"))


def project_no_invalid() -> DomainError:
    return DomainError("project_no_invalid", _("办件编号不正确。"), field="case_project_no")


def refund_exists() -> Conflict:
    return Conflict("refund_exists", _("该订单已申请退款。"))
