"""Sessions (延时错时), booking and queue-ticket states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Session(models.TextChoices):
    """A template's kind of service time. WEEKEND serves on non-working days only; the others
    on working days only (DOMAIN §3.5: 5+X 工作日, 错时, 延时, 节假日受理)."""

    REGULAR = "regular", _("常规时段")
    LUNCH = "lunch", _("午间不间断服务")
    EVENING = "evening", _("延时服务（晚间）")
    WEEKEND = "weekend", _("周末及节假日服务")


REST_DAY_SESSIONS = frozenset({Session.WEEKEND})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    ARRIVED = "arrived", _("已取号")
    SERVED = "served", _("已办理")
    NO_SHOW = "no_show", _("爽约")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVED = "served", _("已办理")
    SKIPPED = "skipped", _("过号")
