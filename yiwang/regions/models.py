"""Region tree, departments and staff (who works where, in which roles, over which area)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.regions.choices import RegionLevel, Role


class Region(models.Model):
    """行政区划: a node of the city → county → township → village tree."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The code's significant digits; a subtree is every region whose prefix starts with it.
    prefix = models.CharField(max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: Region) -> bool:
        """True if `other` is this region or lies inside it."""
        return other.prefix.startswith(self.prefix)


class Department(models.Model):
    """政府部门: an implementing body with its unified social credit code (USCC)."""

    name = models.CharField(_("名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_name_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """工作人员: a user's post in a department, with a jurisdiction (region subtree)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="staff"
    )
    jurisdiction = models.ForeignKey(
        Region,
        verbose_name=_("管辖区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("此人可查看和办理的区划范围（含下级）。"),
    )
    department_only = models.BooleanField(
        _("仅限本部门"),
        default=True,
        help_text=_("勾选后，只能看到管辖区划内本部门的记录。"),
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class StaffRole(models.Model):
    """One role held by a staff member."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staff_role_once")]

    def __str__(self) -> str:
        return self.role
