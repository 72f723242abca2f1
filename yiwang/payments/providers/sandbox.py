"""The built-in sandbox provider: behaves like a real one, so the platform is tested the way
it will run.

- `create_trade` returns a redirect to the sandbox cashier page, where the payer confirms.
- Every event (paid, closed, refunded) is notified ASYNCHRONOUSLY by a task, signed with
  HMAC-SHA256, sent more than once (YIWANG_PAYMENT_SANDBOX_CALLBACK_COPIES), late and, when
  the task backend can defer, in no guaranteed order; a copy that is not acknowledged is
  retried with back-off.
- An unpaid trade expires at its `time_expire`; `close` refuses once the trade is paid.
- `statement(day)` is the daily CSV a real provider publishes for reconciliation.

Signature: hex HMAC-SHA256 with the shared secret over the canonical string
    "<timestamp>\\n<nonce>\\n<body>\\n"
(the shape of WeChat Pay v3), in the headers X-Sandbox-Timestamp, X-Sandbox-Nonce and
X-Sandbox-Signature. The sandbox keeps its books in its own table (SandboxTrade).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
import time
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.payments.choices import CallbackOutcome, TradeStatus
from yiwang.payments.models import SandboxTrade
from yiwang.payments.providers.base import (
    CallbackRejected,
    Notice,
    ProviderError,
    StatementLine,
    TradeState,
    TradeTicket,
)

CODE = "sandbox"
HEADER_TIMESTAMP = "X-Sandbox-Timestamp"
HEADER_NONCE = "X-Sandbox-Nonce"
HEADER_SIGNATURE = "X-Sandbox-Signature"
STATEMENT_COLUMNS = ["trade_no", "out_trade_no", "amount_fen", "status", "paid_at"]
EVENTS = ("TRADE_SUCCESS", "TRADE_CLOSED", "REFUND_SUCCESS")


def secret() -> bytes:
    """The shared secret (settings, or derived from SECRET_KEY for the demo)."""
    configured: str = settings.YIWANG_PAYMENT_SANDBOX_SECRET
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"yiwang-payments-sandbox", "sha256").digest()


def canonical(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes that are signed."""
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def signature(timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret(), canonical(timestamp, nonce, body), hashlib.sha256).hexdigest()


def sign(body: bytes, *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    """Headers of a signed callback for `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    return {
        HEADER_TIMESTAMP: stamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(stamp, nonce, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = {key.lower(): value for key, value in headers.items()}
    return lowered.get(name.lower(), "")


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return moment


def notice_body(trade: SandboxTrade, event: str) -> bytes:
    """The JSON a notification carries (a new notify_id per event, the same for its copies)."""
    occurred = {
        "TRADE_SUCCESS": trade.paid_at,
        "TRADE_CLOSED": trade.closed_at,
        "REFUND_SUCCESS": trade.refunded_at,
    }[event]
    payload = {
        "notify_id": uuid.uuid4().hex,
        "event": event,
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "amount_fen": trade.amount_fen,
        "occurred_at": (occurred or timezone.now()).isoformat(),
        "refund_no": trade.refund_no,
        "out_refund_no": trade.out_refund_no,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def schedule_notices(trade: SandboxTrade, event: str) -> None:
    """After commit, send the event's notification several times, late (like a provider)."""
    from yiwang.payments import tasks

    body = notice_body(trade, event).decode()
    copies = max(1, int(settings.YIWANG_PAYMENT_SANDBOX_CALLBACK_COPIES))
    for copy in range(copies):
        transaction.on_commit(partial(tasks.schedule_sandbox_notice, body, copy))


class SandboxProvider:
    """The sandbox; see the module docstring."""

    code = CODE

    def create_trade(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        channel: str,
        expires_at: dt.datetime,
        return_url: str,
    ) -> TradeTicket:
        existing = SandboxTrade.objects.filter(
            out_trade_no=out_trade_no, status=TradeStatus.NOTPAY
        ).first()
        if existing is not None and existing.amount_fen == amount_fen:
            existing.channel = channel
            existing.save(update_fields=["channel"])
            trade = existing
        else:
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            trade = SandboxTrade.objects.create(
                trade_no=f"SBX{stamp}{secrets.token_hex(4).upper()}",
                out_trade_no=out_trade_no,
                amount_fen=amount_fen,
                channel=channel,
                subject=subject[:200],
                return_url=return_url,
                time_expire=expires_at,
            )
        return TradeTicket(
            trade.trade_no, reverse("yiwang_payments:sandbox_cashier", args=[trade.trade_no])
        )

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> Notice:
        stamp = _header(headers, HEADER_TIMESTAMP)
        nonce = _header(headers, HEADER_NONCE)
        given = _header(headers, HEADER_SIGNATURE)
        if not (stamp and nonce and given):
            raise CallbackRejected(CallbackOutcome.BAD_SIGNATURE, "signature headers missing")
        expected = signature(stamp, nonce, body)
        if not hmac.compare_digest(expected, given.strip().lower()):
            raise CallbackRejected(CallbackOutcome.BAD_SIGNATURE, "signature does not match")
        try:
            sent = int(stamp)
        except ValueError:
            raise CallbackRejected(CallbackOutcome.MALFORMED, "timestamp") from None
        if abs(time.time() - sent) > settings.YIWANG_PAYMENT_CALLBACK_TOLERANCE_SECONDS:
            raise CallbackRejected(CallbackOutcome.EXPIRED_TIMESTAMP, f"timestamp {sent}")
        try:
            data = json.loads(body)
            event = str(data["event"])
            if event not in EVENTS:
                raise ValueError(event)
            occurred = _parse_time(data["occurred_at"])
            assert occurred is not None
            return Notice(
                notify_id=str(data["notify_id"])[:64],
                event=event,
                trade_no=str(data["trade_no"])[:64],
                out_trade_no=str(data["out_trade_no"])[:64],
                amount_fen=int(data["amount_fen"]),
                occurred_at=occurred,
                refund_no=str(data.get("refund_no") or "")[:64],
                out_refund_no=str(data.get("out_refund_no") or "")[:64],
            )
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            raise CallbackRejected(CallbackOutcome.MALFORMED, str(error)[:200]) from None

    def _trade(self, trade_no: str) -> SandboxTrade:
        trade = SandboxTrade.objects.filter(trade_no=trade_no).first()
        if trade is None:
            raise ProviderError(f"unknown trade {trade_no}")
        return trade

    def query(self, trade_no: str) -> TradeState:
        trade = self._trade(trade_no)
        return TradeState(trade.status, trade.amount_fen, trade.paid_at)

    @transaction.atomic
    def close(self, trade_no: str) -> TradeState:
        closed = SandboxTrade.objects.filter(trade_no=trade_no, status=TradeStatus.NOTPAY).update(
            status=TradeStatus.CLOSED, closed_at=timezone.now()
        )
        trade = self._trade(trade_no)
        if closed:
            schedule_notices(trade, "TRADE_CLOSED")
        return TradeState(trade.status, trade.amount_fen, trade.paid_at)

    @transaction.atomic
    def refund(self, *, trade_no: str, out_refund_no: str, amount_fen: int) -> str:
        trade = SandboxTrade.objects.select_for_update().filter(trade_no=trade_no).first()
        if trade is None:
            raise ProviderError(f"unknown trade {trade_no}")
        if trade.status == TradeStatus.REFUND and trade.out_refund_no == out_refund_no:
            return trade.refund_no  # the same request again: same answer
        if trade.status != TradeStatus.SUCCESS:
            raise ProviderError(f"trade {trade_no} is {trade.status}, not refundable")
        if amount_fen != trade.amount_fen:
            raise ProviderError("the sandbox refunds whole trades only")
        trade.status = TradeStatus.REFUND
        trade.refund_no = f"SBR{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"
        trade.out_refund_no = out_refund_no
        trade.refunded_at = timezone.now()
        trade.save(update_fields=["status", "refund_no", "out_refund_no", "refunded_at"])
        schedule_notices(trade, "REFUND_SUCCESS")
        return trade.refund_no

    def statement(self, day: dt.date) -> str:
        """The CSV statement of trades paid on `day` (Asia/Shanghai)."""
        start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        end = start + dt.timedelta(days=1)
        trades = SandboxTrade.objects.filter(
            paid_at__gte=start,
            paid_at__lt=end,
            status__in=[TradeStatus.SUCCESS, TradeStatus.REFUND],
        ).order_by("paid_at", "id")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STATEMENT_COLUMNS)
        total = 0
        count = 0
        for trade in trades:
            assert trade.paid_at is not None
            writer.writerow(
                [
                    trade.trade_no,
                    trade.out_trade_no,
                    trade.amount_fen,
                    trade.status,
                    trade.paid_at.isoformat(),
                ]
            )
            total += trade.amount_fen
            count += 1
        writer.writerow([f"# total {count} {total}"])
        return out.getvalue()

    def parse_statement(self, text: str) -> list[StatementLine]:
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        if header != STATEMENT_COLUMNS:
            raise ProviderError("statement header is not the sandbox's")
        lines: list[StatementLine] = []
        for row in rows:
            if not row or row[0].startswith("#"):
                continue
            trade_no, out_trade_no, amount, status, paid_at = row
            lines.append(
                StatementLine(trade_no, out_trade_no, int(amount), status, _parse_time(paid_at))
            )
        return lines

    # --- the cashier page (the provider's own web page, not the platform's) ---

    @transaction.atomic
    def pay(self, trade_no: str) -> SandboxTrade:
        """The payer confirms on the cashier page; refused after the trade expired."""
        now = timezone.now()
        paid = SandboxTrade.objects.filter(
            trade_no=trade_no, status=TradeStatus.NOTPAY, time_expire__gt=now
        ).update(status=TradeStatus.SUCCESS, paid_at=now)
        trade = self._trade(trade_no)
        if not paid:
            raise ProviderError(f"trade {trade_no} is {trade.status} and cannot be paid")
        schedule_notices(trade, "TRADE_SUCCESS")
        return trade
