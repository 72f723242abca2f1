"""Payment pages: the payer's orders and payment page, the sandbox cashier (the provider's
own page), the receipt download, and the department's order list with refunds."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import DomainError, NotFound
from yiwang.core.web import login_required_page, staff_required
from yiwang.payments import actions, errors, queries, receipts
from yiwang.payments.choices import Channel, OrderStatus
from yiwang.payments.permissions import may_reconcile, may_refund
from yiwang.payments.providers.base import ProviderError
from yiwang.payments.providers.sandbox import SandboxProvider


@login_required_page
def my_orders(request: HttpRequest) -> HttpResponse:
    """我的缴费: the user's orders."""
    page = Paginator(queries.orders_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "payments/orders.html", {"page": page})


@login_required_page
@require_http_methods(["GET", "POST"])
def order_detail(request: HttpRequest, order_no: str) -> HttpResponse:
    """The payment page: fee lines, channel choice, then off to the provider's cashier."""
    order = queries.get_order_for_user(request.user, order_no)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            url = actions.start_payment(
                actor=request.user,
                order=order,
                channel=request.POST.get("channel", ""),
                return_url=f"/payments/{order.order_no}/return/",
            )
        except DomainError as refusal:
            error, status = refusal.message, refusal.status
        else:
            return redirect(url)
    return render(
        request,
        "payments/order_detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "channels": Channel.choices,
            "payable": order.status == OrderStatus.PENDING and order.expires_at > timezone.now(),
            "is_payer": order.payer_id == request.user.pk,
            "error": error,
        },
        status=status,
    )


@login_required_page
def payment_return(request: HttpRequest, order_no: str) -> HttpResponse:
    """Where the cashier sends the payer back; the result comes by callback, not by this URL."""
    order = queries.get_order_for_user(request.user, order_no)
    if order.status == OrderStatus.PENDING and order.payer_id == request.user.pk:
        order = actions.sync_order(order=order)
    if order.status == OrderStatus.PENDING:
        messages.info(request, _("支付结果确认中，请稍候刷新本页。"))
    return redirect("yiwang_payments:order", order_no=order.order_no)


@login_required_page
def receipt(request: HttpRequest, order_no: str) -> HttpResponse:
    """电子缴款凭证 (PDF)."""
    order = queries.get_order_for_user(request.user, order_no)
    if not order.receipt_no:
        raise errors.receipt_unavailable()
    response = HttpResponse(receipts.render_receipt(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{order.order_no}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def sandbox_cashier(request: HttpRequest, trade_no: str) -> HttpResponse:
    """The sandbox provider's cashier: the payer confirms (or leaves). Not a platform page."""
    if not settings.YIWANG_PAYMENT_SANDBOX:
        raise NotFound()
    trade = queries.sandbox_trade(trade_no)
    error = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "pay":
            try:
                SandboxProvider().pay(trade_no)
            except ProviderError:
                error, status = _("该交易已关闭或已支付，不能再次支付。"), 409
            else:
                return redirect(trade.return_url or "/")
        else:
            return redirect(trade.return_url or "/")
    return render(
        request,
        "payments/sandbox_cashier.html",
        {
            "trade": trade,
            "amount": f"{trade.amount_fen // 100}.{trade.amount_fen % 100:02d}",
            "error": error,
        },
        status=status,
    )


@staff_required
def department_orders(request: HttpRequest) -> HttpResponse:
    """收费管理: orders of the departments the staff member serves; refunds; reconciliation."""
    orders = queries.orders_for_user(request.user)
    page = Paginator(orders, 25).get_page(request.GET.get("page"))
    runs = (
        queries.reconciliations_for_user(request.user)[:10] if may_reconcile(request.user) else []
    )
    refundable = {o.pk for o in page if o.is_paid and may_refund(request.user, o.department)}
    return render(
        request,
        "payments/department_orders.html",
        {"page": page, "runs": runs, "refundable": refundable},
    )


@staff_required
@require_POST
def refund(request: HttpRequest, order_no: str) -> HttpResponse:
    """Refund a paid order (approver or department admin)."""
    order = queries.get_order_for_user(request.user, order_no)
    actions.request_refund(actor=request.user, order=order, reason=request.POST.get("reason", ""))
    messages.success(request, _("已提交退款申请。"))
    return redirect("yiwang_payments:department_orders")
