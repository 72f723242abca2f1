"""Schemas shared across routers."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """The body of every 4xx answer."""

    code: str
    message: str
    field: str | None = None


class HealthOut(Schema):
    status: str
