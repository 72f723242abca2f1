"""Order states, payment channels, callback outcomes, reconciliation findings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    """PENDING → PAID → RECONCILED | REFUNDED; PENDING → CLOSED (timeout)."""

    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    RECONCILED = "reconciled", _("已对账")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("已关闭")


PAID_STATES = frozenset({OrderStatus.PAID, OrderStatus.RECONCILED})


class Channel(models.TextChoices):
    """支付渠道 (DOMAIN §3.9)."""

    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    UNIONPAY = "unionpay", _("银联云闪付")
    BANK = "bank", _("银行网银")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    SUBMITTED = "submitted", _("退款处理中")
    SUCCEEDED = "succeeded", _("已退款")
    FAILED = "failed", _("退款失败")


class CallbackOutcome(models.TextChoices):
    """What the platform did with one provider callback (the callback log)."""

    APPLIED = "applied", _("已处理")
    DUPLICATE = "duplicate", _("重复通知，已忽略")
    STALE = "stale", _("过时通知，已忽略")
    BAD_SIGNATURE = "bad_signature", _("签名无效，已拒绝")
    EXPIRED_TIMESTAMP = "expired_timestamp", _("时间戳超出容许范围，已拒绝")
    MALFORMED = "malformed", _("格式错误，已拒绝")
    UNKNOWN_ORDER = "unknown_order", _("订单不存在")
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符，已拒绝")


class MismatchKind(models.TextChoices):
    """对账差异."""

    MISSING_LOCALLY = "missing_locally", _("渠道有、平台无")
    MISSING_AT_PROVIDER = "missing_at_provider", _("平台有、渠道无")
    AMOUNT_DIFFERS = "amount_differs", _("金额不一致")
    STATUS_DIFFERS = "status_differs", _("状态不一致")


class TradeStatus(models.TextChoices):
    """A provider's view of a trade (the sandbox keeps its books with these)."""

    NOTPAY = "NOTPAY", _("未支付")
    SUCCESS = "SUCCESS", _("支付成功")
    CLOSED = "CLOSED", _("已关闭")
    REFUND = "REFUND", _("已退款")
