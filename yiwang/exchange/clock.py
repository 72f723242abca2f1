"""The exchange's sense of time, in one place so tests can move it (monkeypatch these)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in Asia/Shanghai."""
    return timezone.localdate()


def now() -> dt.datetime:
    """The current aware datetime."""
    return timezone.now()
