"""Shared kernel tables: audit log, idempotency records, sequences, calendar overrides."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """审计日志: who did what to which record, with the state before and after."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept even if the account is later removed: an audit trail must name a person.
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    subject_type = models.CharField(_("对象类型"), max_length=80)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"


class IdempotencyRecord(models.Model):
    """The stored answer to a submission, so a retry with the same key gets it back unchanged."""

    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=80)
    # "user:<pk>", "system" or "anonymous": a string, because NULLs never collide in a unique
    # index and anonymous retries must still be caught.
    actor_key = models.CharField(max_length=40)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["actor_key", "scope", "key"], name="idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Sequence(models.Model):
    """A named counter for gap-free numbers (case numbers, receipts); see core.numbering."""

    name = models.CharField(max_length=120, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class CalendarOverride(models.Model):
    """A city's own correction to the national calendar: a local holiday or extra working day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    reason = models.CharField(_("原因"), max_length=200)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"
