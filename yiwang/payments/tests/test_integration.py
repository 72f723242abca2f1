"""The glue to the cases app, called directly: the before-delivery gate and billing a
decided case from the outbox (cases lives on another branch)."""

from __future__ import annotations

import pytest

from yiwang.payments import integration
from yiwang.payments.choices import OrderStatus
from yiwang.payments.models import PaymentOrder
from yiwang.payments.tests.helpers import FakeCase, FakeEvent, make_fee_task


@pytest.mark.django_db
def test_the_case_waits_for_payment(city, personas, fee_task) -> None:
    case = FakeCase("360102XK20261127000002", personas.citizen, fee_task)
    error = integration.fees_gate(case)
    assert error is not None and error.code == "fees_unpaid"
    order = integration.ensure_order(case)
    assert order is not None
    assert integration.fees_gate(case) is not None  # billed is not paid
    PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    assert integration.fees_gate(case) is None


@pytest.mark.django_db
def test_items_without_fees_pass_the_gate(city, personas) -> None:
    free = make_fee_task(city, code_suffix="0102", fees=())
    case = FakeCase("360102XK20261127000003", personas.citizen, free)
    assert integration.fees_gate(case) is None
    assert integration.ensure_order(case) is None


@pytest.mark.django_db
def test_a_decided_case_is_billed_once_however_often_the_event_comes(
    city, personas, fee_task
) -> None:
    case = FakeCase("360102XK20261127000004", personas.citizen, fee_task)
    integration.bill_decided_case(FakeEvent(case, "case.accepted"))
    assert not PaymentOrder.objects.exists()
    integration.bill_decided_case(FakeEvent(case, "case.decided"))
    integration.bill_decided_case(FakeEvent(case, "transition", {"to": "DECIDED"}, pk=2))
    order = PaymentOrder.objects.get()
    assert order.case_project_no == case.project_no and order.payer == personas.citizen
    refused = FakeCase("360102XK20261127000005", personas.citizen, fee_task)
    integration.bill_decided_case(FakeEvent(refused, "decided", {"granted": False}))
    assert PaymentOrder.objects.count() == 1
