"""Gates: other apps may hold a case at a stage boundary (e.g. payments: fees unpaid).

    from yiwang.cases.gates import register_gate
    register_gate("before_delivery", check)   # check(case) -> DomainError | None

Stages checked by the actions:
- "before_acceptance": leaving RECEIVED for ACCEPTED (accept; deemed acceptance is the law
  and ignores gates);
- "before_decision": leaving review for DECIDED;
- "before_delivery": leaving DECIDED/CERT_ISSUING for DELIVERING, and a 即办件 completing
  straight from DECIDED;
- "before_completion": leaving DELIVERING for COMPLETED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yiwang.core.errors import DomainError

STAGES = frozenset({"before_acceptance", "before_decision", "before_delivery", "before_completion"})
Gate = Callable[[Any], DomainError | None]
_gates: dict[str, list[tuple[str, Gate]]] = {}


def register_gate(stage: str, fn: Gate, *, name: str | None = None) -> None:
    """Add a check for `stage`; registering the same name again replaces it."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; choose from {sorted(STAGES)}")
    key = name or f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"
    entries = [entry for entry in _gates.get(stage, []) if entry[0] != key]
    entries.append((key, fn))
    _gates[stage] = entries


def unregister_gate(stage: str, fn: Gate) -> None:
    _gates[stage] = [entry for entry in _gates.get(stage, []) if entry[1] is not fn]


def check_gates(stage: str, case: Any) -> None:
    """Raise the first refusal a gate gives for `stage`."""
    for _key, fn in list(_gates.get(stage, [])):
        refusal = fn(case)
        if refusal is not None:
            raise refusal
