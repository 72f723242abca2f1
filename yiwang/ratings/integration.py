"""Ratings plugged into cases and payments: open touchpoints for rating.

`register()` (called from RatingsConfig.ready) makes `invite_from_case_event` an outbox
consumer of cases; it opens
the touchpoints a case passes through for rating: 申报 when it is submitted, 补正 when a
correction is handed in, 签收 and the case as a whole when it completes. A poor rating of
any of them opens a ticket for the case's department (谁办理、谁负责).
"""

from __future__ import annotations

from typing import Any

from yiwang.core.actors import SYSTEM
from yiwang.notifications.casefacts import event_case, event_stage, facts_of
from yiwang.ratings.choices import Touchpoint
from yiwang.ratings.models import RatingInvitation

CONSUMER_NAME = "ratings.invitations"

# Case stage → the touchpoints that stage completes.
STAGE_TOUCHPOINTS: dict[str, tuple[Touchpoint, ...]] = {
    "SUBMITTED": (Touchpoint.APPLICATION,),
    "CORRECTION_SUBMITTED": (Touchpoint.CORRECTION,),
    "CORRECTED": (Touchpoint.CORRECTION,),
    "COMPLETED": (Touchpoint.RECEIPT, Touchpoint.CASE),
}


def invite_from_case_event(event: Any) -> list[RatingInvitation]:
    """Outbox consumer: open the touchpoints of this stage (idempotent, safe to repeat)."""
    from yiwang.ratings import actions

    touchpoints = STAGE_TOUCHPOINTS.get(event_stage(event), ())
    case = event_case(event)
    if not touchpoints or case is None:
        return []
    facts = facts_of(case)
    if facts.applicant is None or facts.department is None or not facts.project_no:
        return []
    return [
        actions.open_invitation(
            actor=SYSTEM,
            case_project_no=facts.project_no,
            touchpoint=touchpoint,
            rater=facts.applicant,
            department=facts.department,
            task=facts.task,
            task_name=facts.task_name,
        )
        for touchpoint in touchpoints
    ]


def invite_payment_rating(order: Any) -> RatingInvitation:
    """Open the 缴费 touchpoint once an order is paid (called by payments)."""
    from yiwang.ratings import actions

    return actions.open_invitation(
        actor=SYSTEM,
        case_project_no=order.case_project_no,
        touchpoint=Touchpoint.PAYMENT,
        rater=order.payer,
        department=order.department,
        task=order.task_version.task,
        task_name=order.task_version.task_name,
    )


def register() -> None:
    """Consume every case event from the cases outbox; offer "评价" on the case page."""
    from yiwang.cases.links import one_of, register_case_links
    from yiwang.cases.outbox import register_consumer
    from yiwang.ratings.links import links_of_many

    register_consumer(CONSUMER_NAME, invite_from_case_event)
    register_case_links("ratings", one_of(links_of_many), many=links_of_many, order=30)
