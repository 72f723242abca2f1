"""The 办件 (case) record with the national exchange field names (DOMAIN §3.2, up_pro_*).

A case is created by `actions.submit_case` and changed only by the actions; every change
writes a process record (过程信息), an audit entry and an outbox event in one transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.cases.choices import (
    AcceptanceMode,
    ApplyType,
    BundleCaseStatus,
    CaseStatus,
    Decision,
    DeliveryMethod,
    EventName,
    GetType,
    HandoffChannel,
    HandoffMode,
    HandoffStage,
    MaterialState,
    PauseKind,
    ReviewKind,
    ReviewOpinion,
    SpecialType,
    WarningLevel,
)


class Case(models.Model):
    """办件 (up_pro_accept 受理信息): one application moving through a department."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Assigned when the case is submitted; a draft has none yet (NULLs never collide).
    project_no = models.CharField(  # noqa: DJ001 - NULL, not "", so drafts never collide
        _("办件编号"), max_length=50, unique=True, null=True
    )
    task_version = models.ForeignKey(
        "catalog.TaskVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Copied from the version at submission: the national table stores them on the case.
    task_code = models.CharField(_("实施编码"), max_length=36)
    task_handle_item = models.CharField(_("业务办理项编码"), max_length=50, blank=True)
    task_name = models.CharField(_("事项名称"), max_length=200)
    catalog_code = models.CharField(_("基本编码"), max_length=12)
    project_name = models.CharField(_("办理摘要"), max_length=200)
    project_type = models.CharField(_("办件类型"), max_length=1)
    apply_type = models.CharField(
        _("申请类型"), max_length=1, choices=ApplyType.choices, default=ApplyType.ONLINE
    )
    status = models.CharField(
        _("状态"),
        max_length=24,
        choices=CaseStatus.choices,
        default=CaseStatus.DRAFT,
        db_index=True,
    )
    # Bumped by every action; a form carries the value it showed, so a stale form is refused.
    row_version = models.PositiveIntegerField(default=1)
    # Applicant: a natural or a legal person, and the account that acts for them.
    applicant_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    applicant_legal_person = models.ForeignKey(
        "identity.LegalPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办账户"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applyer_type = models.CharField(_("申请人类型"), max_length=1)
    applyer_name = models.CharField(_("申请人名称"), max_length=120)
    applyer_page_type = models.CharField(_("申请人证件类型"), max_length=3)
    # Masked: the full number stays encrypted on the Person (ADR 0004); USCCs are public.
    applyer_page_code = models.CharField(_("申请人证件号码"), max_length=32)
    legal = models.CharField(_("法定代表人"), max_length=60, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_mobile = models.CharField(_("联系人手机"), max_length=11, blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    zip_code = models.CharField(_("邮政编码"), max_length=6, blank=True)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    # org_code/org_name 受理部门, and the implementing body (they differ for 跨域通办).
    accepting_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("受理部门"),
        on_delete=models.PROTECT,
        related_name="accepted_cases",
    )
    implementing_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("实施部门"),
        on_delete=models.PROTECT,
        related_name="implemented_cases",
    )
    handle_user_name = models.CharField(_("受理人员"), max_length=60, blank=True)
    accept_doc_no = models.CharField(_("受理文书编号"), max_length=50, blank=True)
    acceptance_mode = models.CharField(
        _("受理方式"), max_length=16, choices=AcceptanceMode.choices, blank=True
    )
    is_joint = models.BooleanField(_("联办"), default=False)
    # Dates (aware datetimes; the clock works on their Asia/Shanghai dates).
    created_at = models.DateTimeField(_("创建时间"))
    apply_date = models.DateTimeField(_("申报时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True)
    correction_requested_at = models.DateTimeField(_("补正告知时间"), null=True, blank=True)
    accept_date = models.DateTimeField(_("受理时间"), null=True, blank=True)
    promise_date = models.DateField(_("承诺办结时间"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期工作日"), default=0)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    post_verification_due = models.DateField(_("承诺核查期限"), null=True, blank=True)
    # Written by the periodic tick for the queues (电子监察).
    due_date = models.DateField(_("当前环节期限"), null=True, blank=True, db_index=True)
    warning_level = models.CharField(
        _("预警"), max_length=8, choices=WarningLevel.choices, blank=True, default=""
    )
    closing_reason = models.TextField(_("退件、撤回或终止理由"), blank=True)
    # The one-time correction notice (一次性告知), as told: [{material_id, name, reason}].
    correction_items = models.JSONField(_("补正事项"), default=list, blank=True)
    # 一件事: the parent (母件) this sub-case belongs to, and its orchestration stage.
    bundle_case = models.ForeignKey(
        "BundleCase",
        verbose_name=_("一件事母件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_cases",
    )
    bundle_stage = models.PositiveSmallIntegerField(_("一件事阶段"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["implementing_department", "status", "-id"]),
            models.Index(fields=["accepting_department", "status", "-id"]),
            models.Index(fields=["applicant_user", "-id"]),
            models.Index(fields=["status", "warning_level"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applicant_person__isnull=False)
                | models.Q(applicant_legal_person__isnull=False),
                name="case_has_applicant",
            )
        ]

    def __str__(self) -> str:
        return self.project_no or f"draft {self.pk}"


class BundleCase(models.Model):
    """一件事母件: one application for a bundle; its sub-cases (子件) each run the §3.2 machine.

    Written only by `actions.bundles`; its status and promise date are recomputed from the
    sub-cases whenever one of them changes (the outbox consumer `cases.bundles`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bundle_no = models.CharField(_("一件事编号"), max_length=50, unique=True)
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="cases"
    )
    bundle_version = models.PositiveIntegerField(_("一件事版本"))
    bundle_name = models.CharField(_("一件事名称"), max_length=100)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办账户"),
        on_delete=models.PROTECT,
        related_name="bundle_cases",
    )
    applicant_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_legal_person = models.ForeignKey(
        "identity.LegalPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applyer_name = models.CharField(_("申请人名称"), max_length=120)
    answers = models.JSONField(_("情形答案"), default=dict, blank=True)
    form_data = models.JSONField(_("合并申请表"), default=dict, blank=True)
    # The plan applied under: [{task_code, task_name, version_id, stage}], in stage order.
    plan = models.JSONField(_("办理计划"), default=list)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=BundleCaseStatus.choices,
        default=BundleCaseStatus.SUBMITTED,
        db_index=True,
    )
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), default=1)
    estimated_promise_date = models.DateField(_("申请时预计办结时间"), null=True, blank=True)
    promise_date = models.DateField(_("一件事承诺办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Why a later stage could not start by itself (the applicant finishes it by hand).
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("一件事母件")
        verbose_name_plural = _("一件事母件")
        ordering = ["-id"]
        indexes = [models.Index(fields=["applicant_user", "-id"])]

    def __str__(self) -> str:
        return self.bundle_no


class CaseProcess(models.Model):
    """过程信息 (up_pro_process): one step of the case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="processes")
    process_name = models.CharField(_("办理环节名称"), max_length=60)
    event_name = models.CharField(_("业务动作"), max_length=2, choices=EventName.choices)
    event_start_time = models.DateTimeField(_("开始时间"))
    event_end_time = models.DateTimeField(_("结束时间"))
    handle_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handle_user_name = models.CharField(_("办理人"), max_length=60)
    # Which side did the step (跨域通办: the receiving hall and the implementing department
    # both record 过程信息 on one timeline); empty for the applicant and the system.
    handle_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("办理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handle_explain = models.TextField(_("办理意见"), blank=True)
    remark = models.TextField(_("备注"), blank=True)
    from_status = models.CharField(max_length=24, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=24, choices=CaseStatus.choices)

    class Meta:
        verbose_name = _("过程信息")
        verbose_name_plural = _("过程信息")
        ordering = ["event_end_time", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.process_name}"


class SpecialProcedure(models.Model):
    """特别程序 (up_pro_special_procedure): time that does not count (§45)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="special_procedures")
    special_type = models.CharField(_("种类"), max_length=1, choices=SpecialType.choices)
    special_name = models.CharField(_("名称"), max_length=60)
    special_reason = models.TextField(_("理由或依据"))
    special_time = models.DateTimeField(_("开始时间"))
    end_time = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # §45: the applicant is told in writing how long it takes.
    special_explain = models.TextField(_("所需时间说明"))
    result = models.TextField(_("结果"), blank=True)
    handle_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    applyer_user_name = models.CharField(_("申请人"), max_length=120)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["special_time", "id"]

    def __str__(self) -> str:
        return self.special_name


class CasePause(models.Model):
    """An interval in which the clock stands still; open while `ended_at` is null."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pauses")
    kind = models.CharField(_("类型"), max_length=12, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("计时暂停")
        verbose_name_plural = _("计时暂停")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d}"


class CaseMaterial(models.Model):
    """申请材料 (up_pro_material): one catalogue material, uploaded or reused."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="case_materials"
    )
    material_name = models.CharField(_("材料名称"), max_length=200)
    get_type = models.CharField(_("收取方式"), max_length=1, choices=GetType.choices)
    get_num = models.PositiveSmallIntegerField(_("收取数量"), default=1)
    material_attach_name = models.CharField(_("附件名称"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True, max_length=200)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reuse_source = models.CharField(_("复用来源"), max_length=20, blank=True)
    reuse_reference = models.CharField(_("复用凭据"), max_length=200, blank=True)
    reuse_label = models.CharField(_("复用说明"), max_length=200, blank=True)
    state = models.CharField(
        _("核验结果"), max_length=10, choices=MaterialState.choices, default=MaterialState.PENDING
    )
    reject_reason = models.TextField(_("不符合要求的理由"), blank=True)
    deferred_due_date = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("提交时间"))
    checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["material__order_num", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="case_material_once")
        ]

    def __str__(self) -> str:
        return self.material_name


class CaseResult(models.Model):
    """结果 (up_pro_result): the decision, its reasons and how it was delivered."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="result")
    result_type = models.CharField(_("办结结果"), max_length=1, choices=Decision.choices)
    result_explain = models.TextField(_("决定理由"), blank=True)
    # 不予许可: the applicant is told how to seek remedy (复议、诉讼) — required by law.
    remedy_notice = models.TextField(_("救济途径告知"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    result_date = models.DateTimeField(_("办结时间"), null=True, blank=True)
    result_cetr_name = models.CharField(_("结果证照名称"), max_length=200, blank=True)
    result_cetr_no = models.CharField(_("结果证照编号"), max_length=120, blank=True)
    is_delivery_results = models.BooleanField(_("是否快递送达"), default=False)
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件结果")
        verbose_name_plural = _("办件结果")

    def __str__(self) -> str:
        return f"{self.case_id} {self.result_type}"


class CaseReviewTask(models.Model):
    """One department's review step (联办 fans out to several), or a 告知承诺 核查."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_tasks")
    department = models.ForeignKey(
        "regions.Department", on_delete=models.PROTECT, related_name="case_review_tasks"
    )
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.REVIEW)
    step_name = models.CharField(_("环节"), max_length=100)
    role = models.CharField(_("办理角色"), max_length=32)
    created_at = models.DateTimeField()
    due_date = models.DateField(_("期限"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    opinion = models.CharField(_("意见"), max_length=10, choices=ReviewOpinion.choices, blank=True)
    explain = models.TextField(_("审查意见"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("审查任务")
        verbose_name_plural = _("审查任务")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["department", "done_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step_name}"


class CaseHandoff(models.Model):
    """跨域通办 hand-off: 代收 (receiving hall → implementing department) or a 联办 part.

    For 异地代收代办 `from_department` is the hall that took the materials (the case's
    accepting department) and `to_department` the implementing one; for 多地联办 it is the
    implementing department handing a part to a department elsewhere. 全程网办 needs no row.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handoffs")
    mode = models.CharField(_("通办模式"), max_length=8, choices=HandoffMode.choices)
    stage = models.CharField(_("环节"), max_length=12, choices=HandoffStage.choices)
    from_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("转出部门"),
        on_delete=models.PROTECT,
        related_name="handoffs_out",
    )
    to_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("接收部门"),
        on_delete=models.PROTECT,
        related_name="handoffs_in",
    )
    received_at = models.DateTimeField(_("代收时间"))
    checked_at = models.DateTimeField(_("形式审查时间"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("转递时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("属地收件时间"), null=True, blank=True)
    result_returned_at = models.DateTimeField(_("结果回传时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("代收窗口送达时间"), null=True, blank=True)
    channel = models.CharField(
        _("转递方式"), max_length=12, choices=HandoffChannel.choices, blank=True
    )
    tracking_no = models.CharField(_("寄递单号"), max_length=40, blank=True)
    return_to_hall = models.BooleanField(_("结果回代收窗口领取"), default=False)

    class Meta:
        verbose_name = _("通办流转")
        verbose_name_plural = _("通办流转")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "mode", "to_department"], name="handoff_once_per_side"
            )
        ]
        indexes = [models.Index(fields=["from_department", "stage"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.mode} {self.stage}"


class CaseEscalation(models.Model):
    """督办: a warning sent to the department head, once per level per case and answering
    department (a 代收 case's hall for its 转递 limit, else the implementing department)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(_("级别"), max_length=8, choices=WarningLevel.choices)
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    message = models.TextField(_("内容"))
    recipients = models.JSONField(_("通知对象"), default=list)

    class Meta:
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level", "department"], name="escalation_once_per_level_dept"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"


class OutboxEvent(models.Model):
    """A domain event written in the transaction of the change it reports (see outbox.py)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=60)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("领域事件")
        verbose_name_plural = _("领域事件")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind}"


class OutboxDelivery(models.Model):
    """Whether one consumer has handled one event (its cursor, row by row)."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(max_length=60)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("事件投递")
        verbose_name_plural = _("事件投递")
        constraints = [models.UniqueConstraint(fields=["event", "consumer"], name="delivery_once")]
        indexes = [models.Index(fields=["consumer", "delivered_at"])]

    def __str__(self) -> str:
        return f"{self.event_id}→{self.consumer}"


class StagedDocument(models.Model):
    """A file uploaded before its application exists (GovStack POST /documents)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    material_id = models.PositiveBigIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="staged/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_by = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("暂存文件")
        verbose_name_plural = _("暂存文件")

    def __str__(self) -> str:
        return str(self.uuid)
