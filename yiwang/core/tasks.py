"""Enqueue background work only after the surrounding transaction commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Schedule `task.enqueue(*args, **kwargs)` for after commit; a rollback schedules nothing."""
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))
