"""Demo ledger: every department's registration anchored and sealed, so 溯源 has entries.

Idempotent: each anchor carries a once-key, and sealing an empty queue does nothing.
"""

from __future__ import annotations

from yiwang.ledger.anchoring import anchor
from yiwang.ledger.sequencer import sequence_pending
from yiwang.regions.models import Department


def load() -> int:
    """Anchor the demo departments (USCC as subject) and seal them; returns entries sealed."""
    for department in Department.objects.select_related("region").order_by("uscc"):
        anchor(
            "department.registered",
            department.uscc,
            {"name": department.name, "uscc": department.uscc, "region": department.region.code},
            once_key=f"demo:department:{department.uscc}",
        )
    return sequence_pending()
