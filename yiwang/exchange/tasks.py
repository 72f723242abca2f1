"""Background work of the exchange; every task is safe to run again."""

from __future__ import annotations

from django_tasks import task

from yiwang.exchange.actions.alarms import raise_overdue_alarms


@task()
def raise_overdue_alarms_task() -> int:
    """Raise overdue alarms for today (schedule it hourly; repeats raise nothing twice)."""
    return len(raise_overdue_alarms())
