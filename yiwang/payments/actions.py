"""The write path of payments: bill a case, start a payment, take callbacks, expire, refund,
reconcile.

State machine (DOMAIN §3.9): PENDING → PAID → RECONCILED | REFUNDED; PENDING → CLOSED. A
callback only ever moves an order forward; one that repeats or trails what is already
known is logged and acknowledged, and changes nothing. The order row is locked while a
callback is applied, so two copies of one callback arriving together still pay once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.catalog.models import TaskVersion
from yiwang.core import audit, numbering
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import PermissionDenied
from yiwang.core.tasks import enqueue_on_commit
from yiwang.identity.models import User
from yiwang.payments import errors
from yiwang.payments.choices import (
    CallbackOutcome,
    Channel,
    MismatchKind,
    OrderStatus,
    RefundStatus,
    TradeStatus,
)
from yiwang.payments.models import (
    CallbackLog,
    FeeLine,
    PaymentOrder,
    ReconciliationMismatch,
    ReconciliationRun,
    Refund,
    format_fen,
)
from yiwang.payments.permissions import may_bill, may_reconcile, may_refund
from yiwang.payments.providers import get_provider, provider_for_channel
from yiwang.payments.providers.base import CallbackRejected, Notice, ProviderError
from yiwang.regions.models import Department

logger = logging.getLogger(__name__)

SIGNATURE_HEADERS = ("x-sandbox-timestamp", "x-sandbox-nonce", "x-sandbox-signature")


def _snapshot(order: PaymentOrder) -> dict[str, Any]:
    return {"status": order.status, "amount_fen": order.amount_fen, "channel": order.channel}


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def create_order(
    *,
    actor: Any,
    case_project_no: str,
    payer: User,
    task_version: TaskVersion,
    department: Department | None = None,
) -> PaymentOrder:
    """Bill a case: one order with the item's fee projects copied as lines (amounts in fen)."""
    department = department or task_version.task.department
    if not may_bill(actor, department):
        raise PermissionDenied()
    project_no = case_project_no.strip()
    if not project_no or len(project_no) > 50:
        raise errors.project_no_invalid()
    fees = [fee for fee in task_version.fees.all() if fee.amount_fen > 0]
    if not fees:
        raise errors.no_fees()
    open_order = PaymentOrder.objects.filter(
        case_project_no=project_no, status=OrderStatus.PENDING
    ).first()
    if open_order is not None:
        raise errors.order_open(open_order.order_no)
    now = timezone.now()
    local_day = timezone.localdate(now).strftime("%Y%m%d")
    order_no = numbering.formatted(
        f"{department.region.code[:6]}{local_day}", f"payments.order.{local_day}", 6
    )
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.create(
                order_no=order_no,
                case_project_no=project_no,
                payer=payer,
                task_version=task_version,
                department=department,
                amount_fen=sum(fee.amount_fen for fee in fees),
                expires_at=now + dt.timedelta(minutes=settings.YIWANG_PAYMENT_ORDER_TTL_MINUTES),
            )
    except IntegrityError:
        raise errors.order_open(project_no) from None
    FeeLine.objects.bulk_create(
        FeeLine(
            order=order,
            fee_project=fee,
            fee_name=fee.fee_name,
            fee_stand=fee.fee_stand,
            by_law=fee.by_law,
            amount_fen=fee.amount_fen,
            order_num=index,
        )
        for index, fee in enumerate(fees)
    )
    audit.record(
        "payments.order_created",
        actor=actor,
        subject=order,
        after={"project_no": project_no, "amount_fen": order.amount_fen, "order_no": order_no},
    )
    _notify(order, "payment_order_created", expires=_local(order.expires_at))
    return order


def _notify(order: PaymentOrder, template: str, **extra: str) -> None:
    from yiwang.notifications.actions import notify

    notify(
        actor=SYSTEM,
        recipient=order.payer,
        template=template,
        context={
            "order_no": order.order_no,
            "project_no": order.case_project_no,
            "amount": order.amount_yuan,
            **extra,
        },
        link=f"/payments/{order.order_no}/",
        dedupe_key=f"{template}:{order.order_no}",
    )


@transaction.atomic
def start_payment(*, actor: Any, order: PaymentOrder, channel: str, return_url: str) -> str:
    """The payer picks a channel; returns the provider's cashier URL to redirect to."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if not getattr(actor, "is_authenticated", False) or order.payer_id != actor.pk:
        raise PermissionDenied()
    if channel not in Channel.values:
        raise errors.channel_unknown()
    if order.status != OrderStatus.PENDING:
        raise errors.order_not_payable(order.get_status_display())
    if order.expires_at <= timezone.now():
        raise errors.order_expired()
    try:
        provider_code = provider_for_channel(channel)
        provider = get_provider(provider_code)
    except LookupError:
        raise errors.channel_unknown() from None
    ticket = provider.create_trade(
        out_trade_no=order.order_no,
        amount_fen=order.amount_fen,
        subject=order.task_version.task_name,
        channel=channel,
        expires_at=order.expires_at,
        return_url=return_url,
    )
    before = _snapshot(order)
    order.channel = channel
    order.provider = provider_code
    order.provider_trade_no = ticket.trade_no
    order.save(update_fields=["channel", "provider", "provider_trade_no"])
    audit.record(
        "payments.payment_started",
        actor=actor,
        subject=order,
        before=before,
        after={**_snapshot(order), "trade_no": ticket.trade_no},
    )
    return ticket.redirect_url


def receive_callback(
    *, provider_code: str, headers: Mapping[str, str], body: bytes, remote_addr: str = ""
) -> tuple[int, dict[str, str]]:
    """Verify and apply one provider callback; every callback is logged, good or bad.

    Returns the HTTP status and body to answer the provider with: 200 tells it to stop
    resending (applied, duplicate or stale), 4xx that the callback was refused.
    """
    kept_headers = {k: v for k, v in headers.items() if k.lower() in SIGNATURE_HEADERS}
    text = body.decode("utf-8", errors="replace")[:10000]
    try:
        provider = get_provider(provider_code)
        notice = provider.verify_callback(headers, body)
    except (CallbackRejected, LookupError) as rejected:
        code = getattr(rejected, "code", CallbackOutcome.MALFORMED)
        detail = getattr(rejected, "detail", str(rejected))
        CallbackLog.objects.create(
            provider=provider_code[:20],
            remote_addr=remote_addr[:64],
            headers=kept_headers,
            body=text,
            signature_valid=False,
            outcome=code,
            detail=detail[:300],
        )
        logger.warning("payment callback rejected (%s): %s", code, detail)
        return 400, {"code": str(code), "message": "rejected"}
    outcome, order, detail = _apply_notice(provider_code, notice, kept_headers, text, remote_addr)
    if outcome in (CallbackOutcome.UNKNOWN_ORDER, CallbackOutcome.AMOUNT_MISMATCH):
        return 400, {"code": str(outcome), "message": detail}
    return 200, {"code": "SUCCESS", "message": str(outcome)}


@transaction.atomic
def _apply_notice(
    provider_code: str,
    notice: Notice,
    headers: dict[str, str],
    text: str,
    remote_addr: str,
) -> tuple[str, PaymentOrder | None, str]:
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .filter(order_no=notice.out_trade_no)
        .select_related("payer", "department", "task_version__task")
        .first()
    )
    outcome: str = CallbackOutcome.UNKNOWN_ORDER
    detail = "no such order"
    if order is not None:
        outcome, detail = _transition(order, notice, provider_code)
    CallbackLog.objects.create(
        provider=provider_code,
        remote_addr=remote_addr[:64],
        headers=headers,
        body=text,
        signature_valid=True,
        outcome=outcome,
        order=order,
        notify_id=notice.notify_id,
        event=notice.event,
        detail=detail[:300],
    )
    return outcome, order, detail


def _transition(order: PaymentOrder, notice: Notice, provider_code: str) -> tuple[str, str]:
    status = order.status
    if notice.event == "TRADE_SUCCESS":
        if status == OrderStatus.PENDING:
            if notice.amount_fen != order.amount_fen:
                return CallbackOutcome.AMOUNT_MISMATCH, (
                    f"paid {notice.amount_fen} fen, order is {order.amount_fen}"
                )
            settle_paid(order, provider_code, notice.trade_no, notice.occurred_at, via="callback")
            return CallbackOutcome.APPLIED, "paid"
        if status == OrderStatus.CLOSED:
            # The provider refuses to close a paid trade, so this means money arrived for a
            # closed order: leave it for reconciliation to raise, never silently re-open.
            return CallbackOutcome.STALE, "payment notified for a closed order"
        return CallbackOutcome.DUPLICATE, f"order already {status}"
    if notice.event == "TRADE_CLOSED":
        if status == OrderStatus.PENDING:
            _close(order, SYSTEM, "provider closed the trade")
            return CallbackOutcome.APPLIED, "closed"
        if status == OrderStatus.CLOSED:
            return CallbackOutcome.DUPLICATE, "order already closed"
        return CallbackOutcome.STALE, f"close notified for a {status} order"
    # REFUND_SUCCESS
    if status == OrderStatus.REFUNDED:
        return CallbackOutcome.DUPLICATE, "order already refunded"
    refund = (
        Refund.objects.select_for_update()
        .filter(order=order, refund_no=notice.out_refund_no)
        .exclude(status=RefundStatus.FAILED)
        .first()
    )
    if status not in (OrderStatus.PAID, OrderStatus.RECONCILED) or refund is None:
        return CallbackOutcome.STALE, f"refund notified for a {status} order"
    _complete_refund(order, refund, notice.refund_no)
    return CallbackOutcome.APPLIED, "refunded"


def settle_paid(
    order: PaymentOrder, provider_code: str, trade_no: str, paid_at: dt.datetime, *, via: str
) -> None:
    """PENDING → PAID (the order row is locked by the caller); numbers the e-receipt."""
    before = _snapshot(order)
    year = timezone.localdate(paid_at).year
    order.status = OrderStatus.PAID
    order.paid_at = paid_at
    order.provider = provider_code
    order.provider_trade_no = trade_no
    order.receipt_no = numbering.formatted(f"PJ{year}", f"payments.receipt.{year}", 10)
    order.save(update_fields=["status", "paid_at", "provider", "provider_trade_no", "receipt_no"])
    audit.record(
        "payments.order_paid",
        actor=SYSTEM,
        subject=order,
        before=before,
        after={**_snapshot(order), "trade_no": trade_no, "via": via},
    )
    _notify(order, "payment_paid")
    from yiwang.ratings.integration import invite_payment_rating

    invite_payment_rating(order)


@transaction.atomic
def sync_order(*, order: PaymentOrder) -> PaymentOrder:
    """Ask the provider about a pending order (主动查询, as on the payer's return) and settle
    it if the provider says it is paid; the callback stays the usual path."""
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("payer")
        .get(pk=order.pk)
    )
    if order.status != OrderStatus.PENDING or not (order.provider and order.provider_trade_no):
        return order
    try:
        state = get_provider(order.provider).query(order.provider_trade_no)
    except (ProviderError, LookupError) as error:
        logger.warning("querying %s failed: %s", order.order_no, error)
        return order
    if state.status == TradeStatus.SUCCESS and state.paid_at is not None:
        if state.amount_fen != order.amount_fen:
            logger.warning(
                "provider amount differs for %s; left for reconciliation", order.order_no
            )
            return order
        settle_paid(order, order.provider, order.provider_trade_no, state.paid_at, via="query")
    return order


def _close(order: PaymentOrder, actor: Any, why: str) -> None:
    before = _snapshot(order)
    order.status = OrderStatus.CLOSED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    audit.record(
        "payments.order_closed", actor=actor, subject=order, before=before, after={"why": why}
    )
    _notify(order, "payment_closed")


def expire_orders(*, actor: Any = SYSTEM, now: dt.datetime | None = None) -> int:
    """Close every PENDING order past its deadline (asking the provider first: a trade paid
    at the last second is settled, not closed). Returns how many orders changed."""
    now = now or timezone.now()
    due = list(
        PaymentOrder.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in due if _expire_one(pk, actor, now))


@transaction.atomic
def _expire_one(pk: int, actor: Any, now: dt.datetime) -> bool:
    order = PaymentOrder.objects.select_for_update(of=("self",)).select_related("payer").get(pk=pk)
    if order.status != OrderStatus.PENDING or order.expires_at > now:
        return False
    if order.provider and order.provider_trade_no:
        try:
            state = get_provider(order.provider).close(order.provider_trade_no)
        except (ProviderError, LookupError) as error:
            logger.warning("closing %s at the provider failed: %s", order.order_no, error)
            return False  # try again next sweep
        if state.status == TradeStatus.SUCCESS and state.paid_at is not None:
            settle_paid(
                order, order.provider, order.provider_trade_no, state.paid_at, via="close_query"
            )
            return True
    _close(order, actor, "payment deadline passed")
    return True


@transaction.atomic
def request_refund(*, actor: Any, order: PaymentOrder, reason: str) -> Refund:
    """Refund a paid order in full; the provider confirms asynchronously (REFUND_SUCCESS)."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if not may_refund(actor, order.department):
        raise PermissionDenied()
    reason = reason.strip()
    if not reason:
        raise errors.reason_required()
    if order.status not in (OrderStatus.PAID, OrderStatus.RECONCILED):
        raise errors.not_refundable(order.get_status_display())
    if order.refunds.exclude(status=RefundStatus.FAILED).exists():
        raise errors.refund_exists()
    year = timezone.localdate().year
    refund = Refund.objects.create(
        order=order,
        refund_no=numbering.formatted(f"TK{year}", f"payments.refund.{year}", 10),
        amount_fen=order.amount_fen,
        reason=reason[:300],
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        "payments.refund_requested",
        actor=actor,
        subject=refund,
        after={"order_no": order.order_no, "amount_fen": refund.amount_fen, "reason": reason},
    )
    from yiwang.payments import tasks

    enqueue_on_commit(tasks.submit_refund, refund.pk)
    return refund


def submit_refund(refund_id: int) -> str:
    """Send a requested refund to the provider (task body; safe to run twice)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",)).select_related("order").get(pk=refund_id)
        )
        if refund.status != RefundStatus.REQUESTED:
            return str(refund.status)
        order = refund.order
        try:
            provider_no = get_provider(order.provider).refund(
                trade_no=order.provider_trade_no,
                out_refund_no=refund.refund_no,
                amount_fen=refund.amount_fen,
            )
        except (ProviderError, LookupError) as error:
            refund.status = RefundStatus.FAILED
            refund.failure = str(error)[:300]
            refund.save(update_fields=["status", "failure"])
            audit.record(
                "payments.refund_failed", actor=SYSTEM, subject=refund, after={"error": str(error)}
            )
            return str(refund.status)
        refund.status = RefundStatus.SUBMITTED
        refund.provider_refund_no = provider_no
        refund.save(update_fields=["status", "provider_refund_no"])
        audit.record(
            "payments.refund_submitted",
            actor=SYSTEM,
            subject=refund,
            after={"provider_refund_no": provider_no},
        )
        return str(refund.status)


def _complete_refund(order: PaymentOrder, refund: Refund, provider_refund_no: str) -> None:
    before = _snapshot(order)
    now = timezone.now()
    refund.status = RefundStatus.SUCCEEDED
    refund.completed_at = now
    refund.provider_refund_no = refund.provider_refund_no or provider_refund_no
    refund.save(update_fields=["status", "completed_at", "provider_refund_no"])
    order.status = OrderStatus.REFUNDED
    order.refunded_at = now
    order.save(update_fields=["status", "refunded_at"])
    audit.record(
        "payments.order_refunded",
        actor=SYSTEM,
        subject=order,
        before=before,
        after={**_snapshot(order), "refund_no": refund.refund_no},
    )
    _notify(order, "payment_refunded")


@transaction.atomic
def reconcile(*, actor: Any, provider_code: str, day: dt.date) -> ReconciliationRun:
    """Compare the provider's statement of `day` with the orders; record every difference.

    Orders that match move PAID → RECONCILED; each difference becomes a mismatch row for
    finance staff (nothing is corrected automatically).
    """
    if not may_reconcile(actor):
        raise PermissionDenied()
    provider = get_provider(provider_code)
    text = provider.statement(day)
    lines = provider.parse_statement(text)
    run = ReconciliationRun.objects.create(
        provider=provider_code,
        statement_date=day,
        statement_sha256=hashlib.sha256(text.encode()).hexdigest(),
        statement_lines=len(lines),
    )
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    end = start + dt.timedelta(days=1)
    local_day = PaymentOrder.objects.filter(
        provider=provider_code,
        paid_at__gte=start,
        paid_at__lt=end,
        status__in=[OrderStatus.PAID, OrderStatus.RECONCILED, OrderStatus.REFUNDED],
    )
    referenced = PaymentOrder.objects.filter(order_no__in=[line.out_trade_no for line in lines])
    orders = {o.order_no: o for o in [*local_day.select_for_update(), *referenced]}
    seen: set[str] = set()
    mismatches: list[ReconciliationMismatch] = []
    now = timezone.now()

    def mismatch(kind: str, order: PaymentOrder | None, **fields: Any) -> None:
        mismatches.append(
            ReconciliationMismatch(
                run=run,
                kind=kind,
                order=order,
                local_amount_fen=order.amount_fen if order else None,
                local_status=order.status if order else "",
                **fields,
            )
        )

    matched = 0
    for line in lines:
        order = orders.get(line.out_trade_no)
        seen.add(line.out_trade_no)
        where = {
            "out_trade_no": line.out_trade_no,
            "provider_trade_no": line.trade_no,
            "provider_amount_fen": line.amount_fen,
            "provider_status": line.status,
        }
        if order is None:
            mismatch(MismatchKind.MISSING_LOCALLY, None, **where)
            continue
        if order.amount_fen != line.amount_fen:
            mismatch(MismatchKind.AMOUNT_DIFFERS, order, **where)
            continue
        expected: dict[str, tuple[str, ...]] = {
            TradeStatus.SUCCESS: ("paid", "reconciled"),
            TradeStatus.REFUND: ("refunded",),
        }
        if order.status not in expected.get(line.status, ()) or (
            order.provider_trade_no and order.provider_trade_no != line.trade_no
        ):
            mismatch(MismatchKind.STATUS_DIFFERS, order, **where)
            continue
        matched += 1
        if order.status == OrderStatus.PAID:
            order.status = OrderStatus.RECONCILED
            order.reconciled_at = now
            order.save(update_fields=["status", "reconciled_at"])
    for order_no, order in orders.items():
        paid_that_day = order.paid_at is not None and start <= order.paid_at < end
        if order_no not in seen and order.provider == provider_code and paid_that_day:
            mismatch(
                MismatchKind.MISSING_AT_PROVIDER,
                order,
                out_trade_no=order_no,
                provider_trade_no=order.provider_trade_no,
            )
    ReconciliationMismatch.objects.bulk_create(mismatches)
    run.matched = matched
    run.mismatch_count = len(mismatches)
    run.save(update_fields=["matched", "mismatch_count"])
    audit.record(
        "payments.reconciled",
        actor=actor,
        subject=run,
        after={
            "day": day.isoformat(),
            "lines": len(lines),
            "matched": matched,
            "mismatches": len(mismatches),
            "total_fen": sum(line.amount_fen for line in lines),
            "total": format_fen(sum(line.amount_fen for line in lines)),
        },
    )
    if mismatches:
        logger.warning(
            "reconciliation %s %s: %d mismatches", provider_code, day.isoformat(), len(mismatches)
        )
    return run
