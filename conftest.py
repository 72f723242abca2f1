"""Shared fixtures: named personas built through the real actions (Healthchecks' alice/bob)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity_actions
from yiwang.identity.choices import DocumentType
from yiwang.identity.models import User
from yiwang.portal.demo.city import resident_id_for, uscc_for
from yiwang.regions import actions as region_actions
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region, Staff

PASSWORD = "Test@Pass-2026"


@dataclass
class City:
    """A small city: two counties (A = 东湖区, B = 西湖区), one township and village each."""

    city: Region
    county_a: Region
    county_b: Region
    village_a: Region
    village_b: Region
    city_dept: Department
    dept_a: Department
    dept_a2: Department
    dept_b: Department


@pytest.fixture
def city(db: None) -> City:
    c = region_actions.create_region(actor=SYSTEM, code="360100000000", name="南昌市")
    a = region_actions.create_region(actor=SYSTEM, code="360102000000", name="东湖区")
    b = region_actions.create_region(actor=SYSTEM, code="360103000000", name="西湖区")
    region_actions.create_region(actor=SYSTEM, code="360102001000", name="滨江街道")
    region_actions.create_region(actor=SYSTEM, code="360103001000", name="朝阳街道")
    va = region_actions.create_region(actor=SYSTEM, code="360102001001", name="东升社区")
    vb = region_actions.create_region(actor=SYSTEM, code="360103001001", name="和平社区")
    cd = region_actions.create_department(
        actor=SYSTEM, name="南昌市行政审批局", uscc=uscc_for("11360100", 1), region=c
    )
    da = region_actions.create_department(
        actor=SYSTEM, name="东湖区行政审批局", uscc=uscc_for("11360102", 2), region=a
    )
    da2 = region_actions.create_department(
        actor=SYSTEM, name="东湖区市场监督管理局", uscc=uscc_for("11360102", 3), region=a
    )
    db_ = region_actions.create_department(
        actor=SYSTEM, name="西湖区行政审批局", uscc=uscc_for("11360103", 4), region=b
    )
    return City(c, a, b, va, vb, cd, da, da2, db_)


def make_staff(
    username: str,
    department: Department,
    roles: list[Role],
    *,
    jurisdiction: Region | None = None,
    department_only: bool = True,
) -> User:
    staff: Staff = region_actions.create_staff(
        actor=SYSTEM,
        username=username,
        display_name=username,
        password=PASSWORD,
        department=department,
        roles=roles,
        jurisdiction=jurisdiction,
        department_only=department_only,
    )
    return staff.user


def make_citizen(name: str, region: Region, index: int) -> User:
    import datetime as dt

    return identity_actions.register_citizen(
        actor=SYSTEM,
        name=name,
        document_type=DocumentType.RESIDENT_ID,
        document_number=resident_id_for(region.code[:6], dt.date(1985, 5, 1 + index), 10 + index),
        phone=f"139{index:08d}",
        password=PASSWORD,
        region=region,
    )


@dataclass
class Personas:
    """The people every permission test asks about."""

    clerk_a: User  # window clerk of county A's approvals department
    admin_a: User  # department admin over county A (all departments there)
    clerk_b: User  # window clerk of county B: another county
    city_admin: User  # system admin over the whole city
    catalog_admin: User
    citizen: User  # lives in county A
    other_citizen: User  # lives in county B


@pytest.fixture
def personas(city: City) -> Personas:
    return Personas(
        clerk_a=make_staff("clerk.a", city.dept_a, [Role.WINDOW_CLERK]),
        admin_a=make_staff("admin.a", city.dept_a, [Role.DEPARTMENT_ADMIN], department_only=False),
        clerk_b=make_staff("clerk.b", city.dept_b, [Role.WINDOW_CLERK]),
        city_admin=make_staff(
            "admin.city", city.city_dept, [Role.SYSTEM_ADMIN], department_only=False
        ),
        catalog_admin=make_staff(
            "catalog", city.city_dept, [Role.CATALOG_ADMIN], department_only=False
        ),
        citizen=make_citizen("张伟", city.village_a, 1),
        other_citizen=make_citizen("王芳", city.village_b, 2),
    )


def client_for(user: User | None) -> Client:
    """A test client logged in as `user` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """Each test starts with the calendar cache empty, as a fresh process would."""
    from yiwang.core.workdays import invalidate_calendar

    invalidate_calendar()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a request made by an earlier test in the same
    worker leaves its language active on the thread, as it would in a server thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
