"""Region levels and staff roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    """行政区划层级; the number is how deep in the tree the level sits."""

    CITY = 1, _("市")
    COUNTY = 2, _("县/区")
    TOWNSHIP = 3, _("乡/镇/街道")
    VILLAGE = 4, _("村/社区")


class Role(models.TextChoices):
    """What a staff member may do; where, the jurisdiction says."""

    WINDOW_CLERK = "window_clerk", _("窗口受理人员")
    REVIEWER = "reviewer", _("审查人员")
    APPROVER = "approver", _("审批人员")
    DEPARTMENT_ADMIN = "department_admin", _("部门管理员")
    CATALOG_ADMIN = "catalog_admin", _("事项管理员")
    DATA_ADMIN = "data_admin", _("数据管理员")
    SUPERVISOR = "supervisor", _("监督人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
