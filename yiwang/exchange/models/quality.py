"""Data quality (GB/T 36344) and open data (DCAT-AP described, downloads counted)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.choices import (
    DatasetStatus,
    DownloadFormat,
    IssueStatus,
    Licence,
    QualityDimension,
)


class QualityRule(models.Model):
    """A check of one data item along one dimension; `params` say how (regex, range, …)."""

    resource = models.ForeignKey(
        "exchange.Resource", on_delete=models.PROTECT, related_name="quality_rules"
    )
    item_code = models.CharField(_("信息项"), max_length=40)
    dimension = models.CharField(_("质量维度"), max_length=12, choices=QualityDimension.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("质量规则")
        verbose_name_plural = _("质量规则")
        ordering = ["resource_id", "item_code", "id"]

    def __str__(self) -> str:
        return f"{self.item_code}:{self.dimension}"


class QualityRun(models.Model):
    """One pass of a resource's rules over its records, with the resulting score (0–100)."""

    resource = models.ForeignKey(
        "exchange.Resource", on_delete=models.PROTECT, related_name="quality_runs"
    )
    provider_department = models.ForeignKey(
        "regions.Department", on_delete=models.PROTECT, related_name="+"
    )
    ran_at = models.DateTimeField(_("检查时间"), auto_now_add=True)
    rows_checked = models.PositiveIntegerField(_("检查行数"), default=0)
    rows_failed = models.PositiveIntegerField(_("问题行数"), default=0)
    checks_run = models.PositiveIntegerField(_("检查项次"), default=0)
    checks_failed = models.PositiveIntegerField(_("不合格项次"), default=0)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, default=100)

    class Meta:
        verbose_name = _("质量检查")
        verbose_name_plural = _("质量检查")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resource_id}@{self.ran_at:%Y-%m-%d}: {self.score}"


class QualityIssue(models.Model):
    """A failing row, reported back to the provider until it is fixed."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="issues")
    rule = models.ForeignKey(QualityRule, on_delete=models.PROTECT, related_name="issues")
    record = models.ForeignKey(
        "exchange.DataRecord", on_delete=models.PROTECT, related_name="quality_issues"
    )
    provider_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_code = models.CharField(_("信息项"), max_length=40)
    dimension = models.CharField(_("质量维度"), max_length=12, choices=QualityDimension.choices)
    message = models.CharField(_("问题"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("整改说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("质量问题")
        verbose_name_plural = _("质量问题")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.item_code}"


class OpenDataset(models.Model):
    """开放数据集: a resource's public items, with a licence and a DCAT-AP description."""

    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    resource = models.ForeignKey(
        "exchange.Resource", on_delete=models.PROTECT, related_name="open_datasets"
    )
    publisher = models.ForeignKey(
        "regions.Department",
        verbose_name=_("发布部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("数据集名称"), max_length=200)
    description = models.TextField(_("描述"))
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    licence = models.CharField(_("许可协议"), max_length=12, choices=Licence.choices)
    columns = models.JSONField(_("开放字段"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=DatasetStatus.choices, default=DatasetStatus.PUBLISHED
    )
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    modified_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("开放数据集")
        verbose_name_plural = _("开放数据集")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DatasetDownload(models.Model):
    """Downloads of a dataset per format per day (the log behind the counter)."""

    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="downloads")
    format = models.CharField(max_length=4, choices=DownloadFormat.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("下载记录")
        verbose_name_plural = _("下载记录")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format", "day"], name="download_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.format}@{self.day}={self.count}"
