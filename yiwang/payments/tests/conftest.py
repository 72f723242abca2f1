from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import make_staff
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import User
from yiwang.notifications.backends import LocmemSmsBackend
from yiwang.payments import actions
from yiwang.payments.models import PaymentOrder
from yiwang.payments.tests.helpers import make_fee_task
from yiwang.regions.choices import Role


@dataclass
class Billing:
    clerk: User  # window clerk of the charging department (dept_a2)
    approver: User  # may refund
    supervisor: User  # city-wide supervisor: reconciliation


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> None:
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def billing(city) -> Billing:
    return Billing(
        clerk=make_staff("clerk.a2", city.dept_a2, [Role.WINDOW_CLERK]),
        approver=make_staff("approver.a2", city.dept_a2, [Role.APPROVER]),
        supervisor=make_staff(
            "supervisor", city.city_dept, [Role.SUPERVISOR], department_only=False
        ),
    )


@pytest.fixture
def fee_task(city):
    return make_fee_task(city)


@pytest.fixture
def order(city, personas, fee_task) -> PaymentOrder:
    return actions.create_order(
        actor=SYSTEM,
        case_project_no="360102XK20261127000001",
        payer=personas.citizen,
        task_version=fee_task,
    )
