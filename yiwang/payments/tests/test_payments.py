"""Fee orders through the sandbox provider: a redirect, asynchronous signed callbacks that
come twice and out of order, timeouts, refunds, reconciliation and the e-receipt."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import client_for
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import AuditEntry
from yiwang.notifications.models import Notification
from yiwang.payments import actions, receipts
from yiwang.payments.choices import CallbackOutcome, MismatchKind, OrderStatus, TradeStatus
from yiwang.payments.models import CallbackLog, PaymentOrder, SandboxTrade
from yiwang.payments.providers import sandbox
from yiwang.ratings.models import RatingInvitation

CALLBACK = "/api/v1/payments/callbacks/sandbox"


def pay_at_provider(order: PaymentOrder, captured) -> tuple[SandboxTrade, list[Any]]:
    """Start a payment and confirm it at the cashier, keeping the callbacks for later."""
    actions.start_payment(actor=order.payer, order=order, channel="wechat", return_url="/x/")
    order.refresh_from_db()
    with captured() as callbacks:
        sandbox.SandboxProvider().pay(order.provider_trade_no)
    return SandboxTrade.objects.get(trade_no=order.provider_trade_no), callbacks


def signed_post(client, body: bytes, **overrides):
    headers = sandbox.sign(body)
    headers.update(overrides)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(CALLBACK, body, content_type="application/json", **extra)


def paid_audits(order) -> int:
    return AuditEntry.objects.filter(action="payments.order_paid", subject_id=str(order.pk)).count()


@pytest.mark.django_db
def test_an_order_copies_the_fee_projects_in_fen(order, fee_task) -> None:
    assert re.fullmatch(r"360102\d{8}\d{6}", order.order_no)
    assert order.amount_fen == 3550 and order.amount_yuan == "35.50"
    assert [(line.fee_name, line.amount_fen) for line in order.lines.all()] == [
        ("许可证工本费", 1000),
        ("现场核查费", 2550),
    ]
    assert order.status == OrderStatus.PENDING
    # A second bill for the same case while one waits is refused.
    with pytest.raises(Conflict):
        actions.create_order(
            actor=SYSTEM,
            case_project_no=order.case_project_no,
            payer=order.payer,
            task_version=fee_task,
        )


@pytest.mark.django_db
def test_pay_through_the_cashier_page_end_to_end(order, django_capture_on_commit_callbacks) -> None:
    client = client_for(order.payer)
    page = client.get(f"/payments/{order.order_no}/")
    assert page.status_code == 200 and "35.50" in page.content.decode()
    to_cashier = client.post(f"/payments/{order.order_no}/", {"channel": "alipay"})
    assert to_cashier.status_code == 302 and "/payments/sandbox/cashier/" in to_cashier["Location"]
    assert client.get(to_cashier["Location"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(to_cashier["Location"], {"action": "pay"})
    assert back.status_code == 302 and back["Location"] == f"/payments/{order.order_no}/return/"
    order.refresh_from_db()
    # The sandbox sent its notification twice: applied once, the copy acknowledged.
    assert order.status == OrderStatus.PAID and order.channel == "alipay"
    outcomes = list(CallbackLog.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [CallbackOutcome.APPLIED, CallbackOutcome.DUPLICATE]
    assert paid_audits(order) == 1
    assert order.receipt_no.startswith(f"PJ{timezone.localdate().year}")
    # Paying opens the 缴费 touchpoint for rating, and the payer heard about it.
    assert RatingInvitation.objects.filter(
        case_project_no=order.case_project_no, touchpoint="payment", rater=order.payer
    ).exists()
    assert Notification.objects.filter(recipient=order.payer, template_code="payment_paid").exists()
    pdf = client.get(f"/payments/{order.order_no}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content


@pytest.mark.django_db
def test_a_duplicated_callback_does_not_pay_twice(order, client) -> None:
    trade, _callbacks = pay_at_provider(order, lambda: _null())
    body = sandbox.notice_body(trade, "TRADE_SUCCESS")
    first = signed_post(client, body)
    second = signed_post(client, body)
    assert first.status_code == 200 and second.status_code == 200
    assert second.json() == {"code": "SUCCESS", "message": "duplicate"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert paid_audits(order) == 1
    receipt_numbers = PaymentOrder.objects.exclude(receipt_no="").count()
    assert receipt_numbers == 1


@pytest.mark.django_db
def test_a_bad_signature_is_rejected_and_logged(order, client) -> None:
    trade, _callbacks = pay_at_provider(order, lambda: _null())
    body = sandbox.notice_body(trade, "TRADE_SUCCESS")
    forged = signed_post(client, body, **{sandbox.HEADER_SIGNATURE: "0" * 64})
    tampered_body = body.replace(b'"amount_fen":3550', b'"amount_fen":1')
    headers = sandbox.sign(body)  # signature of the original body
    tampered = client.post(
        CALLBACK,
        tampered_body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    unsigned = client.post(CALLBACK, body, content_type="application/json")
    for response in (forged, tampered, unsigned):
        assert response.status_code == 400
        assert response.json()["code"] == "bad_signature"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    logs = CallbackLog.objects.order_by("id")
    assert [log.outcome for log in logs] == [CallbackOutcome.BAD_SIGNATURE] * 3
    assert all(not log.signature_valid and log.order is None for log in logs)
    assert b'"amount_fen":1' in tampered_body and '"amount_fen":1,' in logs[1].body


@pytest.mark.django_db
def test_a_replayed_old_callback_is_refused(order, client) -> None:
    trade, _callbacks = pay_at_provider(order, lambda: _null())
    body = sandbox.notice_body(trade, "TRADE_SUCCESS")
    stale = signed_post(client, body, **sandbox.sign(body, timestamp=int(time.time()) - 3600))
    assert stale.status_code == 400 and stale.json()["code"] == "expired_timestamp"
    assert CallbackLog.objects.get().outcome == CallbackOutcome.EXPIRED_TIMESTAMP


@pytest.mark.django_db
def test_garbage_and_unknown_providers_never_500(client) -> None:
    assert client.post(CALLBACK, b"not json", content_type="application/json").status_code == 400
    body = b'{"event":"TRADE_SUCCESS"}'
    assert signed_post(client, body).json()["code"] == "malformed"
    assert (
        client.post(
            "/api/v1/payments/callbacks/nobody", body, content_type="application/json"
        ).status_code
        == 400
    )
    assert CallbackLog.objects.count() == 3


@pytest.mark.django_db
def test_out_of_order_callbacks_never_move_an_order_back(
    order, billing, django_capture_on_commit_callbacks
) -> None:
    trade, paid_callbacks = pay_at_provider(order, django_capture_on_commit_callbacks)
    # The first copy of the payment notice arrives; the second is still on its way.
    paid_callbacks[0]()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_refund(actor=billing.approver, order=order, reason="申请人撤回申请")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    # Now the late copy of the payment notice arrives: it must not re-pay the order.
    paid_callbacks[1]()
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert paid_audits(order) == 1
    # A close notice for a paid (here: refunded) trade is stale too.
    trade.refresh_from_db()
    close_body = sandbox.notice_body(trade, "TRADE_CLOSED")
    status, answer = actions.receive_callback(
        provider_code="sandbox", headers=sandbox.sign(close_body), body=close_body
    )
    assert status == 200 and answer["message"] == CallbackOutcome.STALE
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


@pytest.mark.django_db
def test_an_unpaid_order_times_out_and_the_cashier_refuses_it(order) -> None:
    actions.start_payment(actor=order.payer, order=order, channel="wechat", return_url="/x/")
    order.refresh_from_db()
    later = order.expires_at + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert actions.expire_orders() == 1
        assert actions.expire_orders() == 0
        order.refresh_from_db()
        assert order.status == OrderStatus.CLOSED
        trade = SandboxTrade.objects.get(trade_no=order.provider_trade_no)
        assert trade.status == TradeStatus.CLOSED
        page = client_for(order.payer).post(
            f"/payments/sandbox/cashier/{trade.trade_no}/", {"action": "pay"}
        )
        assert page.status_code == 409
        with pytest.raises(Conflict):
            actions.start_payment(actor=order.payer, order=order, channel="wechat", return_url="/")


@pytest.mark.django_db
def test_paid_at_the_last_second_is_settled_not_closed(
    order, django_capture_on_commit_callbacks
) -> None:
    _trade, callbacks = pay_at_provider(order, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    with time_machine.travel(order.expires_at + dt.timedelta(seconds=5), tick=False):
        # The payment notices are still in flight when the expiry sweep runs.
        assert actions.expire_orders() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    for deliver in callbacks:
        deliver()
    assert set(CallbackLog.objects.values_list("outcome", flat=True)) == {CallbackOutcome.DUPLICATE}
    assert paid_audits(order) == 1


@pytest.mark.django_db
def test_reconciliation_reports_planted_mismatches(
    city, personas, fee_task, billing, django_capture_on_commit_callbacks
) -> None:
    orders = [
        actions.create_order(
            actor=SYSTEM, case_project_no=f"P{n}", payer=personas.citizen, task_version=fee_task
        )
        for n in range(3)
    ]
    for order in orders:
        actions.start_payment(actor=order.payer, order=order, channel="bank", return_url="/")
        order.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            sandbox.SandboxProvider().pay(order.provider_trade_no)
    good, short, missing = (PaymentOrder.objects.get(pk=o.pk) for o in orders)
    # Planted: the provider booked a different amount for one order…
    SandboxTrade.objects.filter(trade_no=short.provider_trade_no).update(amount_fen=3500)
    # …has never heard of another (its trade vanished from the statement)…
    SandboxTrade.objects.filter(trade_no=missing.provider_trade_no).update(
        status=TradeStatus.NOTPAY
    )
    # …and took a payment for an order the platform does not have.
    SandboxTrade.objects.create(
        trade_no="SBXSTRAY0001",
        out_trade_no="99999999999999999999",
        amount_fen=100,
        status=TradeStatus.SUCCESS,
        paid_at=timezone.now(),
        time_expire=timezone.now(),
    )
    run = actions.reconcile(
        actor=billing.supervisor, provider_code="sandbox", day=timezone.localdate()
    )
    found = {(m.kind, m.out_trade_no) for m in run.mismatches.all()}
    assert found == {
        (MismatchKind.AMOUNT_DIFFERS, short.order_no),
        (MismatchKind.MISSING_AT_PROVIDER, missing.order_no),
        (MismatchKind.MISSING_LOCALLY, "99999999999999999999"),
    }
    assert run.matched == 1 and run.mismatch_count == 3
    good.refresh_from_db()
    short.refresh_from_db()
    assert good.status == OrderStatus.RECONCILED and short.status == OrderStatus.PAID
    # The API shows the same to a supervisor, and refuses a citizen.
    listed = client_for(billing.supervisor).get("/api/v1/payments/reconciliations")
    assert listed.status_code == 200 and listed.json()["items"][0]["mismatch_count"] == 3
    assert client_for(personas.citizen).get("/api/v1/payments/reconciliations").status_code == 403


@pytest.mark.django_db
def test_refund_needs_the_right_role_and_a_reason(
    order, billing, personas, django_capture_on_commit_callbacks
) -> None:
    _trade, callbacks = pay_at_provider(order, django_capture_on_commit_callbacks)
    callbacks[0]()
    order.refresh_from_db()
    for actor in (personas.citizen, billing.clerk, personas.clerk_b):
        with pytest.raises(PermissionDenied):
            actions.request_refund(actor=actor, order=order, reason="x")
    with pytest.raises(DomainError):
        actions.request_refund(actor=billing.approver, order=order, reason="  ")
    api = client_for(billing.approver).post(
        f"/api/v1/payments/orders/{order.order_no}/refund",
        json.dumps({"reason": "重复缴费"}),
        content_type="application/json",
    )
    assert api.status_code == 201, api.content


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (5, "伍分"),
        (50, "伍角整"),
        (3550, "叁拾伍元伍角整"),
        (100010, "壹仟元壹角整"),
        (1000000, "壹万元整"),
        (100100000, "壹佰万零壹仟元整"),
        (123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    ],
)
def test_amount_in_chinese_capitals(fen: int, words: str) -> None:
    assert receipts.rmb_capital(fen) == words


class _null:
    """A stand-in for django_capture_on_commit_callbacks that drops the callbacks."""

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False
