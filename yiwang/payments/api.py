"""JSON API of payments: orders, paying, refunds, receipts, reconciliation, and the signed
provider callback endpoint (no session: the signature is the credential)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.catalog.models import TaskVersion
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.identity.models import User
from yiwang.payments import actions, errors, queries, receipts
from yiwang.payments.models import PaymentOrder, ReconciliationRun
from yiwang.regions.queries import staff_of

router = Router(tags=["payments"])


class LineOut(Schema):
    fee_name: str
    fee_stand: str
    amount_fen: int


class OrderOut(Schema):
    order_no: str
    case_project_no: str
    status: str
    amount_fen: int
    channel: str
    provider_trade_no: str
    department: str
    task_name: str
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    receipt_no: str
    lines: list[LineOut]

    @staticmethod
    def resolve_department(obj: PaymentOrder) -> str:
        return obj.department.name

    @staticmethod
    def resolve_task_name(obj: PaymentOrder) -> str:
        return obj.task_version.task_name

    @staticmethod
    def resolve_lines(obj: PaymentOrder) -> list[Any]:
        return list(obj.lines.all())


class OrderIn(Schema):
    case_project_no: str
    payer_username: str
    task_version_id: int


class PayIn(Schema):
    channel: str


class PayOut(Schema):
    redirect_url: str


class RefundIn(Schema):
    reason: str


class RefundOut(Schema):
    refund_no: str
    status: str
    amount_fen: int


class ReconcileIn(Schema):
    provider: str = "sandbox"
    date: dt.date


class MismatchOut(Schema):
    kind: str
    out_trade_no: str
    provider_trade_no: str
    local_amount_fen: int | None
    provider_amount_fen: int | None
    local_status: str
    provider_status: str


class RunOut(Schema):
    id: int
    provider: str
    statement_date: dt.date
    statement_sha256: str
    statement_lines: int
    matched: int
    mismatch_count: int
    mismatches: list[MismatchOut]

    @staticmethod
    def resolve_mismatches(obj: ReconciliationRun) -> list[Any]:
        return list(obj.mismatches.all())


class CallbackAck(Schema):
    code: str
    message: str


def _respond(outcome: idempotency.Outcome) -> HttpResponse:
    return outcome.json_response()


@router.get("/orders", response=list[OrderOut], operation_id="list_payment_orders")
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest, status: str | None = None) -> QuerySet[PaymentOrder]:
    """Orders the caller may see (a payer: their own; staff: their departments')."""
    orders = queries.orders_for_user(request.user).prefetch_related("lines")
    return orders.filter(status=status) if status else orders


@router.get(
    "/orders/{order_no}", response={200: OrderOut, 404: ErrorOut}, operation_id="get_payment_order"
)
def get_order(request: HttpRequest, order_no: str) -> Any:
    """One order by its 缴款码."""
    return queries.get_order_for_user(request.user, order_no)


def _order_body(order: PaymentOrder) -> dict[str, Any]:
    body: dict[str, Any] = OrderOut.from_orm(order).model_dump(mode="json")
    return body


@router.post(
    "/orders",
    response={201: OrderOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="create_payment_order",
)
def create_order(request: HttpRequest, payload: OrderIn) -> HttpResponse:
    """Bill a case (staff of the charging department). Accepts an Idempotency-Key."""

    def operation() -> tuple[int, dict[str, Any]]:
        if staff_of(request.user) is None:
            raise PermissionDenied()
        payer = User.objects.filter(username=payload.payer_username).first()
        version = TaskVersion.objects.filter(pk=payload.task_version_id).first()
        if payer is None or version is None:
            raise NotFound()
        order = actions.create_order(
            actor=request.user,
            case_project_no=payload.case_project_no,
            payer=payer,
            task_version=version,
        )
        return 201, _order_body(order)

    return _respond(
        idempotency.run_once(
            actor=request.user,
            scope="payments.create_order",
            key=request.headers.get(idempotency.HEADER),
            payload=payload.dict(),
            operation=operation,
        )
    )


@router.post(
    "/orders/{order_no}/pay",
    response={200: PayOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="pay_payment_order",
)
def pay(request: HttpRequest, order_no: str, payload: PayIn) -> HttpResponse:
    """Start paying (the payer): answers the provider's cashier URL. Idempotency-Key accepted."""

    def operation() -> tuple[int, dict[str, Any]]:
        order = queries.get_order_for_user(request.user, order_no)
        url = actions.start_payment(
            actor=request.user,
            order=order,
            channel=payload.channel,
            return_url=f"/payments/{order.order_no}/return/",
        )
        return 200, {"redirect_url": url}

    return _respond(
        idempotency.run_once(
            actor=request.user,
            scope="payments.pay",
            key=request.headers.get(idempotency.HEADER),
            payload={"order_no": order_no, **payload.dict()},
            operation=operation,
        )
    )


@router.post(
    "/orders/{order_no}/refund",
    response={201: RefundOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="refund_payment_order",
)
def refund(request: HttpRequest, order_no: str, payload: RefundIn) -> HttpResponse:
    """Refund a paid order in full (approver or department admin). Idempotency-Key accepted."""

    def operation() -> tuple[int, dict[str, Any]]:
        order = queries.get_order_for_user(request.user, order_no)
        made = actions.request_refund(actor=request.user, order=order, reason=payload.reason)
        made.refresh_from_db()
        return 201, {
            "refund_no": made.refund_no,
            "status": made.status,
            "amount_fen": made.amount_fen,
        }

    return _respond(
        idempotency.run_once(
            actor=request.user,
            scope="payments.refund",
            key=request.headers.get(idempotency.HEADER),
            payload={"order_no": order_no, **payload.dict()},
            operation=operation,
        )
    )


@router.get(
    "/orders/{order_no}/receipt",
    response={200: None, 404: ErrorOut, 409: ErrorOut},
    operation_id="payment_receipt_pdf",
)
def receipt(request: HttpRequest, order_no: str) -> HttpResponse:
    """The e-receipt PDF of a paid order."""
    order = queries.get_order_for_user(request.user, order_no)
    if not order.is_paid and not order.receipt_no:
        raise errors.receipt_unavailable()
    response = HttpResponse(receipts.render_receipt(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{order.order_no}.pdf"'
    return response


@router.post(
    "/callbacks/{provider}",
    auth=None,
    response={200: CallbackAck, 400: CallbackAck},
    operation_id="payment_provider_callback",
)
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's asynchronous notification, verified by its signature; always logged."""
    status, body = actions.receive_callback(
        provider_code=provider,
        headers=dict(request.headers),
        body=request.body,
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    )
    return JsonResponse(body, status=status)


@router.get("/reconciliations", response=list[RunOut], operation_id="list_reconciliations")
@paginate(LimitOffsetPagination)
def list_reconciliations(request: HttpRequest) -> QuerySet[ReconciliationRun]:
    """Reconciliation runs with their mismatches (supervisors, system administrators)."""
    return queries.reconciliations_for_user(request.user)


@router.post(
    "/reconciliations",
    response={201: RunOut, 400: ErrorOut, 403: ErrorOut},
    operation_id="run_reconciliation",
)
def run_reconciliation(request: HttpRequest, payload: ReconcileIn) -> Any:
    """Reconcile one provider's statement of one day now."""
    try:
        run = actions.reconcile(
            actor=request.user, provider_code=payload.provider, day=payload.date
        )
    except LookupError:
        raise DomainError("provider_unknown", _("未配置该支付服务商。"), field="provider") from None
    return Status(201, run)
