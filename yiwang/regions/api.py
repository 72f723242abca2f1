"""JSON API of regions: the tree, departments and staff, scoped to the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.regions import queries
from yiwang.regions.models import Department, Region, Staff

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


class DepartmentOut(Schema):
    id: int
    name: str
    uscc: str
    region_code: str
    region_name: str

    @staticmethod
    def resolve_region_code(obj: Department) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Department) -> str:
        return obj.region.name


class StaffOut(Schema):
    id: int
    username: str
    name: str
    department_id: int
    department_name: str
    jurisdiction_code: str
    roles: list[str]

    @staticmethod
    def resolve_username(obj: Staff) -> str:
        return obj.user.username

    @staticmethod
    def resolve_name(obj: Staff) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_department_name(obj: Staff) -> str:
        return obj.department.name

    @staticmethod
    def resolve_jurisdiction_code(obj: Staff) -> str:
        return obj.jurisdiction.code

    @staticmethod
    def resolve_roles(obj: Staff) -> list[str]:
        return sorted(role.role for role in obj.roles.all())


@router.get("/regions", response=list[RegionOut], operation_id="list_regions")
@paginate(LimitOffsetPagination)
def list_regions(request: HttpRequest, parent: str | None = None) -> QuerySet[Region]:
    """Regions in the caller's jurisdiction; `parent` (a code) lists one level below it."""
    regions = queries.regions_for_user(request.user).select_related("parent")
    if parent:
        regions = regions.filter(parent__code=parent)
    return regions


@router.get("/departments", response=list[DepartmentOut], operation_id="list_departments")
@paginate(LimitOffsetPagination)
def list_departments(request: HttpRequest, region: str | None = None) -> QuerySet[Department]:
    """Departments in the caller's jurisdiction, optionally inside one region's subtree."""
    departments = queries.departments_for_user(request.user)
    if region:
        departments = departments.filter(region__code=region)
    return departments


@router.get(
    "/departments/{department_id}",
    response={200: DepartmentOut, 404: ErrorOut},
    operation_id="get_department",
)
def get_department(request: HttpRequest, department_id: int) -> Any:
    """One department, if it lies in the caller's jurisdiction."""
    return queries.get_department_for_user(request.user, department_id)


@router.get("/staff", response=list[StaffOut], operation_id="list_staff")
@paginate(LimitOffsetPagination)
def list_staff(request: HttpRequest) -> QuerySet[Staff]:
    """Staff members the caller may see."""
    return queries.staff_for_user(request.user).prefetch_related("roles")


@router.get("/staff/{staff_id}", response={200: StaffOut, 404: ErrorOut}, operation_id="get_staff")
def get_staff(request: HttpRequest, staff_id: int) -> Any:
    """One staff member, if the caller may see them."""
    return queries.get_staff_for_user(request.user, staff_id)
