"""好差评: invitations to rate a touchpoint, the ratings, and poor-rating tickets with their
event log. Linked to a case by its 办件编号 (case_project_no) and to the rater."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.ratings.choices import (
    Level,
    RatingChannel,
    RecheckLevel,
    TicketStatus,
    Touchpoint,
)


class RatingInvitation(models.Model):
    """待评价: a touchpoint the applicant may rate; unrated after 7 natural days it gets the
    default rating (基本满意)."""

    case_project_no = models.CharField(_("办件编号"), max_length=50, blank=True, db_index=True)
    touchpoint = models.CharField(_("评价环节"), max_length=14, choices=Touchpoint.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.CASCADE,
        related_name="rating_invitations",
    )
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "catalog.Task",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("开放时间"))
    due_at = models.DateTimeField(_("评价截止"), db_index=True)

    class Meta:
        verbose_name = _("待评价")
        verbose_name_plural = _("待评价")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_project_no", "touchpoint", "rater"],
                condition=~Q(case_project_no=""),
                name="invitation_once_per_touchpoint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_project_no}:{self.touchpoint}"


class Rating(models.Model):
    """评价: one rating of one touchpoint (or of the whole case)."""

    invitation = models.OneToOneField(
        RatingInvitation, on_delete=models.PROTECT, related_name="rating"
    )
    case_project_no = models.CharField(_("办件编号"), max_length=50, blank=True, db_index=True)
    touchpoint = models.CharField(_("评价环节"), max_length=14, choices=Touchpoint.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "catalog.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    channel = models.CharField(_("评价渠道"), max_length=8, choices=RatingChannel.choices)
    indicators: models.JSONField[Any, Any] = models.JSONField(_("二级指标"), default=dict)
    reason_tags: models.JSONField[Any, Any] = models.JSONField(_("差评原因"), default=list)
    comment = models.TextField(_("评价内容"), blank=True)
    is_default = models.BooleanField(_("默认评价"), default=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="level_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.case_project_no}:{self.touchpoint}={self.level}"

    @property
    def is_poor(self) -> bool:
        return self.level <= 2


class PoorRatingTicket(models.Model):
    """差评工单: the rectification of one poor rating, by the department that served."""

    ticket_no = models.CharField(_("工单编号"), max_length=20, unique=True)
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="ticket")
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="poor_rating_tickets",
    )
    status = models.CharField(
        _("状态"),
        max_length=18,
        choices=TicketStatus.choices,
        default=TicketStatus.TICKET_CREATED,
    )
    deadline = models.DateField(_("整改期限"))
    ledger_due_date = models.DateField(_("台账整改期限"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visit_note = models.TextField(_("回访记录"), blank=True)
    feedback = models.TextField(_("反馈内容"), blank=True)
    recheck_level = models.CharField(
        _("评价人确认"), max_length=12, choices=RecheckLevel.choices, blank=True
    )
    excluded_from_stats = models.BooleanField(_("剔除统计"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评工单")
        verbose_name_plural = _("差评工单")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.ticket_no


class TicketEvent(models.Model):
    """工单流转记录: one step of a ticket, who took it and what they wrote."""

    ticket = models.ForeignKey(PoorRatingTicket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=18, choices=TicketStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=18, choices=TicketStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单流转记录")
        verbose_name_plural = _("工单流转记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status} → {self.to_status}"
