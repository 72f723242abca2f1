"""The write path of cases: submission, every transition of the state machine, materials.

Each action takes the acting user (`actor=`), an optional `now=` (the demo and tests replay
history with it; everything else uses the real time), locks the case row, checks the
transition against `workflow.TRANSITIONS` and the actor's role and jurisdiction, and writes
in one transaction: the change, a process record (过程信息), an audit entry and an outbox
event. Split by stage: intake, processing, supervision (the periodic tick).
"""

from yiwang.cases.actions.base import facts_for
from yiwang.cases.actions.crossarea import (
    assign_joint_part,
    hall_handover,
    proxy_check,
    proxy_forward,
    proxy_return,
    receive_on_behalf,
    register_at_hall,
    return_result,
)
from yiwang.cases.actions.intake import (
    accept_case,
    check_material,
    deem_accept,
    missing_required,
    not_accept,
    receive_case,
    request_correction,
    return_case,
    submit_case,
    submit_correction,
    submit_draft,
    upload_material,
)
from yiwang.cases.actions.processing import (
    complete_case,
    decide_case,
    end_special_procedure,
    extend_case,
    issue_result,
    resume_case,
    review_case,
    start_delivery,
    start_special_procedure,
    suspend_case,
    terminate_case,
    verify_commitment,
    withdraw_case,
)
from yiwang.cases.actions.supervision import (
    deem_overdue_receipts,
    refresh_clock,
    refresh_warnings,
)

__all__ = [
    "accept_case", "assign_joint_part", "hall_handover", "proxy_check", "proxy_forward",
    "proxy_return", "receive_on_behalf", "register_at_hall", "return_result",
    "check_material", "complete_case", "decide_case", "deem_accept",
    "deem_overdue_receipts", "end_special_procedure", "extend_case", "facts_for",
    "issue_result", "missing_required", "not_accept", "receive_case", "refresh_clock",
    "refresh_warnings", "request_correction", "resume_case", "return_case", "review_case",
    "start_delivery", "start_special_procedure", "submit_case", "submit_correction",
    "submit_draft", "suspend_case", "terminate_case", "upload_material", "verify_commitment",
    "withdraw_case",
]  # fmt: skip
