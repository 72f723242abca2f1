"""Reads of payments: a payer sees their own orders; staff those of departments they serve."""

from __future__ import annotations

from typing import Any

from django.db import models

from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.payments.models import PaymentOrder, ReconciliationRun, SandboxTrade
from yiwang.payments.permissions import may_reconcile
from yiwang.regions.queries import scope_for_staff, staff_of


def orders_for_user(user: Any) -> models.QuerySet[PaymentOrder]:
    """Orders the user may see."""
    base = PaymentOrder.objects.select_related("payer", "department", "task_version")
    if staff_of(user) is not None:
        return scope_for_staff(
            base, user, region_path="department__region", department_path="department"
        )
    if getattr(user, "is_authenticated", False):
        return base.filter(payer=user)
    return base.none()


def get_order_for_user(user: Any, order_no: str) -> PaymentOrder:
    """One order by its 缴款码, if the user may see it (404 otherwise)."""
    order = orders_for_user(user).filter(order_no=order_no).first()
    if order is None:
        raise NotFound()
    return order


def orders_of_case(project_no: str) -> models.QuerySet[PaymentOrder]:
    """Every order of one case (for the cases gate; not user-facing)."""
    return PaymentOrder.objects.filter(case_project_no=project_no)


def reconciliations_for_user(user: Any) -> models.QuerySet[ReconciliationRun]:
    """Reconciliation runs: finance supervisors and system administrators only."""
    if not may_reconcile(user):
        raise PermissionDenied()
    return ReconciliationRun.objects.prefetch_related("mismatches")


def sandbox_trade(trade_no: str) -> SandboxTrade:
    """The sandbox cashier's trade (its own page: the trade number is the credential)."""
    trade = SandboxTrade.objects.filter(trade_no=trade_no).first()
    if trade is None:
        raise NotFound()
    return trade
