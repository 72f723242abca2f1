"""Sharing requests and their authorisations, the demand board (供需对接), overdue alarms."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.choices import (
    AlarmKind,
    AuthorisationStatus,
    DemandStatus,
    SharingStatus,
)


class SharingRequest(models.Model):
    """共享申请: a department asks for data items of a resource, for a purpose and a period."""

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    requester_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("申请部门"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resource = models.ForeignKey(
        "exchange.Resource",
        verbose_name=_("信息资源"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    version = models.ForeignKey(
        "exchange.ResourceVersion", on_delete=models.PROTECT, related_name="+"
    )
    provider_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="sharing_requests_received",
    )
    demand = models.ForeignKey(
        "exchange.DataDemand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sharing_requests",
    )
    items = models.JSONField(_("信息项"), default=list)
    purpose = models.TextField(_("用途"))
    scenario = models.TextField(_("应用场景"))
    legal_basis = models.TextField(_("依据"), blank=True)
    period_start = models.DateField(_("使用期限起"))
    period_end = models.DateField(_("使用期限止"))
    rate_limit_per_minute = models.PositiveIntegerField(_("调用频率上限（次/分钟）"), default=60)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=SharingStatus.choices,
        default=SharingStatus.COMPLIANCE_REVIEW,
    )
    # Whether the resource was already published when asked for: ≤5 WD review, else ≤10.
    resource_was_published = models.BooleanField(default=True)
    stage_started_on = models.DateField(_("本环节开始日期"))
    due_date = models.DateField(_("本环节期限"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予共享理由"), blank=True)
    objection = models.TextField(_("申请方意见"), blank=True)
    closing_reason = models.TextField(_("关闭原因"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.number


class SharingEvent(models.Model):
    """One step of a request's history, shown as its timeline."""

    request = models.ForeignKey(SharingRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=40)
    actor_label = models.CharField(_("操作人"), max_length=150)
    from_status = models.CharField(max_length=20, choices=SharingStatus.choices, blank=True)
    to_status = models.CharField(_("状态"), max_length=20, choices=SharingStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("共享申请记录")
        verbose_name_plural = _("共享申请记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.action}"


class Authorisation(models.Model):
    """授权: what an authorised request lets the consumer call, for how long and how often."""

    number = models.CharField(_("授权编号"), max_length=20, unique=True)
    request = models.OneToOneField(
        SharingRequest, on_delete=models.PROTECT, related_name="authorisation"
    )
    consumer_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("使用部门"),
        on_delete=models.PROTECT,
        related_name="authorisations_held",
    )
    provider_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="authorisations_given",
    )
    resource = models.ForeignKey(
        "exchange.Resource", on_delete=models.PROTECT, related_name="authorisations"
    )
    items = models.JSONField(_("信息项"), default=list)
    purpose = models.TextField(_("用途"))
    period_start = models.DateField(_("有效期起"))
    period_end = models.DateField(_("有效期止"))
    rate_limit_per_minute = models.PositiveIntegerField(_("调用频率上限（次/分钟）"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AuthorisationStatus.choices,
        default=AuthorisationStatus.ACTIVE,
    )
    revoked_reason = models.TextField(_("撤销原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    def in_force_on(self, day: dt.date) -> bool:
        """Active and inside its period on `day`."""
        return (
            self.status == AuthorisationStatus.ACTIVE
            and self.period_start <= day <= self.period_end
        )


class RateCounter(models.Model):
    """Calls granted under an authorisation in one minute (bumped before read, like numbers)."""

    authorisation = models.ForeignKey(Authorisation, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # Unix time // 60
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("调用计数")
        verbose_name_plural = _("调用计数")
        constraints = [
            models.UniqueConstraint(fields=["authorisation", "minute"], name="rate_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.authorisation_id}@{self.minute}={self.count}"


class DataDemand(models.Model):
    """供需对接: a department's need, matched to the catalogue or assigned to a provider."""

    number = models.CharField(_("需求编号"), max_length=20, unique=True)
    requester_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("需求部门"),
        on_delete=models.PROTECT,
        related_name="data_demands",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    matched_resources = models.ManyToManyField(
        "exchange.Resource", blank=True, related_name="matched_demands"
    )
    assigned_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("交办提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_demands_assigned",
    )
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    due_date = models.DateField(_("编目期限"), null=True, blank=True)
    fulfilled_resource = models.ForeignKey(
        "exchange.Resource",
        verbose_name=_("上架资源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据需求")
        verbose_name_plural = _("数据需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ExchangeAlarm(models.Model):
    """An overdue deadline, raised once per (subject, stage deadline) by the periodic task."""

    kind = models.CharField(_("告警类型"), max_length=24, choices=AlarmKind.choices)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=40)
    subject_label = models.CharField(_("对象"), max_length=120)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="exchange_alarms",
    )
    due_date = models.DateField(_("期限"))
    raised_on = models.DateField(_("告警日期"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("交换告警")
        verbose_name_plural = _("交换告警")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "due_date"], name="alarm_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_label}"
