"""Background delivery; safe to run twice or on many workers at once (rows are claimed)."""

from __future__ import annotations

from django_tasks import task

from yiwang.notifications import actions


@task()
def deliver_notification(notification_id: int) -> str:
    """Deliver one notification right after the transaction that created it commits."""
    return str(actions.deliver(notification_id))


@task()
def deliver_due_notifications() -> int:
    """The sweep: retries, rate-limited and abandoned (lease expired) notifications."""
    return actions.deliver_due()
