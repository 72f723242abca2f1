"""Background work: the sequencer as a django-tasks task (enqueued when anchors commit)."""

from __future__ import annotations

from django_tasks import task

from yiwang.ledger.sequencer import sequence_pending


@task()
def sequence_ledger() -> int:
    """Seal whatever is pending into the log; retry-safe (an empty queue is a no-op)."""
    return sequence_pending()
