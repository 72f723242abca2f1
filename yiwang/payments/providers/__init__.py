"""Payment providers behind one interface; `get_provider(code)` from settings."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.payments.providers.base import PaymentProvider


def get_provider(code: str) -> PaymentProvider:
    """The provider configured under `code` in YIWANG_PAYMENT_PROVIDERS."""
    path = settings.YIWANG_PAYMENT_PROVIDERS.get(code)
    if code == "sandbox" and not settings.YIWANG_PAYMENT_SANDBOX:
        path = None  # a sandbox that takes no money must not be reachable in production
    if path is None:
        raise LookupError(f"payment provider {code!r} is not configured")
    provider: PaymentProvider = import_string(path)()
    return provider


def provider_for_channel(channel: str) -> str:
    """The provider code that serves a channel (WeChat, Alipay, …)."""
    code: str | None = settings.YIWANG_PAYMENT_CHANNEL_PROVIDERS.get(channel)
    if code is None:
        raise LookupError(f"no provider serves channel {channel!r}")
    return code
