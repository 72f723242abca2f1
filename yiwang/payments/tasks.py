"""Payment background work; each task is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from yiwang.core.actors import SYSTEM
from yiwang.payments import actions
from yiwang.payments.providers import sandbox

logger = logging.getLogger(__name__)
MAX_NOTICE_ATTEMPTS = 6


@task()
def send_sandbox_notice(body: str, copy: int, attempt: int = 0) -> int:
    """The sandbox provider's notifier: sign `body` now and deliver it to the platform.

    Delivered over HTTP when YIWANG_PAYMENT_SANDBOX_CALLBACK_URL is set (a separate web
    process), otherwise in process through the same function the endpoint calls. A copy that
    is not acknowledged with 200 is sent again later, with back-off, as providers do.
    """
    raw = body.encode()
    headers = sandbox.sign(raw)
    url = getattr(settings, "YIWANG_PAYMENT_SANDBOX_CALLBACK_URL", "")
    if url:
        request = urllib.request.Request(  # noqa: S310 - the operator's own URL
            url, data=raw, headers={**headers, "Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            status = int(error.code)
        except OSError:
            status = 0
    else:
        status, _body = actions.receive_callback(
            provider_code=sandbox.CODE, headers=headers, body=raw, remote_addr="sandbox"
        )
    if status != 200 and attempt + 1 < MAX_NOTICE_ATTEMPTS and default_task_backend.supports_defer:
        later = timezone.now() + dt.timedelta(seconds=15 * 2**attempt)
        send_sandbox_notice.using(run_after=later).enqueue(body, copy, attempt + 1)
    return status


def schedule_sandbox_notice(body: str, copy: int) -> None:
    """Enqueue one copy, late and staggered when the backend can defer (out of order)."""
    delay = settings.YIWANG_PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS
    if default_task_backend.supports_defer and delay > 0:
        # Later copies go first sometimes: copy 0 waits longest on odd seconds.
        spread = (copy + timezone.now().second) % 3
        later = timezone.now() + dt.timedelta(seconds=delay * (1 + spread))
        send_sandbox_notice.using(run_after=later).enqueue(body, copy)
    else:
        send_sandbox_notice.enqueue(body, copy)


@task()
def submit_refund(refund_id: int) -> str:
    """Send a requested refund to its provider."""
    return actions.submit_refund(refund_id)


@task()
def expire_orders() -> int:
    """Close orders past their payment deadline (periodic)."""
    return actions.expire_orders(actor=SYSTEM)


@task()
def reconcile_day(provider_code: str, day_iso: str) -> int:
    """Reconcile one provider's statement of one day; returns the number of mismatches."""
    run = actions.reconcile(
        actor=SYSTEM, provider_code=provider_code, day=dt.date.fromisoformat(day_iso)
    )
    return run.mismatch_count
