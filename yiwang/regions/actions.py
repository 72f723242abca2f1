"""The write path of regions: the region tree, departments and staff posts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.actors import is_system
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.national_numbers import check_uscc
from yiwang.identity.choices import AccountKind
from yiwang.identity.models import User
from yiwang.regions import codes
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region, Staff, StaffRole
from yiwang.regions.permissions import has_role, within_jurisdiction


def _require_admin(actor: Any, region: Region | None = None) -> None:
    if is_system(actor):
        return
    if not has_role(actor, Role.SYSTEM_ADMIN, Role.DEPARTMENT_ADMIN):
        raise PermissionDenied()
    if region is not None and not within_jurisdiction(actor, region):
        raise PermissionDenied(_("该区划不在您的管辖范围内。"), code="outside_jurisdiction")


@transaction.atomic
def create_region(*, actor: Any, code: str, name: str) -> Region:
    """Add a region; its parent must exist and its code must extend the parent's prefix."""
    codes.check_code(code)
    level = codes.level_of(code)
    parent_code = codes.parent_code(code)
    parent = None
    if parent_code is not None:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise DomainError(
                "region_parent_missing",
                _("上级区划 %(code)s 不存在，请先建立上级区划。"),
                params={"code": parent_code},
                field="code",
            )
    elif Region.objects.filter(level=level).exists():
        raise DomainError("region_second_city", _("一个平台只服务一个城市。"), field="code")
    _require_admin(actor, parent)
    if Region.objects.filter(code=code).exists():
        raise Conflict("region_exists", _("区划代码 %(code)s 已存在。"), params={"code": code})
    if not name.strip():
        raise DomainError("name_required", _("请填写名称。"), field="name")
    region = Region.objects.create(
        code=code, name=name.strip(), level=level, parent=parent, prefix=codes.prefix_of(code)
    )
    audit.record("regions.region_created", actor=actor, subject=region, after={"code": code})
    return region


@transaction.atomic
def create_department(
    *, actor: Any, name: str, uscc: str, region: Region, parent: Department | None = None
) -> Department:
    """Add a department with a valid USCC in a region of the actor's jurisdiction."""
    _require_admin(actor, region)
    code = check_uscc(uscc)
    if Department.objects.filter(uscc=code).exists():
        raise Conflict("department_exists", _("该统一社会信用代码的部门已存在。"))
    if parent is not None and not parent.region.contains(region):
        raise DomainError(
            "department_parent_region", _("上级部门须在同一或上级区划。"), field="parent"
        )
    department = Department.objects.create(
        name=name.strip(), uscc=code, region=region, parent=parent
    )
    audit.record(
        "regions.department_created",
        actor=actor,
        subject=department,
        after={"name": department.name, "uscc": code, "region": region.code},
    )
    return department


@transaction.atomic
def create_staff(
    *,
    actor: Any,
    username: str,
    display_name: str,
    password: str,
    department: Department,
    roles: list[Role],
    jurisdiction: Region | None = None,
    department_only: bool = True,
    title: str = "",
) -> Staff:
    """Open a staff account in a department with roles over a jurisdiction."""
    jurisdiction = jurisdiction or department.region
    _require_admin(actor, jurisdiction)
    if not department.region.contains(jurisdiction) and not jurisdiction.contains(
        department.region
    ):
        raise DomainError(
            "jurisdiction_mismatch", _("管辖区划须与所在部门的区划相关。"), field="jurisdiction"
        )
    if not roles or any(role not in Role.values for role in roles):
        raise DomainError("role_invalid", _("请选择有效的角色。"), field="roles")
    if User.objects.filter(username=username).exists():
        raise Conflict("username_taken", _("该用户名已被使用。"))
    user = User.objects.create_user(
        username=username, password=password, display_name=display_name, kind=AccountKind.STAFF
    )
    staff = Staff.objects.create(
        user=user,
        department=department,
        jurisdiction=jurisdiction,
        department_only=department_only,
        title=title,
    )
    StaffRole.objects.bulk_create([StaffRole(staff=staff, role=role) for role in roles])
    audit.record(
        "regions.staff_created",
        actor=actor,
        subject=staff,
        after={
            "username": username,
            "department": department.uscc,
            "jurisdiction": jurisdiction.code,
            "roles": sorted(str(r) for r in roles),
        },
    )
    return staff
