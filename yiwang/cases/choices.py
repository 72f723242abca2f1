"""Code sets of the 办件 (case) record and its state machine (DOMAIN §3.2, §3.2.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """办件状态: every state of the statutory state machine."""

    DRAFT = "draft", _("暂存")
    SUBMITTED = "submitted", _("已申报（待收件）")
    RETURNED = "returned", _("退件")
    RECEIVED = "received", _("已收件")
    CORRECTION_REQUIRED = "correction_required", _("补齐补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序")
    SUSPENDED = "suspended", _("中止（挂起）")
    DECIDED = "decided", _("已决定")
    CERT_ISSUING = "cert_issuing", _("制证")
    DELIVERING = "delivering", _("送达中")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")


TERMINAL_STATUSES = frozenset(
    {
        CaseStatus.RETURNED,
        CaseStatus.NOT_ACCEPTED,
        CaseStatus.COMPLETED,
        CaseStatus.WITHDRAWN,
        CaseStatus.TERMINATED,
    }
)
# The clock stands still in these states (补正, 特别程序 §45, 中止).
PAUSED_STATUSES = frozenset(
    {CaseStatus.CORRECTION_REQUIRED, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.SUSPENDED}
)


class EventName(models.TextChoices):
    """业务动作 (up_pro_process.event_name, a 2-character code)."""

    SUBMIT = "01", _("申报")
    RECEIVE = "02", _("收件")
    RETURN = "03", _("退件")
    REQUEST_CORRECTION = "04", _("补正告知")
    SUBMIT_CORRECTION = "05", _("补正提交")
    ACCEPT = "06", _("受理")
    NOT_ACCEPT = "07", _("不予受理")
    REVIEW = "08", _("审查")
    SPECIAL_START = "09", _("特别程序开始")
    SPECIAL_END = "10", _("特别程序结束")
    SUSPEND = "11", _("挂起")
    RESUME = "12", _("恢复")
    EXTEND = "13", _("延期")
    DECIDE = "14", _("决定")
    ISSUE = "15", _("制证")
    DELIVER = "16", _("送达")
    COMPLETE = "17", _("办结")
    WITHDRAW = "18", _("撤回")
    TERMINATE = "19", _("终止")
    DEEMED_ACCEPT = "20", _("视为受理")
    CHECK_MATERIAL = "21", _("材料核验")
    SUPPLY_MATERIAL = "22", _("材料补交")
    # 跨域通办 (DOMAIN §3.10): the receiving hall's 代收 steps and the hand-back of the result.
    PROXY_RECEIVE = "23", _("代收收件")
    PROXY_CHECK = "24", _("形式审查")
    PROXY_FORWARD = "25", _("材料转递")
    PROXY_RETURN = "26", _("代收退回")
    RESULT_RETURN = "27", _("结果回传")
    HALL_HANDOVER = "28", _("代收窗口送达")
    JOINT_ASSIGN = "29", _("多地联办分派")


class ApplyType(models.TextChoices):
    """申请类型 (channel)."""

    ONLINE = "1", _("网上申报")
    WINDOW = "2", _("窗口申报")
    API = "3", _("系统对接")


class AcceptanceMode(models.TextChoices):
    """How the case was accepted."""

    NORMAL = "normal", _("材料齐全受理")
    TOLERANCE = "tolerance", _("容缺受理")
    NOTIFY_COMMIT = "notify_commit", _("告知承诺")
    DEEMED = "deemed", _("视为受理（逾期未告知补正）")


class PauseKind(models.TextChoices):
    """What stopped the clock."""

    CORRECTION = "correction", _("补齐补正")
    SPECIAL = "special", _("特别程序")
    SUSPENSION = "suspension", _("中止")


class SpecialType(models.TextChoices):
    """特别程序种类 (行政许可法 §45)."""

    HEARING = "1", _("听证")
    TENDER = "2", _("招标")
    AUCTION = "3", _("拍卖")
    INSPECTION = "4", _("检验")
    TESTING = "5", _("检测")
    QUARANTINE = "6", _("检疫")
    APPRAISAL = "7", _("鉴定")
    EXPERT_REVIEW = "8", _("专家评审")


class MaterialState(models.TextChoices):
    """Where a submitted material stands."""

    PENDING = "pending", _("待核验")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("不符合要求")
    DEFERRED = "deferred", _("容缺后补")


class GetType(models.TextChoices):
    """收取方式 (up_pro_material.get_type)."""

    UPLOAD = "1", _("电子上传")
    CERTIFICATE = "2", _("电子证照复用")
    SHARED_DATA = "3", _("数据共享复用")
    PAPER = "4", _("纸质收取")


class Decision(models.TextChoices):
    """办结结果 (up_pro_result.result_type)."""

    GRANTED = "1", _("准予")
    REFUSED = "2", _("不予")


class ReviewKind(models.TextChoices):
    """A department's part in the review."""

    REVIEW = "review", _("审查")
    POST_VERIFICATION = "post_verification", _("承诺事项核查")


class ReviewOpinion(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")


class DeliveryMethod(models.TextChoices):
    """送达方式."""

    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄")
    ELECTRONIC = "electronic", _("电子送达")


class WarningLevel(models.TextChoices):
    """电子监察: 黄牌 at a share of the limit used, 红牌 when overdue."""

    NONE = "", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌（已超期）")


class NoticeKind(models.TextChoices):
    """The notices a citizen receives as PDF."""

    ACCEPTANCE = "acceptance", _("受理通知书")
    CORRECTION = "correction", _("补正告知书")
    NOT_ACCEPTED = "not_accepted", _("不予受理通知书")
    COMPLETION = "completion", _("办结通知书")


class HandoffMode(models.TextChoices):
    """跨域通办 mode (DOMAIN §3.10)."""

    ONLINE = "online", _("全程网办")
    PROXY = "proxy", _("异地代收代办")
    JOINT = "joint", _("多地联办")


class HandoffStage(models.TextChoices):
    """Where a hand-off between the receiving and the implementing side stands."""

    RECEIVED = "received", _("已代收")
    CHECKED = "checked", _("已形式审查")
    FORWARDED = "forwarded", _("已转递")
    ARRIVED = "arrived", _("属地已收件")
    RETURNING = "returning", _("结果已回传代收窗口")
    DELIVERED = "delivered", _("代收窗口已送达")
    RETURNED = "returned", _("已退回申请人")
    ASSIGNED = "assigned", _("已分派联办")


class HandoffChannel(models.TextChoices):
    """How the checked materials travel to the implementing department."""

    ELECTRONIC = "electronic", _("电子流转")
    POST = "post", _("寄递")


class BundleCaseStatus(models.TextChoices):
    """一件事母件状态, aggregated from its sub-cases (子件)."""

    SUBMITTED = "submitted", _("已提交")
    IN_PROGRESS = "in_progress", _("办理中")
    PARTLY_DONE = "partly_done", _("部分办结")
    COMPLETED = "completed", _("已办结")
    NOT_PASSED = "not_passed", _("未通过")
