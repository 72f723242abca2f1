"""Glue to the cases app (another branch): the case waits for payment.

At merge, `register()` (called from PaymentsConfig.ready) finds
- `yiwang.cases.gates.register_gate` and registers `fees_gate` for "before_delivery": a case
  whose item charges fees cannot leave for delivery until an order of it is paid;
- `yiwang.cases.outbox.register_consumer` and registers `bill_decided_case`: when a case is
  DECIDED and its item has fee projects, the applicant receives a fee order.
Until cases is merged, both functions are complete and tested by calling them directly.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.notifications.casefacts import CaseFacts, event_case, event_stage, facts_of
from yiwang.payments import errors
from yiwang.payments.choices import OrderStatus
from yiwang.payments.models import PaymentOrder

logger = logging.getLogger(__name__)

GATE_STAGE = "before_delivery"
CONSUMER_NAME = "payments.bill_decided_case"
BILLING_STAGES = frozenset({"DECIDED"})


def charges_fees(facts: CaseFacts) -> bool:
    """True when the case's item has fee projects with an amount."""
    version = facts.task_version
    if version is None:
        return False
    return version.fees.filter(amount_fen__gt=0).exists()


def fees_gate(case: Any) -> DomainError | None:
    """Gate 'before_delivery': an error while the case's fees are unpaid, else None."""
    facts = facts_of(case)
    if not charges_fees(facts):
        return None
    paid = PaymentOrder.objects.filter(
        case_project_no=facts.project_no,
        status__in=[OrderStatus.PAID, OrderStatus.RECONCILED],
    ).exists()
    return None if paid else errors.fees_unpaid(facts.project_no)


def ensure_order(case: Any) -> PaymentOrder | None:
    """The case's open or paid order, creating one when the item charges fees."""
    from yiwang.payments import actions

    facts = facts_of(case)
    if not charges_fees(facts) or facts.applicant is None or facts.task_version is None:
        return None
    existing = (
        PaymentOrder.objects.filter(
            case_project_no=facts.project_no,
            status__in=[OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.RECONCILED],
        )
        .order_by("-id")
        .first()
    )
    if existing is not None:
        return existing
    return actions.create_order(
        actor=SYSTEM,
        case_project_no=facts.project_no,
        payer=facts.applicant,
        task_version=facts.task_version,
        department=facts.department,
    )


def bill_decided_case(event: Any) -> None:
    """Outbox consumer: bill a case when it is decided (safe to deliver twice)."""
    if event_stage(event) not in BILLING_STAGES:
        return
    case = event_case(event)
    if case is None:
        return
    payload = getattr(event, "payload", None)
    if isinstance(payload, dict) and payload.get("granted") is False:
        return  # 不予许可: nothing to charge
    ensure_order(case)


def register() -> bool:
    """Register the gate and the consumer when the cases app is installed."""
    if importlib.util.find_spec("yiwang.cases") is None:
        return False
    registered = False
    if importlib.util.find_spec("yiwang.cases.gates") is not None:
        gates = importlib.import_module("yiwang.cases.gates")
        gates.register_gate(GATE_STAGE, fees_gate)
        registered = True
    if importlib.util.find_spec("yiwang.cases.outbox") is not None:
        outbox = importlib.import_module("yiwang.cases.outbox")
        outbox.register_consumer(CONSUMER_NAME, bill_decided_case)
        registered = True
    return registered
