"""好差评 vocabulary (DOMAIN §3.3): levels, touchpoints, channels, indicators, ticket states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Five levels; 1 and 2 are 差评."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


POOR_MAX = 2
DEFAULT_LEVEL = Level.BASIC


class Touchpoint(models.TextChoices):
    """Each service touchpoint is ratable (national serviceName), and the case as a whole."""

    CONSULTATION = "consultation", _("咨询")
    APPLICATION = "application", _("申报")
    CORRECTION = "correction", _("补正")
    PAYMENT = "payment", _("缴费")
    RECEIPT = "receipt", _("签收")
    CASE = "case", _("办件")


# The national upload's serviceName for each touchpoint (the case itself has none).
SERVICE_NAMES = {
    Touchpoint.CONSULTATION: "咨询",
    Touchpoint.APPLICATION: "申报",
    Touchpoint.CORRECTION: "补正",
    Touchpoint.PAYMENT: "缴费",
    Touchpoint.RECEIPT: "签收",
}


class RatingChannel(models.TextChoices):
    """评价渠道."""

    PC = "pc", _("网上办事大厅")
    APP = "app", _("移动端")
    MINI_PROGRAM = "mini", _("小程序")
    SMS = "sms", _("短信")
    WINDOW = "window", _("窗口评价器")
    HOTLINE = "12345", _("12345 热线")
    KIOSK = "kiosk", _("自助终端")
    DEFAULT = "default", _("系统默认")


ONLINE_INDICATORS = {
    "overall": _("整体满意度"),
    "efficiency": _("办事效率"),
    "guide_accuracy": _("办事指南精确度"),
    "convenience": _("办事便捷度"),
    "usability": _("平台操作性"),
}
OFFLINE_INDICATORS = {
    "overall": _("整体满意度"),
    "service_efficiency": _("服务效率"),
    "service_level": _("服务水平"),
    "attitude": _("服务态度"),
}
OFFLINE_CHANNELS = frozenset({RatingChannel.WINDOW, RatingChannel.KIOSK, RatingChannel.HOTLINE})

POOR_REASONS = {
    "overdue": _("无理由超过法定办理时间"),
    "extra_conditions": _("在办事指南之外增加新的审批条件"),
    "extra_materials": _("需提供办事指南之外的申报材料"),
    "attitude": _("服务态度差"),
    "repeated_visits": _("多次跑动"),
    "platform": _("平台操作不便"),
    "other": _("其他"),
}


class TicketStatus(models.TextChoices):
    """差评工单 states (DOMAIN §3.3)."""

    RATED = "rated", _("已评价")
    TICKET_CREATED = "ticket_created", _("已生成工单")
    DISPATCHED = "dispatched", _("已转办")
    VISITING = "visiting", _("回访核实中")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    LEDGER = "ledger", _("列入台账限期整改")
    EXPLAINED = "explained", _("已解释说明")
    APPEAL = "appeal", _("申诉复核中")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立（剔除统计）")
    APPEAL_REJECTED = "appeal_rejected", _("申诉不成立")
    FEEDBACK_SENT = "feedback_sent", _("已反馈评价人")
    EVALUATOR_RECHECK = "evaluator_recheck", _("评价人已确认")
    CLOSED = "closed", _("已办结")


class RecheckLevel(models.TextChoices):
    """The evaluator's answer to the feedback."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
