"""System checks: keys and batch settings must parse; a production log needs its own origin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

EXAMPLE_ORIGIN = "yiwang.example/360100/log"


def check_ledger_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse start-up configuration the sequencer could not work with."""
    from yiwang.ledger.keys import log_origin, witness_signer

    try:
        log_origin()
        witness_signer()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="ledger.E001")]
    if settings.YIWANG_LEDGER_BATCH_SIZE < 1 or settings.YIWANG_LEDGER_BATCH_WAIT_MS < 0:
        return [checks.Error("ledger batch size must be >= 1 and wait >= 0 ms", id="ledger.E002")]
    return []


def check_ledger_origin_for_deploy(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: the example origin must not reach production."""
    if settings.YIWANG_LEDGER_ORIGIN == EXAMPLE_ORIGIN:
        return [
            checks.Warning(
                "YIWANG_LEDGER_ORIGIN is the example origin; set it to your city's own "
                "'<domain>/<city code>/log' before the first entry is sealed (it is permanent).",
                id="ledger.W001",
            )
        ]
    return []


def register() -> None:
    checks.register(check_ledger_settings, "yiwang")
    checks.register(check_ledger_origin_for_deploy, "yiwang", deploy=True)
