"""Code sets of the data-sharing domain (DOMAIN §3.15; GB/T 21063.3, GB/T 36344)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceCategory(models.TextChoices):
    """信息资源分类 · 类 (one digit)."""

    BASIC = "1", _("基础信息资源")
    THEMATIC = "2", _("主题信息资源")
    DEPARTMENTAL = "3", _("部门信息资源")


# 项 (two digits) of the basic and thematic classes; departmental resources use the
# department's own two-digit code, so any two digits are accepted there.
BASIC_SUBJECTS: dict[str, str] = {
    "01": "人口",
    "02": "法人",
    "03": "自然资源和空间地理",
    "04": "社会信用",
    "05": "电子证照",
}
THEMATIC_SUBJECTS: dict[str, str] = {
    "01": "公共服务",
    "02": "健康保障",
    "03": "社会保障",
    "04": "食品药品安全",
    "05": "安全生产",
    "06": "价格监管",
    "07": "能源安全",
    "08": "信用体系",
    "09": "城乡建设",
    "10": "社区治理",
    "11": "生态环保",
    "12": "应急维稳",
}


class VersionStatus(models.TextChoices):
    """A resource version: draft → published → retired; a published version never changes."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class ResourceFormat(models.TextChoices):
    """信息资源格式."""

    TABLE = "table", _("数据库表")
    FILE = "file", _("文件")
    API = "api", _("接口")


class SharingType(models.TextChoices):
    """共享类型."""

    UNCONDITIONAL = "1", _("无条件共享")
    CONDITIONAL = "2", _("有条件共享")
    NOT_SHARED = "3", _("不予共享")


class SharingMethod(models.TextChoices):
    """共享方式."""

    API = "api", _("接口")
    TABLE = "table", _("库表")
    FILE = "file", _("文件")


class OpenType(models.TextChoices):
    """开放类型."""

    UNCONDITIONAL = "1", _("无条件开放")
    CONDITIONAL = "2", _("有条件开放")
    NOT_OPEN = "3", _("不予开放")


class UpdateCycle(models.TextChoices):
    """更新周期 (mapped to the EU frequency vocabulary in the DCAT-AP description)."""

    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


class DataType(models.TextChoices):
    """信息项数据类型 (GB/T 19488.2 表示格式)."""

    STRING = "C", _("字符型")
    NUMBER = "N", _("数值型")
    DATE = "D", _("日期型")
    DATETIME = "DT", _("日期时间型")
    BOOLEAN = "B", _("布尔型")


class Sensitivity(models.TextChoices):
    """信息项敏感级; only public items may appear in an open dataset."""

    PUBLIC = "1", _("公开")
    INTERNAL = "2", _("内部")
    SENSITIVE = "3", _("敏感")
    HIGHLY_SENSITIVE = "4", _("高度敏感")


class SharingStatus(models.TextChoices):
    """共享申请 states (山西 2024 rules as the SLA set; DOMAIN §3.15)."""

    COMPLIANCE_REVIEW = "compliance_review", _("合规审核中")
    RETURNED = "returned", _("退回修改")
    PROVIDER_REVIEW = "provider_review", _("提供方审核中")
    REFUSED = "refused", _("提供方不予共享")
    NEGOTIATION = "negotiation", _("协商中")
    COORDINATION = "coordination", _("主管部门协调中")
    AUTHORIZED = "authorized", _("已授权")
    CLOSED = "closed", _("已关闭")


# A request waits on someone in these states; each has a working-day deadline.
OPEN_SHARING_STATES = frozenset(
    {
        SharingStatus.COMPLIANCE_REVIEW,
        SharingStatus.PROVIDER_REVIEW,
        SharingStatus.NEGOTIATION,
        SharingStatus.COORDINATION,
    }
)


class AuthorisationStatus(models.TextChoices):
    """授权 (the scoped credential a consumer calls with)."""

    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


class DemandStatus(models.TextChoices):
    """供需对接 need: posted → matched to the catalogue, or assigned to a provider → fulfilled."""

    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已匹配目录")
    ASSIGNED = "assigned", _("已交办提供方")
    FULFILLED = "fulfilled", _("已编目上架")
    CLOSED = "closed", _("已关闭")


class DisputeStatus(models.TextChoices):
    """数据异议."""

    OPEN = "open", _("待核校")
    ANSWERED = "answered", _("已答复")


class DisputeOutcome(models.TextChoices):
    """How the source answered a dispute."""

    CORRECTED = "corrected", _("已更正")
    CONFIRMED = "confirmed", _("经核实无误")
    OTHER = "other", _("其他")


class AlarmKind(models.TextChoices):
    """What is overdue."""

    COMPLIANCE_OVERDUE = "compliance_overdue", _("合规审核超期")
    PROVIDER_OVERDUE = "provider_overdue", _("提供方审核超期")
    NEGOTIATION_OVERDUE = "negotiation_overdue", _("协商超期")
    COORDINATION_OVERDUE = "coordination_overdue", _("协调超期")
    DISPUTE_OVERDUE = "dispute_overdue", _("数据异议答复超期")
    DEMAND_OVERDUE = "demand_overdue", _("需求编目超期")


class NodeLevel(models.IntegerChoices):
    """交换节点层级."""

    CITY = 1, _("市级")
    COUNTY = 2, _("县级")
    TOWNSHIP = 3, _("乡级")


class NodeStatus(models.TextChoices):
    """Whether other nodes may talk to this one."""

    ACTIVE = "active", _("运行")
    SUSPENDED = "suspended", _("停用")


class MemberClass(models.TextChoices):
    """Member class of an exchange identity (X-Road CLASS)."""

    GOV = "GOV", _("政府部门")
    PUB = "PUB", _("公共事业单位")


class MessageSide(models.TextChoices):
    """Which end of a call wrote a log entry."""

    CONSUMER = "consumer", _("调用方")
    PROVIDER = "provider", _("提供方")


class MessageOutcome(models.TextChoices):
    """What became of a call."""

    OK = "ok", _("成功")
    REFUSED = "refused", _("拒绝")
    ERROR = "error", _("错误")


class QualityDimension(models.TextChoices):
    """GB/T 36344 quality dimensions checked per data item."""

    COMPLETENESS = "completeness", _("完整性")
    ACCURACY = "accuracy", _("准确性")
    CONSISTENCY = "consistency", _("一致性")
    TIMELINESS = "timeliness", _("时效性")
    CONFORMITY = "conformity", _("规范性")


class IssueStatus(models.TextChoices):
    """A failing row reported back to its provider."""

    OPEN = "open", _("待整改")
    RESOLVED = "resolved", _("已整改")


class Licence(models.TextChoices):
    """Licences an open dataset may carry (the URL is the licence's identifier)."""

    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    ODC_BY = "ODC-BY-1.0", "ODC-By 1.0"
    ODBL = "ODbL-1.0", "ODbL 1.0"


LICENCE_URLS: dict[str, str] = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class DatasetStatus(models.TextChoices):
    """An open dataset is published or withdrawn."""

    PUBLISHED = "published", _("已开放")
    WITHDRAWN = "withdrawn", _("已撤回")


class DownloadFormat(models.TextChoices):
    """How an open dataset was fetched (each counted)."""

    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    API = "api", "API"
