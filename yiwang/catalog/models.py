"""The item catalogue: 基本目录 items, implementation-list rows (实施清单) in immutable
published versions, their handling items (业务办理项), materials, fees, steps and FAQs.

Field names follow the national exchange tables (DOMAIN §3.1.3) so that import, export and
the national sync envelope map one to one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left, Length
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.choices import (
    BundleStatus,
    BundleTheme,
    DeptType,
    FormFieldType,
    HandleArea,
    LifeCycle,
    LimitUnit,
    MaterialFormat,
    MaterialSource,
    OnlineDepth,
    ProjectType,
    ResultType,
    TaskType,
    UseLevel,
    VersionStatus,
)


class CatalogItem(models.Model):
    """基本目录事项: a basic-catalogue item (主项 or 子项), unified province-wide."""

    catalog_code = models.CharField(_("基本编码"), max_length=12, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    task_type = models.CharField(_("事项类型"), max_length=2, choices=TaskType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    competent_department = models.CharField(_("主管部门"), max_length=120, blank=True)
    by_law = models.TextField(_("设定依据"), blank=True)

    class Meta:
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录事项")
        ordering = ["catalog_code"]
        constraints = [
            # 基本编码 varchar(12), always all twelve characters.
            models.CheckConstraint(
                condition=Exact(Length("catalog_code"), 12), name="catalog_code_has_12_chars"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.catalog_code} {self.name}"


class Task(models.Model):
    """实施清单事项: one implementing department's claim of a catalogue item in its region.

    The row is the stable identity (task_code); what it says lives in TaskVersion.
    """

    task_code = models.CharField(_("实施编码"), max_length=36, unique=True)
    catalog_item = models.ForeignKey(
        CatalogItem, verbose_name=_("基本目录事项"), on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="tasks"
    )
    # dept_code 实施主体编码: the implementing department's USCC when the row was claimed. Kept
    # on the row so that the database itself can check the implementation code's prefix.
    dept_code = models.CharField(_("实施主体编码"), max_length=18)
    local_catalog_code = models.CharField(_("地方基本编码"), max_length=50, blank=True)
    local_task_code = models.CharField(_("地方实施编码"), max_length=50, blank=True)
    # The version applicants see now; null until the first publication.
    current_version = models.OneToOneField(
        "TaskVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("实施清单事项")
        verbose_name_plural = _("实施清单事项")
        ordering = ["task_code"]
        constraints = [
            # 实施编码 = the implementing body's 18-character USCC + more (≤ 36 in all).
            models.CheckConstraint(
                condition=Q(
                    Exact(Length("dept_code"), 18),
                    Exact(Left("task_code", 18), F("dept_code")),
                    GreaterThanOrEqual(Length("task_code"), 19),
                ),
                name="task_code_starts_with_dept_uscc",
            ),
        ]

    def __str__(self) -> str:
        return self.task_code


class TaskVersion(models.Model):
    """One version of an implementation-list row; frozen once published (task_version)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # Identity and legal basis
    task_name = models.CharField(_("事项名称"), max_length=200)
    task_type = models.CharField(_("事项类型"), max_length=2, choices=TaskType.choices)
    task_handle_item = models.CharField(_("业务办理项编码"), max_length=50, blank=True)
    aliases = models.CharField(
        _("别名"), max_length=300, blank=True, help_text=_("群众常用的叫法，用顿号或逗号分隔。")
    )
    by_law = models.TextField(_("设定依据"), blank=True)
    power_source = models.CharField(_("权力来源"), max_length=60, blank=True)
    use_level = models.CharField(_("行使层级"), max_length=1, choices=UseLevel.choices)
    dept_type = models.CharField(
        _("实施主体性质"), max_length=1, choices=DeptType.choices, default=DeptType.STATUTORY
    )
    entrust_name = models.CharField(_("委托部门"), max_length=120, blank=True)
    other_dept = models.CharField(_("联办机构"), max_length=300, blank=True)
    # Who and what
    server_type = models.JSONField(_("服务对象"), default=list)
    accept_condition = models.TextField(_("受理条件"), blank=True)
    limit_explain = models.TextField(_("数量限制"), blank=True)
    # Time limits: statutory (法定) and promised (承诺)
    anticipate_day = models.PositiveIntegerField(_("法定办结时限"), null=True, blank=True)
    anticipate_type = models.CharField(
        _("法定时限单位"), max_length=1, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    anticipate_explain = models.TextField(_("法定时限说明"), blank=True)
    promise_day = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True)
    promise_type = models.CharField(
        _("承诺时限单位"), max_length=1, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promise_explain = models.TextField(_("承诺时限说明"), blank=True)
    project_type = models.CharField(
        _("办件类型"), max_length=1, choices=ProjectType.choices, default=ProjectType.PROMISED
    )
    # Process
    handle_flow = models.TextField(_("办理流程"), blank=True)
    special_procedure = models.TextField(_("特别程序"), blank=True)
    limit_scene_num = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    limit_scene_explain = models.TextField(_("到现场次数说明"), blank=True)
    # Fees
    is_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    # Where and how
    transact_addr = models.CharField(_("办理地点"), max_length=300, blank=True)
    transact_time = models.CharField(_("办理时间"), max_length=300, blank=True)
    link_way = models.CharField(_("咨询方式"), max_length=300, blank=True)
    supervise_way = models.CharField(_("监督投诉方式"), max_length=300, blank=True)
    # Online
    is_online = models.BooleanField(_("是否网办"), default=True)
    online_handle_depth = models.CharField(
        _("网上办理深度"),
        max_length=1,
        choices=OnlineDepth.choices,
        default=OnlineDepth.FULLY_ONLINE,
    )
    is_pay_online = models.BooleanField(_("是否网上支付"), default=False)
    is_express = models.BooleanField(_("是否支持物流快递"), default=False)
    is_schedule = models.BooleanField(_("是否支持预约"), default=False)
    is_entry_center = models.BooleanField(_("是否进驻政务大厅"), default=True)
    # 通办
    handle_area = models.CharField(
        _("通办范围"), max_length=1, choices=HandleArea.choices, default=HandleArea.LOCAL
    )
    # Result
    result_type = models.CharField(
        _("审批结果类型"), max_length=1, choices=ResultType.choices, default=ResultType.OTHER
    )
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    # GB/T 36904 type code of the certificate the result issues (defining ministry USCC + 3).
    result_certificate_type_code = models.CharField(
        _("结果证照类型代码"), max_length=21, blank=True
    )
    # Grouping
    user_topic_type = models.JSONField(_("个人主题分类"), default=list, blank=True)
    corp_topic_type = models.JSONField(_("法人主题分类"), default=list, blank=True)
    # Lifecycle
    plan_effective_date = models.DateField(_("计划生效日期"), null=True, blank=True)
    plan_cancel_date = models.DateField(_("计划取消日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("实施清单版本")
        verbose_name_plural = _("实施清单版本")
        ordering = ["task_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="task_version_once"),
            # 承诺时限 ≤ 法定时限, enforced by the database when both use the same unit.
            models.CheckConstraint(
                condition=Q(promise_day__isnull=True)
                | Q(anticipate_day__isnull=True)
                | ~Q(promise_type=F("anticipate_type"))
                | Q(promise_day__lte=F("anticipate_day")),
                name="promise_within_statutory_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class HandlingItem(models.Model):
    """业务办理项: a situation of a task (新设/变更/延续/注销, or a 情形)."""

    version = models.ForeignKey(
        TaskVersion, on_delete=models.CASCADE, related_name="handling_items"
    )
    task_handle_item = models.CharField(_("业务办理项编码"), max_length=50)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("业务办理项")
        verbose_name_plural = _("业务办理项")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """申请材料 of a task version."""

    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="materials")
    material_name = models.CharField(_("材料名称"), max_length=200)
    is_need = models.BooleanField(_("是否必要"), default=True)
    material_type = models.CharField(_("材料类型"), max_length=40, blank=True)
    material_format = models.CharField(
        _("材料形式"),
        max_length=1,
        choices=MaterialFormat.choices,
        default=MaterialFormat.ELECTRONIC,
    )
    source_type = models.CharField(
        _("来源渠道"),
        max_length=1,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    source_explain = models.CharField(_("来源说明"), max_length=300, blank=True)
    # When the source is a certificate: its GB/T 36904 type code; when shared data: the
    # resource code in the data catalogue. Either lets the applicant skip the upload.
    source_certificate_type_code = models.CharField(
        _("来源证照类型代码"), max_length=21, blank=True
    )
    source_data_resource_code = models.CharField(_("来源数据资源代码"), max_length=40, blank=True)
    page_num = models.PositiveSmallIntegerField(_("份数"), default=1)
    page_format = models.CharField(_("纸张规格"), max_length=40, blank=True)
    accept_stand = models.TextField(_("受理标准"), blank=True)
    by_law = models.TextField(_("依据"), blank=True)
    fill_explain = models.TextField(_("填报说明"), blank=True)
    form_file = models.CharField(_("空白表格"), max_length=300, blank=True)
    example_file = models.CharField(_("示例样表"), max_length=300, blank=True)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Empty: needed in every situation; otherwise only in these handling items.
    handling_items = models.ManyToManyField(HandlingItem, blank=True, related_name="materials")

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.material_name


class FeeProject(models.Model):
    """收费项目 of a task version; amounts in integer fen."""

    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="fees")
    fee_name = models.CharField(_("收费项目名称"), max_length=200)
    fee_stand = models.CharField(_("收费标准"), max_length=300)
    amount_fen = models.PositiveIntegerField(_("金额（分）"), default=0)
    by_law = models.TextField(_("收费依据"), blank=True)
    is_desc = models.BooleanField(_("是否允许减免"), default=False)
    desc_explain = models.TextField(_("减免说明"), blank=True)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.fee_name


class Step(models.Model):
    """办理环节: a step of the review flow, done by a role within a per-step limit."""

    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("办理角色"), max_length=32)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    order_num = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """常见问题."""

    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="questions")
    question = models.TextField(_("问题"))
    answer = models.TextField(_("解答"))
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        ordering = ["order_num", "id"]

    def __str__(self) -> str:
        return self.question[:40]


class FormField(models.Model):
    """申请表字段 of a task version: what the applicant fills in, and where it is pre-filled from.

    `prefill` names a source: ``profile:name``, ``profile:mobile``, ``profile:address``,
    ``profile:birth_date``, or ``certificate:<GB/T 36904 type code>:<face field name>``.
    A key equal to a certificate face field name lets the result certificate read it from
    the case's form data.
    """

    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(_("字段标识"), max_length=40)
    label = models.CharField(_("字段名称"), max_length=100)
    field_type = models.CharField(
        _("字段类型"), max_length=8, choices=FormFieldType.choices, default=FormFieldType.TEXT
    )
    required = models.BooleanField(_("是否必填"), default=True)
    prefill = models.CharField(_("预填来源"), max_length=80, blank=True)
    choices = models.JSONField(_("可选值"), default=list, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请表字段")
        verbose_name_plural = _("申请表字段")
        ordering = ["order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="form_field_key_once")
        ]

    def __str__(self) -> str:
        return self.label


class Bundle(models.Model):
    """一件事: several items a life event needs, applied for once (DOMAIN §3.8)."""

    code = models.SlugField(_("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_("一件事名称"), max_length=100)
    life_cycle = models.CharField(_("生命周期"), max_length=12, choices=LifeCycle.choices)
    theme = models.CharField(_("主题"), max_length=16, choices=BundleTheme.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="bundles"
    )
    lead_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="led_bundles",
    )
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BundleStatus.choices, default=BundleStatus.DRAFT
    )
    # Bumped by each publication; a bundle case records the version it was applied under.
    version = models.PositiveIntegerField(_("版本号"), default=0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleMember(models.Model):
    """一件事的成员事项: one item, its stage in the orchestration, always or by situation.

    Members of the same stage run in parallel; a later stage starts when every sub-case of
    the earlier stages is decided (serial). A conditional member joins only when a chosen
    situation option adds it.
    """

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    task = models.ForeignKey(
        Task, verbose_name=_("实施清单事项"), on_delete=models.PROTECT, related_name="+"
    )
    task_handle_item = models.CharField(_("业务办理项编码"), max_length=50, blank=True)
    stage = models.PositiveSmallIntegerField(_("阶段"), default=1)
    always = models.BooleanField(_("必办"), default=True)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        ordering = ["stage", "order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "task"], name="bundle_member_once"),
            models.CheckConstraint(condition=Q(stage__gte=1), name="bundle_stage_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.task_id}"


class SituationQuestion(models.Model):
    """情形引导问题: its answer chooses which conditional members join."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("问题标识"), max_length=40)
    text = models.CharField(_("问题"), max_length=200)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    multiple = models.BooleanField(_("可多选"), default=False)
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("情形引导问题")
        verbose_name_plural = _("情形引导问题")
        ordering = ["order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "code"], name="situation_question_once")
        ]

    def __str__(self) -> str:
        return self.text


class SituationOption(models.Model):
    """One answer to a situation question, and the members it adds."""

    question = models.ForeignKey(
        SituationQuestion, on_delete=models.CASCADE, related_name="options"
    )
    code = models.SlugField(_("选项标识"), max_length=40)
    label = models.CharField(_("选项"), max_length=100)
    adds = models.ManyToManyField(
        BundleMember, verbose_name=_("增加的事项"), blank=True, related_name="added_by"
    )
    order_num = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("情形选项")
        verbose_name_plural = _("情形选项")
        ordering = ["order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="situation_option_once")
        ]

    def __str__(self) -> str:
        return self.label


class Synonym(models.Model):
    """同义词: a plain word people type, and the catalogue words it means (开饭店 → 食品经营)."""

    term = models.CharField(_("群众说法"), max_length=40, unique=True)
    words = models.CharField(
        _("对应的规范用语"),
        max_length=200,
        help_text=_("一个或多个规范用语，用空格、逗号或顿号分隔，例如：开餐馆 食品经营"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.words}"

    def word_list(self) -> list[str]:
        return split_words(self.words)


def split_words(text: str) -> list[str]:
    """Words separated by spaces, commas or 顿号, in order, without repeats."""
    for separator in "，,、；;\n\t":
        text = text.replace(separator, " ")
    seen: list[str] = []
    for word in text.split(" "):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


class SearchToken(models.Model):
    """One entry of the search index: a segmented word and the published version it finds.

    Built by the publish action and removed by retirement, so the index only ever holds
    what an applicant may see; queried with plain ORM so it works on SQLite and PostgreSQL.
    Theme markers (#p:birth, #c:tax) ride in the same table with weight 0.
    """

    token = models.CharField(max_length=40)
    version = models.ForeignKey(TaskVersion, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "version"], name="search_token_once")
        ]
        indexes = [models.Index(fields=["version"], name="search_token_version")]

    def __str__(self) -> str:
        return f"{self.token} → {self.version_id}"


class BaselineSnapshot(models.Model):
    """精简基线: the catalogue's counts at one moment, against which cuts are measured."""

    name = models.CharField(_("基线名称"), max_length=100, unique=True)
    taken_at = models.DateTimeField(_("采集时间"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("精简基线")
        verbose_name_plural = _("精简基线")
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return self.name


class BaselineEntry(models.Model):
    """One task's counts in a baseline snapshot (the version then in force)."""

    snapshot = models.ForeignKey(BaselineSnapshot, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(TaskVersion, on_delete=models.PROTECT, related_name="+")
    steps = models.PositiveIntegerField(_("环节数"))
    required_materials = models.PositiveIntegerField(_("须提交材料数"))
    # In working days (natural days converted); null for items without a statutory limit.
    anticipate_days = models.FloatField(_("法定办结时限"), null=True)
    promise_days = models.FloatField(_("承诺办结时限"), null=True)

    class Meta:
        verbose_name = _("基线记录")
        verbose_name_plural = _("基线记录")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "task"], name="baseline_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.task_id}"
