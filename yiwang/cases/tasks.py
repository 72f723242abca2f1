"""Background work of cases; every task is safe to run twice or concurrently.

`tick` is the periodic work (deemed acceptance, warnings and escalations, outbox delivery).
django-tasks has no scheduler: run `manage.py cases_tick` from cron or a systemd timer every
few minutes (docs/operators.md), or enqueue `tick` from any scheduler.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from yiwang.core.actors import SYSTEM


@task()
def deliver_outbox() -> dict[str, int]:
    """Hand new case events to every registered consumer."""
    from yiwang.cases.outbox import deliver_pending

    return deliver_pending()


def run_tick(now: Any = None) -> dict[str, Any]:
    """The periodic work, in process (the command and the task both call this)."""
    from yiwang.cases import actions
    from yiwang.cases.outbox import deliver_pending

    deemed = actions.deem_overdue_receipts(actor=SYSTEM, now=now)
    warnings = actions.refresh_warnings(actor=SYSTEM, now=now)
    delivered = deliver_pending()
    return {"deemed_accepted": len(deemed), "warnings": warnings, "delivered": delivered}


@task()
def tick() -> dict[str, Any]:
    """Deemed acceptance (§32), yellow/red warnings with escalations, outbox delivery."""
    return run_tick()
