"""The case page's next step for fees: "缴费" while an order waits for the payer, "已缴费" and
the e-receipt once paid; staff read whether the case is paid (registered in integration.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.cases.links import DONE, FACT, TODO, CaseLink
from yiwang.payments.choices import PAID_STATES, OrderStatus
from yiwang.payments.models import PaymentOrder
from yiwang.regions.queries import staff_of

SHOWN = [OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.RECONCILED]


def _amount(order: PaymentOrder) -> str:
    return _("%(amount)s 元") % {"amount": order.amount_yuan}


def _for_payer(order: PaymentOrder) -> list[CaseLink]:
    page = reverse("yiwang_payments:order", args=[order.order_no])
    if order.status in PAID_STATES:
        found = [CaseLink(_("已缴费"), page, DONE, _amount(order))]
        if order.receipt_no:
            receipt = reverse("yiwang_payments:receipt", args=[order.order_no])
            found.append(CaseLink(_("下载电子缴款凭证（PDF）"), receipt, DONE))
        return found
    if order.expires_at <= timezone.now():
        return []
    hint = _("%(amount)s 元，%(due)s 前支付") % {
        "amount": order.amount_yuan,
        "due": timezone.localtime(order.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    return [CaseLink(pgettext("下一步", "缴费"), page, TODO, hint)]


def _for_staff(order: PaymentOrder) -> list[CaseLink]:
    label = _("已缴费") if order.status in PAID_STATES else _("待缴费")
    return [CaseLink(label, "", FACT, _amount(order))]


def links_of_many(cases: Sequence[Any], user: Any) -> dict[int, list[CaseLink]]:
    numbers = {case.project_no: case.pk for case in cases if case.project_no}
    if not numbers or not getattr(user, "is_authenticated", False):
        return {}
    staff = staff_of(user) is not None
    orders = PaymentOrder.objects.filter(case_project_no__in=list(numbers), status__in=SHOWN)
    if not staff:
        orders = orders.filter(payer=user)
    latest: dict[str, PaymentOrder] = {}
    for order in orders.order_by("id"):
        latest[order.case_project_no] = order  # a paid order outranks an older pending one
    found: dict[int, list[CaseLink]] = {}
    for number, order in latest.items():
        found[numbers[number]] = _for_staff(order) if staff else _for_payer(order)
    return found
