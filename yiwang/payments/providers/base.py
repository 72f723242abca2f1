"""The provider interface every payment channel adapter implements.

Shapes follow what real providers (WeChat Pay v3, Alipay, UnionPay) have in common: create a
trade and send the payer to a cashier page; notify the merchant asynchronously with a
signed callback, possibly more than once and out of order; answer queries; close an unpaid
trade; refund; and publish a daily statement for reconciliation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class CallbackRejected(Exception):
    """A callback that must not be acted on; `code` is a CallbackOutcome value."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class ProviderError(Exception):
    """The provider refused or failed a request."""


@dataclass(frozen=True)
class TradeTicket:
    """A created trade: the provider's number and where to send the payer."""

    trade_no: str
    redirect_url: str


@dataclass(frozen=True)
class Notice:
    """A verified callback: what happened to which trade."""

    notify_id: str
    event: str  # TRADE_SUCCESS | TRADE_CLOSED | REFUND_SUCCESS
    trade_no: str
    out_trade_no: str
    amount_fen: int
    occurred_at: dt.datetime
    refund_no: str = ""
    out_refund_no: str = ""


@dataclass(frozen=True)
class TradeState:
    """A trade as the provider sees it now (query, close)."""

    status: str  # a TradeStatus value
    amount_fen: int
    paid_at: dt.datetime | None


@dataclass(frozen=True)
class StatementLine:
    """One line of the provider's daily statement."""

    trade_no: str
    out_trade_no: str
    amount_fen: int
    status: str  # SUCCESS or REFUND
    paid_at: dt.datetime | None


class PaymentProvider(Protocol):
    code: str

    def create_trade(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        channel: str,
        expires_at: dt.datetime,
        return_url: str,
    ) -> TradeTicket: ...

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> Notice: ...

    def query(self, trade_no: str) -> TradeState: ...

    def close(self, trade_no: str) -> TradeState: ...

    def refund(self, *, trade_no: str, out_refund_no: str, amount_fen: int) -> str: ...

    def statement(self, day: dt.date) -> str: ...

    def parse_statement(self, text: str) -> list[StatementLine]: ...
