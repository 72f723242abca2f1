"""Notifications (站内消息、短信、邮件), their delivery log and each user's preferences."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.notifications.choices import AttemptOutcome, Channel, NotificationStatus


class Notification(models.Model):
    """消息: one message to one recipient on one channel, rendered in their language.

    Rows are written in the caller's transaction and delivered by a retry-safe task that
    claims them with a conditional UPDATE (PENDING → SENDING under a lease).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    template_code = models.CharField(_("模板"), max_length=60)
    context: models.JSONField[Any, Any] = models.JSONField(_("参数"), default=dict)
    language = models.CharField(_("语言"), max_length=10)
    address = models.CharField(_("发送地址"), max_length=254, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), db_index=True)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    claimed_by = models.CharField(_("领取者"), max_length=64, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    # Repeated triggers (a reminder task run twice) must not send twice.
    dedupe_key = models.CharField(_("去重键"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "channel", "sent_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template_code} → {self.recipient_id}"

    @property
    def delivery_key(self) -> str:
        """Stable across retries: a gateway that de-duplicates can use it (SMS outId)."""
        return f"yw-{self.pk}"


class DeliveryAttempt(models.Model):
    """投递记录: one attempt to hand a notification to its backend."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempt = models.PositiveSmallIntegerField(_("第几次"))
    worker = models.CharField(_("执行者"), max_length=64)
    backend = models.CharField(_("发送通道"), max_length=120, blank=True)
    outcome = models.CharField(_("结果"), max_length=14, choices=AttemptOutcome.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.notification_id}#{self.attempt} {self.outcome}"


class NotificationPreference(models.Model):
    """接收偏好: the language messages are written in and which channels are wanted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    language = models.CharField(
        _("消息语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    sms_enabled = models.BooleanField(_("接收短信"), default=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    email_enabled = models.BooleanField(_("接收邮件"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("接收偏好")
        verbose_name_plural = _("接收偏好")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.language}"
