"""Payments plugged into cases: the case waits for payment.

`register()` (called from PaymentsConfig.ready) registers
- `fees_gate` for "before_delivery": a case whose item charges fees cannot leave for
  delivery until an order of it is paid;
- `bill_decided_case` as an outbox consumer: when a case is DECIDED and its item has fee
  projects, the applicant receives a fee order;
- `links.links_of_many` as the case page's next step "缴费" / "已缴费".
"""

from __future__ import annotations

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


def register() -> None:
    """Hold delivery while fees are unpaid, and bill cases when they are decided."""
    from yiwang.cases.gates import register_gate
    from yiwang.cases.links import one_of, register_case_links
    from yiwang.cases.outbox import register_consumer
    from yiwang.payments.links import links_of_many

    register_gate(GATE_STAGE, fees_gate)
    register_consumer(CONSUMER_NAME, bill_decided_case)
    register_case_links("payments", one_of(links_of_many), many=links_of_many, order=10)
