from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from conftest import make_staff
from yiwang.appointments import actions
from yiwang.appointments.choices import Session
from yiwang.appointments.models import Hall, Window
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import User
from yiwang.payments.tests.helpers import make_fee_task
from yiwang.regions.choices import Role


@dataclass
class Desk:
    hall: Hall
    window: Window
    clerk: User  # window clerk of the department running the hall (dept_a)
    task: object


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


@pytest.fixture
def desk(city) -> Desk:
    version = make_fee_task(city)
    hall = actions.create_hall(
        actor=SYSTEM,
        name="东湖区政务服务中心",
        region=city.county_a,
        department=city.dept_a,
        address="南昌市东湖区豫章路 1 号",
    )
    window = actions.add_window(
        actor=SYSTEM, hall=hall, number="A01", name="综合受理", tasks=[version.task]
    )
    for weekday in range(5):
        actions.add_template(
            actor=SYSTEM, window=window, session=Session.REGULAR, weekday=weekday,
            start=t(9), end=t(11), slot_minutes=60, capacity=2,
        )  # fmt: skip
        actions.add_template(
            actor=SYSTEM, window=window, session=Session.LUNCH, weekday=weekday,
            start=t(12), end=t(13), slot_minutes=60, capacity=1,
        )  # fmt: skip
    actions.add_template(
        actor=SYSTEM, window=window, session=Session.EVENING, weekday=3,
        start=t(17, 30), end=t(19, 30), slot_minutes=60, capacity=2,
    )  # fmt: skip
    actions.add_template(
        actor=SYSTEM, window=window, session=Session.WEEKEND, weekday=5,
        start=t(9), end=t(11), slot_minutes=60, capacity=2,
    )  # fmt: skip
    actions.add_template(  # 节假日受理: every non-working day, in the afternoon
        actor=SYSTEM, window=window, session=Session.WEEKEND, weekday=None,
        start=t(14), end=t(15), slot_minutes=60, capacity=2,
    )  # fmt: skip
    clerk = make_staff("hall.clerk", city.dept_a, [Role.WINDOW_CLERK])
    return Desk(hall, window, clerk, version.task)
