"""Reads scoped to what a staff member may see: their jurisdiction, maybe their department."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from yiwang.core.errors import NotFound
from yiwang.regions.models import Department, Region, Staff

M = TypeVar("M", bound=models.Model)


def staff_of(user: Any) -> Staff | None:
    """The user's staff post, or None for citizens, systems and anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        staff: Staff = user.staff
    except Staff.DoesNotExist:
        return None
    return staff


def scope_for_staff(
    queryset: models.QuerySet[M],
    user: Any,
    *,
    region_path: str = "region",
    department_path: str | None = None,
) -> models.QuerySet[M]:
    """Keep the rows inside the user's jurisdiction (and department, where it applies).

    `region_path` leads from the model to a Region ("" when the model is Region itself);
    `department_path` leads to a Department, or is None when rows have no department.
    """
    staff = staff_of(user)
    if staff is None:
        return queryset.none()
    prefix_field = f"{region_path}__prefix" if region_path else "prefix"
    scoped = queryset.filter(**{f"{prefix_field}__startswith": staff.jurisdiction.prefix})
    if staff.department_only and department_path is not None:
        scoped = scoped.filter(**{department_path: staff.department_id})
    return scoped


def regions_for_user(user: Any) -> models.QuerySet[Region]:
    """Regions inside the user's jurisdiction."""
    return scope_for_staff(Region.objects.all(), user, region_path="")


def departments_for_user(user: Any) -> models.QuerySet[Department]:
    """Departments inside the jurisdiction (all of them: a clerk may see who else serves it)."""
    return scope_for_staff(Department.objects.select_related("region"), user)


def staff_for_user(user: Any) -> models.QuerySet[Staff]:
    """Staff members inside the user's jurisdiction."""
    return scope_for_staff(
        Staff.objects.select_related("user", "department", "jurisdiction"),
        user,
        region_path="department__region",
        department_path="department",
    )


def get_department_for_user(user: Any, pk: int) -> Department:
    """One department, if the user may see it."""
    department = departments_for_user(user).filter(pk=pk).first()
    if department is None:
        raise NotFound()
    return department


def get_staff_for_user(user: Any, pk: int) -> Staff:
    """One staff member, if the user may see them."""
    staff = staff_for_user(user).filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    return staff
