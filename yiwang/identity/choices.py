"""Account kinds, document types, applicant types, real-name levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """Who an account belongs to."""

    CITIZEN = "citizen", _("自然人")
    ENTERPRISE = "enterprise", _("法人经办人")
    STAFF = "staff", _("工作人员")
    SYSTEM = "system", _("对接系统")


class DocumentType(models.TextChoices):
    """证件类型 (codes as in the national exchange tables)."""

    RESIDENT_ID = "111", _("居民身份证")
    PASSPORT = "414", _("护照")
    HK_MACAO_PERMIT = "516", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "511", _("台湾居民来往大陆通行证")
    FOREIGNER_PERMANENT = "553", _("外国人永久居留身份证")


class ApplicantType(models.TextChoices):
    """申请人类型 (national 好差评 codes 1–9)."""

    NATURAL_PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    PUBLIC_INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    NON_LEGAL_ENTERPRISE = "5", _("非法人企业")
    GOVERNMENT_BODY = "6", _("行政机关")
    OTHER_ORGANISATION = "9", _("其他组织")


class RealNameLevel(models.IntegerChoices):
    """实名等级: how surely we know who holds the account."""

    BASIC = 1, _("一级：手机号核验")
    VERIFIED = 2, _("二级：身份证件核验")
    STRONG = 3, _("三级：人脸或窗口核验")


class OperatorScope(models.TextChoices):
    """What an enterprise's operator (经办人) may do in its name."""

    APPLY = "apply", _("申报办件")
    PAY = "pay", _("缴纳费用")
    CERTIFICATES = "certificates", _("使用证照")
    MANAGE = "manage", _("管理经办人")
