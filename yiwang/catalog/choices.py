"""National code sets of the item catalogue (DOMAIN §3.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.identity.choices import ApplicantType


class TaskType(models.TextChoices):
    """事项类型 (national codes)."""

    LICENSING = "01", _("行政许可")
    PUNISHMENT = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


# Only these reach 政务服务 (applied for by citizens); the others belong to the power list.
APPLICABLE_TASK_TYPES = frozenset({"01", "05", "07", "08", "09", "10", "20"})


class UseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "1", _("国家级")
    PROVINCIAL = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWNSHIP = "5", _("乡（镇、街道）级")
    VILLAGE = "6", _("村（社区）级")
    TIERED = "9", _("分级管理")


class DeptType(models.TextChoices):
    """实施主体性质."""

    STATUTORY = "1", _("法定机关")
    AUTHORISED = "2", _("授权组织")
    ENTRUSTED = "3", _("受委托组织")


# 服务对象 uses the same national 1–9 code set as the applicant type (申请人类型).
ServiceObject = ApplicantType


class LimitUnit(models.TextChoices):
    """时限单位 (anticipate_type / promise_type)."""

    WORKING_DAYS = "1", _("工作日")
    NATURAL_DAYS = "2", _("自然日")


class ProjectType(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")


class OnlineDepth(models.TextChoices):
    """网上办理深度."""

    INFORMATION = "1", _("网上咨询")
    APPLY_ONLINE = "2", _("网上申报")
    PROCESS_ONLINE = "3", _("网上预审")
    FULLY_ONLINE = "4", _("全程网办")


class HandleArea(models.TextChoices):
    """通办范围."""

    LOCAL = "1", _("本级")
    CITY_WIDE = "2", _("全市通办")
    PROVINCE_WIDE = "3", _("跨市通办（省内）")
    CROSS_PROVINCE = "4", _("跨省通办")
    NATIONWIDE = "5", _("全国通办")


class ResultType(models.TextChoices):
    """审批结果类型."""

    CERTIFICATE = "1", _("证照")
    APPROVAL_DOCUMENT = "2", _("批文")
    OTHER = "3", _("其他")


class VersionStatus(models.TextChoices):
    """实施清单版本状态: draft → submitted → approved → published → retired (or rejected)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("审核驳回")
    RETIRED = "retired", _("已废止")


class MaterialSource(models.TextChoices):
    """材料来源渠道; certificate and shared-data sources let an applicant skip the upload."""

    APPLICANT = "1", _("申请人自备")
    GOVERNMENT_ISSUED = "2", _("政府部门核发")
    INTERMEDIARY = "3", _("中介机构")
    CERTIFICATE = "4", _("电子证照")
    SHARED_DATA = "5", _("数据共享")
    OTHER = "9", _("其他")


# Materials from these sources are covered by certificates or data sharing (免提交).
REUSABLE_SOURCES = frozenset({MaterialSource.CERTIFICATE, MaterialSource.SHARED_DATA})


class MaterialFormat(models.TextChoices):
    """材料形式."""

    PAPER = "1", _("纸质")
    ELECTRONIC = "2", _("电子")
    BOTH = "3", _("纸质+电子")


class Theme(models.TextChoices):
    """主题分类 (life events for persons, life cycle for enterprises)."""

    BIRTH = "birth", _("出生")
    EDUCATION = "education", _("教育")
    EMPLOYMENT = "employment", _("就业")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    HOUSING = "housing", _("住房")
    HEALTH = "health", _("医疗卫生")
    TRAVEL = "travel", _("出行")
    MARRIAGE = "marriage", _("婚姻")
    RETIREMENT = "retirement", _("养老")
    DEATH = "death", _("身后")
    CIVIL = "civil", _("户籍证件")
    BUSINESS_START = "business_start", _("准入准营")
    BUSINESS_OPERATION = "business_operation", _("经营发展")
    CONSTRUCTION = "construction", _("工程建设")
    TAX = "tax", _("纳税缴费")
    HIRING = "hiring", _("招聘用工")
    BUSINESS_EXIT = "business_exit", _("注销退出")


class FormFieldType(models.TextChoices):
    """申请表字段类型."""

    TEXT = "text", _("文本")
    DATE = "date", _("日期")
    NUMBER = "number", _("数字")
    CHOICE = "choice", _("单选")


class LifeCycle(models.TextChoices):
    """一件事所属生命周期 (国办发〔2025〕24号: 个人 and 经营主体)."""

    PERSON = "person", _("个人全生命周期")
    ENTERPRISE = "enterprise", _("经营主体全生命周期")


class BundleTheme(models.TextChoices):
    """一件事主题 (国办发〔2025〕24号 总体清单的分类)."""

    BIRTH = "birth", _("出生")
    EDUCATION = "education", _("教育")
    EMPLOYMENT = "employment", _("就业")
    LIVING = "living", _("生活")
    HOUSING = "housing", _("置业")
    TRAVEL = "travel", _("出行")
    MEDICAL = "medical", _("就医")
    RELIEF = "relief", _("救助")
    ELDERLY = "elderly", _("养老")
    AFTER_DEATH = "after_death", _("身后")
    ENTRY = "entry", _("准入准营")
    HIRING = "hiring", _("招聘用工")
    TAX = "tax", _("纳税缴费")
    OPERATION = "operation", _("经营发展")
    CONSTRUCTION = "construction", _("工程建设")
    EXIT = "exit", _("注销退出")


PERSON_THEMES = (
    BundleTheme.BIRTH, BundleTheme.EDUCATION, BundleTheme.EMPLOYMENT, BundleTheme.LIVING,
    BundleTheme.HOUSING, BundleTheme.TRAVEL, BundleTheme.MEDICAL, BundleTheme.RELIEF,
    BundleTheme.ELDERLY, BundleTheme.AFTER_DEATH,
)  # fmt: skip
ENTERPRISE_THEMES = (
    BundleTheme.ENTRY, BundleTheme.HIRING, BundleTheme.TAX, BundleTheme.OPERATION,
    BundleTheme.CONSTRUCTION, BundleTheme.EXIT,
)  # fmt: skip


class BundleStatus(models.TextChoices):
    """一件事状态: a draft is edited; published ones are offered; retired ones no longer."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")
