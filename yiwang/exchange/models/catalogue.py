"""The resource catalogue (一本账) and 一数一源: resources in immutable published versions,
their data items, the authoritative source of each data element, copies with lineage, and
disputes sent to the source (数据异议)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.choices import (
    DataType,
    DisputeOutcome,
    DisputeStatus,
    OpenType,
    ResourceCategory,
    ResourceFormat,
    Sensitivity,
    SharingType,
    UpdateCycle,
    VersionStatus,
)


class Resource(models.Model):
    """信息资源: one entry of the catalogue; the code is stable, what it says is versioned.

    code = classification code (类 1 + 项 2 + 目 3 + 细目 0–6 digits) + a 6-digit order
    number per classification prefix, numbered gap-free and never reused.
    """

    code = models.CharField(_("信息资源代码"), max_length=24, unique=True)
    category = models.CharField(_("类"), max_length=1, choices=ResourceCategory.choices)
    subject_code = models.CharField(_("项"), max_length=2)
    section_code = models.CharField(_("目"), max_length=3)
    detail_code = models.CharField(_("细目"), max_length=6, blank=True)
    classification_code = models.CharField(_("分类代码"), max_length=12, db_index=True)
    provider = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供方"),
        on_delete=models.PROTECT,
        related_name="data_resources",
    )
    current_version = models.OneToOneField(
        "ResourceVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信息资源")
        verbose_name_plural = _("信息资源")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ResourceVersion(models.Model):
    """One version of a resource's metadata; frozen once published."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("信息资源名称"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True)
    resource_format = models.CharField(
        _("资源格式"), max_length=8, choices=ResourceFormat.choices, default=ResourceFormat.TABLE
    )
    provider_system = models.CharField(_("来源系统"), max_length=120, blank=True)
    sharing_type = models.CharField(_("共享类型"), max_length=1, choices=SharingType.choices)
    sharing_condition = models.TextField(_("共享条件"), blank=True)
    # 不予共享 needs a legal basis (以共享为原则、不共享为例外).
    not_shared_basis = models.TextField(_("不予共享依据"), blank=True)
    sharing_methods = models.JSONField(_("共享方式"), default=list)
    open_type = models.CharField(
        _("开放类型"), max_length=1, choices=OpenType.choices, default=OpenType.NOT_OPEN
    )
    open_condition = models.TextField(_("开放条件"), blank=True)
    update_cycle = models.CharField(
        _("更新周期"), max_length=10, choices=UpdateCycle.choices, default=UpdateCycle.DAILY
    )
    related_codes = models.JSONField(_("关联资源代码"), default=list, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("发布日期"), null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("信息资源版本")
        verbose_name_plural = _("信息资源版本")
        ordering = ["resource_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "version"], name="resource_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class DataElement(models.Model):
    """公共数据元: a datum with ONE authoritative source (一数一源), e.g. 公民身份号码."""

    code = models.CharField(_("数据元编码"), max_length=20, unique=True)
    name = models.CharField(_("数据元名称"), max_length=100)
    data_type = models.CharField(_("数据类型"), max_length=2, choices=DataType.choices)
    definition = models.TextField(_("定义"), blank=True)
    source_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("权威来源部门"),
        on_delete=models.PROTECT,
        related_name="authoritative_elements",
    )
    source_system = models.CharField(_("权威来源系统"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据元")
        verbose_name_plural = _("数据元")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DataItem(models.Model):
    """信息项 of a resource version, naming its one authoritative source."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("信息项标识"), max_length=40)
    name = models.CharField(_("信息项名称"), max_length=100)
    data_type = models.CharField(_("数据类型"), max_length=2, choices=DataType.choices)
    length = models.PositiveIntegerField(_("长度"), null=True, blank=True)
    is_key = models.BooleanField(_("是否主键"), default=False)
    sensitivity = models.CharField(
        _("敏感级"), max_length=1, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    element = models.ForeignKey(
        DataElement,
        verbose_name=_("数据元"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    source_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("权威来源部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_system = models.CharField(_("权威来源系统"), max_length=120)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("信息项")
        verbose_name_plural = _("信息项")
        ordering = ["order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="data_item_code_once")
        ]

    def __str__(self) -> str:
        return self.name


class DataCopy(models.Model):
    """A copy of a datum held by someone other than its source, with where it came from."""

    item = models.ForeignKey(
        DataItem, verbose_name=_("信息项"), on_delete=models.PROTECT, related_name="copies"
    )
    element = models.ForeignKey(
        DataElement, null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    holder_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("持有部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_system = models.CharField(_("持有系统"), max_length=120, blank=True)
    source_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("来源部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_system = models.CharField(_("来源系统"), max_length=120)
    # The published resource of the source that carries the datum, when there is one.
    source_resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("获取方式"), max_length=60, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据副本")
        verbose_name_plural = _("数据副本")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} ← {self.source_department}"


class DataDispute(models.Model):
    """数据异议: a suspected error sent to the authoritative source, due in working days."""

    number = models.CharField(_("异议编号"), max_length=20, unique=True)
    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.PROTECT, related_name="disputes"
    )
    item_code = models.CharField(_("信息项"), max_length=40)
    item_name = models.CharField(_("信息项名称"), max_length=100)
    record_reference = models.CharField(_("记录标识"), max_length=120, blank=True)
    description = models.TextField(_("异议内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提出部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("权威来源部门"),
        on_delete=models.PROTECT,
        related_name="disputes_to_answer",
    )
    source_system = models.CharField(_("权威来源系统"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_on = models.DateField(_("提出日期"))
    due_date = models.DateField(_("答复期限"))
    outcome = models.CharField(
        _("核校结论"), max_length=10, choices=DisputeOutcome.choices, blank=True
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数据异议")
        verbose_name_plural = _("数据异议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number
