from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import make_staff
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import User
from yiwang.payments.tests.helpers import make_fee_task
from yiwang.ratings import actions
from yiwang.regions.choices import Role


@dataclass
class Raters:
    handler: User  # window clerk of dept_a2, the department that served
    supervisor: User  # 监督人员 over the whole city
    county_b_supervisor: User  # a supervisor whose jurisdiction is county B only


@pytest.fixture
def raters(city) -> Raters:
    return Raters(
        handler=make_staff("clerk.a2", city.dept_a2, [Role.WINDOW_CLERK]),
        supervisor=make_staff(
            "supervisor", city.city_dept, [Role.SUPERVISOR], department_only=False
        ),
        county_b_supervisor=make_staff(
            "supervisor.b",
            city.dept_b,
            [Role.SUPERVISOR],
            jurisdiction=city.county_b,
            department_only=False,
        ),
    )


@pytest.fixture
def served_task(city):
    return make_fee_task(city)


def invite(personas, city, served_task, touchpoint="case", no="360102XK20261127000001") -> Any:
    return actions.open_invitation(
        actor=SYSTEM,
        case_project_no=no,
        touchpoint=touchpoint,
        rater=personas.citizen,
        department=city.dept_a2,
        task=served_task.task,
    )


@pytest.fixture
def invitation(personas, city, served_task) -> Any:
    return invite(personas, city, served_task)
