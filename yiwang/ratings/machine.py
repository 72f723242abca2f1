"""The poor-rating ticket flow (DOMAIN §3.3) as a table: no I/O, just who may move what where.

RATED(≤2) → TICKET_CREATED → DISPATCHED (谁办理、谁负责) → VISITING (回访核实)
  → RECTIFYING → RECTIFIED                 (立行立改)
  → LEDGER → RECTIFIED                     (台账, 限期整改)
  → EXPLAINED                              (解释说明)
  → APPEAL → APPEAL_UPHELD (剔除统计) | APPEAL_REJECTED → RECTIFYING
RECTIFIED | EXPLAINED → FEEDBACK_SENT → EVALUATOR_RECHECK → CLOSED
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.ratings.choices import TicketStatus as S

# Who may take a step: the supervisor (监督人员 over the department's region), the handler
# (staff of the responsible department), or the evaluator (the citizen who rated).
SUPERVISOR = "supervisor"
HANDLER = "handler"
EVALUATOR = "evaluator"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _t(sources: set[str], target: str, *roles: str) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles))


TRANSITIONS: dict[str, Transition] = {
    "dispatch": _t({S.TICKET_CREATED}, S.DISPATCHED, SUPERVISOR),
    "start_visit": _t({S.DISPATCHED}, S.VISITING, HANDLER),
    "rectify": _t({S.VISITING, S.APPEAL_REJECTED}, S.RECTIFYING, HANDLER),
    "open_ledger": _t({S.VISITING}, S.LEDGER, HANDLER),
    "explain": _t({S.VISITING}, S.EXPLAINED, HANDLER),
    "appeal": _t({S.VISITING}, S.APPEAL, HANDLER),
    "uphold_appeal": _t({S.APPEAL}, S.APPEAL_UPHELD, SUPERVISOR),
    "reject_appeal": _t({S.APPEAL}, S.APPEAL_REJECTED, SUPERVISOR),
    "complete_rectification": _t({S.RECTIFYING, S.LEDGER}, S.RECTIFIED, HANDLER),
    "send_feedback": _t({S.RECTIFIED, S.EXPLAINED}, S.FEEDBACK_SENT, HANDLER),
    "recheck": _t({S.FEEDBACK_SENT}, S.EVALUATOR_RECHECK, EVALUATOR),
    "close": _t({S.EVALUATOR_RECHECK, S.APPEAL_UPHELD, S.FEEDBACK_SENT}, S.CLOSED, SUPERVISOR),
}

# Once a ticket reaches one of these, its rectification deadline has been met.
DEADLINE_MET = frozenset({S.FEEDBACK_SENT, S.EVALUATOR_RECHECK, S.CLOSED, S.APPEAL_UPHELD})
TERMINAL = frozenset({S.CLOSED})


def can(action: str, status: str, roles: set[str]) -> bool:
    """True if someone holding `roles` may take `action` on a ticket in `status`."""
    transition = TRANSITIONS.get(action)
    return (
        transition is not None and status in transition.sources and bool(transition.roles & roles)
    )


def available(status: str, roles: set[str]) -> list[str]:
    """The actions open to `roles` in `status`, in table order."""
    return [action for action in TRANSITIONS if can(action, status, roles)]
