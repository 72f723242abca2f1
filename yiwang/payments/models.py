"""Fee orders (缴款码), their fee lines, refunds, the callback log, reconciliation runs, and
the sandbox provider's own books (it keeps them apart, as a real provider would)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.payments.choices import (
    CallbackOutcome,
    Channel,
    MismatchKind,
    OrderStatus,
    RefundStatus,
    TradeStatus,
)


class PaymentOrder(models.Model):
    """缴费订单: what a case's applicant owes, identified by its 缴款码; amounts in fen.

    Linked to the case by its 办件编号 (case_project_no) and to the applicant as payer.
    """

    order_no = models.CharField(_("缴款码"), max_length=20, unique=True)
    case_project_no = models.CharField(_("办件编号"), max_length=50, db_index=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("缴款人"),
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    task_version = models.ForeignKey(
        "catalog.TaskVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("收费单位"),
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    channel = models.CharField(_("支付渠道"), max_length=10, choices=Channel.choices, blank=True)
    provider = models.CharField(_("支付服务商"), max_length=20, blank=True)
    provider_trade_no = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("支付期限"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    receipt_no = models.CharField(_("电子票据号"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("缴费订单")
        verbose_name_plural = _("缴费订单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["provider", "provider_trade_no"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="order_amount_positive"),
            # At most one order waiting for payment per case: a retry never bills twice.
            models.UniqueConstraint(
                fields=["case_project_no"],
                condition=Q(status="pending"),
                name="one_pending_order_per_case",
            ),
        ]

    def __str__(self) -> str:
        return self.order_no

    @property
    def amount_yuan(self) -> str:
        return format_fen(self.amount_fen)

    @property
    def is_paid(self) -> bool:
        return self.status in (OrderStatus.PAID, OrderStatus.RECONCILED)


def format_fen(fen: int) -> str:
    """12345 → '123.45' (yuan with two decimals, no float on the way)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class FeeLine(models.Model):
    """收费明细: a fee project of the item, copied onto the order when it was created."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="lines")
    fee_project = models.ForeignKey(
        "catalog.FeeProject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fee_name = models.CharField(_("收费项目名称"), max_length=200)
    fee_stand = models.CharField(_("收费标准"), max_length=300)
    by_law = models.TextField(_("收费依据"), blank=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("收费明细")
        verbose_name_plural = _("收费明细")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.fee_name

    @property
    def amount_yuan(self) -> str:
        return format_fen(self.amount_fen)


class Refund(models.Model):
    """退款: the whole amount of a paid order, back the way it came."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    refund_no = models.CharField(_("退款单号"), max_length=24, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    reason = models.CharField(_("退款原因"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_refund_no = models.CharField(_("渠道退款号"), max_length=64, blank=True)
    failure = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=~Q(status="failed"), name="one_live_refund_per_order"
            )
        ]

    def __str__(self) -> str:
        return self.refund_no


class CallbackLog(models.Model):
    """回调日志: every provider callback, accepted or not, with what was done with it."""

    provider = models.CharField(_("支付服务商"), max_length=20)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True, db_index=True)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)
    headers: models.JSONField[Any, Any] = models.JSONField(_("签名头"), default=dict)
    body = models.TextField(_("内容"))
    signature_valid = models.BooleanField(_("签名有效"))
    outcome = models.CharField(_("处理结果"), max_length=20, choices=CallbackOutcome.choices)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    notify_id = models.CharField(_("通知编号"), max_length=64, blank=True)
    event = models.CharField(_("事件"), max_length=30, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("回调日志")
        verbose_name_plural = _("回调日志")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.outcome}"


class ReconciliationRun(models.Model):
    """对账: one comparison of a provider's daily statement with the platform's orders."""

    provider = models.CharField(_("支付服务商"), max_length=20)
    statement_date = models.DateField(_("账单日期"))
    statement_sha256 = models.CharField(_("账单摘要"), max_length=64)
    statement_lines = models.PositiveIntegerField(_("账单笔数"), default=0)
    matched = models.PositiveIntegerField(_("相符笔数"), default=0)
    mismatch_count = models.PositiveIntegerField(_("差异笔数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对账记录")
        verbose_name_plural = _("对账记录")
        ordering = ["-statement_date", "-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.statement_date}"


class ReconciliationMismatch(models.Model):
    """对账差异: one line the statement and the orders disagree on."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(_("差异类型"), max_length=20, choices=MismatchKind.choices)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    out_trade_no = models.CharField(_("缴款码"), max_length=64, blank=True)
    provider_trade_no = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    local_amount_fen = models.BigIntegerField(_("平台金额（分）"), null=True, blank=True)
    provider_amount_fen = models.BigIntegerField(_("渠道金额（分）"), null=True, blank=True)
    local_status = models.CharField(_("平台状态"), max_length=12, blank=True)
    provider_status = models.CharField(_("渠道状态"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.out_trade_no}"


class SandboxTrade(models.Model):
    """The sandbox provider's own record of a trade (its side of the books, not ours)."""

    trade_no = models.CharField(max_length=32, unique=True)
    out_trade_no = models.CharField(max_length=64, db_index=True)
    amount_fen = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=10, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=TradeStatus.choices, default=TradeStatus.NOTPAY)
    return_url = models.CharField(max_length=300, blank=True)
    time_expire = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    refund_no = models.CharField(max_length=32, blank=True)
    out_refund_no = models.CharField(max_length=64, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("沙箱交易")
        verbose_name_plural = _("沙箱交易")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.trade_no
