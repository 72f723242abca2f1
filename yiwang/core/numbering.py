"""Gap-free, unique numbers under concurrent use.

The counter is bumped with an UPDATE before it is read, so the row lock (PostgreSQL) or the
write lock (SQLite) is taken first and two transactions can never read the same value. The
bump is part of the caller's transaction: if the caller rolls back, so does the number, and
no gap appears.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from yiwang.core.models import Sequence


def next_value(name: str) -> int:
    """Return the next value of the named sequence (1, 2, 3, …) inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value must run inside the transaction that uses the number")
    updated = Sequence.objects.filter(name=name).update(value=F("value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                Sequence.objects.create(name=name, value=1)
                return 1
        except IntegrityError:
            # Another transaction created the row first; bump it like everyone else.
            Sequence.objects.filter(name=name).update(value=F("value") + 1)
    return Sequence.objects.values_list("value", flat=True).get(name=name)


def formatted(prefix: str, name: str, width: int) -> str:
    """`prefix` followed by the next value of `name`, zero-padded to `width` digits."""
    return f"{prefix}{next_value(name):0{width}d}"
