"""Channels and delivery states of a notification."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a notification reaches its recipient."""

    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class NotificationStatus(models.TextChoices):
    """PENDING → SENDING (claimed under a lease) → SENT | FAILED; SENDING → PENDING on retry."""

    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class AttemptOutcome(models.TextChoices):
    """What one delivery attempt ended in (the delivery log)."""

    SENT = "sent", _("已发送")
    ERROR = "error", _("出错，将重试")
    GAVE_UP = "gave_up", _("多次失败，已放弃")
    RATE_LIMITED = "rate_limited", _("超过频率限制，已推迟")
    RECLAIMED = "reclaimed", _("前一次发送未完成，重新领取")
