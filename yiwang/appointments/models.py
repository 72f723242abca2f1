"""Halls (政务服务大厅), windows and the items they serve, slot templates with extended and
staggered hours, bookable slots, bookings, no-show bans and queue tickets (取号)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yiwang.appointments.choices import BookingStatus, Session, TicketStatus, Weekday


class Hall(models.Model):
    """政务服务大厅 of a region, run by a department (usually the 行政审批局)."""

    name = models.CharField(_("名称"), max_length=120)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="halls"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("管理部门"),
        on_delete=models.PROTECT,
        related_name="halls",
    )
    address = models.CharField(_("地址"), max_length=300)
    avg_service_minutes = models.PositiveSmallIntegerField(_("平均办理时长（分钟）"), default=10)
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("政务服务大厅")
        verbose_name_plural = _("政务服务大厅")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="hall_name_once")]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """窗口 of a hall and the items (实施清单事项) it serves."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=10)
    name = models.CharField(_("名称"), max_length=120)
    tasks = models.ManyToManyField(
        "catalog.Task", verbose_name=_("可办事项"), related_name="windows", blank=True
    )
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number}"


class SlotTemplate(models.Model):
    """时段模板: on a weekday (or every day of its kind), from start to end, cut into slots of
    `slot_minutes`, each taking `capacity` bookings."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="templates")
    session = models.CharField(_("时段类型"), max_length=8, choices=Session.choices)
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("留空表示该类型的每一天（如所有节假日）。"),
    )
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("每段分钟数"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每段可约人数"), default=2)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时段模板")
        verbose_name_plural = _("时段模板")
        ordering = ["window_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="template_order"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="template_slot_minutes"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="template_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.session} {self.start_time}-{self.end_time}"

    def applies_on(self, day: dt.date) -> bool:
        """The validity window (the calendar check is the generator's)."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until
        )


class Slot(models.Model):
    """可预约时段: one window's slot on one date; `booked` never exceeds `capacity`."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="slots")
    template = models.ForeignKey(
        SlotTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    session = models.CharField(_("时段类型"), max_length=8, choices=Session.choices)
    capacity = models.PositiveSmallIntegerField(_("可约人数"))
    booked = models.PositiveSmallIntegerField(_("已约人数"), default=0)

    class Meta:
        verbose_name = _("可预约时段")
        verbose_name_plural = _("可预约时段")
        ordering = ["date", "start_time", "window_id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "date", "start_time"], name="slot_once"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.date} {self.start_time:%H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    """预约: a citizen's booking of a slot for an item (linked to a case by 办件编号)."""

    booking_no = models.CharField(_("预约号"), max_length=20, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    task = models.ForeignKey(
        "catalog.Task", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    case_project_no = models.CharField(_("办件编号"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["citizen", "status"])]

    def __str__(self) -> str:
        return self.booking_no


class NoShowBan(models.Model):
    """预约限制: after repeated no-shows, online booking is blocked until `until`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_bans"
    )
    no_shows = models.PositiveSmallIntegerField(_("爽约次数"))
    starts_at = models.DateTimeField(_("开始时间"))
    until = models.DateTimeField(_("解除时间"), db_index=True)

    class Meta:
        verbose_name = _("预约限制")
        verbose_name_plural = _("预约限制")
        ordering = ["-until"]

    def __str__(self) -> str:
        return f"{self.user_id} until {self.until:%Y-%m-%d}"


class QueueTicket(models.Model):
    """排队号 (取号): taken on the day, with or without a booking; bookings are called first."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    date = models.DateField(_("日期"))
    number = models.CharField(_("号码"), max_length=8)
    task = models.ForeignKey(
        "catalog.Task", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    estimated_wait_minutes = models.PositiveIntegerField(_("预计等候（分钟）"), default=0)
    created_at = models.DateTimeField(_("取号时间"), auto_now_add=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "date", "number"], name="ticket_number_once")
        ]
        indexes = [models.Index(fields=["hall", "date", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_priority(self) -> bool:
        return self.booking_id is not None
