"""The 办件 state machine as data (DOMAIN §3.2.1): no I/O, no Django queries.

Each transition names the states it may start from, the state it leads to, who may perform
it, and the process record (环节, 业务动作) it writes. `actions.py` looks a transition up here,
checks the actor's role and jurisdiction, and does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.cases.choices import CaseStatus as S
from yiwang.cases.choices import EventName as E

APPLICANT = "applicant"
SYSTEM = "system"
WINDOW_CLERK = "window_clerk"
REVIEWER = "reviewer"
APPROVER = "approver"
# 跨域通办: a window clerk of the hall that received the case on behalf of the implementing
# department (the case's accepting department when a 代收 hand-off exists).
PROXY_CLERK = "proxy_clerk"


@dataclass(frozen=True)
class Transition:
    """One edge (or family of edges) of the state machine."""

    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the state stays (延期, 审查 within IN_REVIEW, …)
    performers: frozenset[str]
    event: str
    process_name: str | Promise


BEFORE_DECISION = frozenset(
    {
        S.DRAFT,
        S.SUBMITTED,
        S.RECEIVED,
        S.CORRECTION_REQUIRED,
        S.ACCEPTED,
        S.IN_REVIEW,
        S.SPECIAL_PROCEDURE,
        S.SUSPENDED,
    }
)
OPEN = BEFORE_DECISION | {S.DECIDED, S.CERT_ISSUING, S.DELIVERING}


def _t(
    name: str,
    label: str | Promise,
    sources: set[str] | frozenset[str],
    target: str | None,
    performers: set[str],
    event: str,
    process_name: str | Promise,
) -> Transition:
    return Transition(
        name, label, frozenset(sources), target, frozenset(performers), event, process_name
    )


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", _("申报"), {S.DRAFT}, S.SUBMITTED, {APPLICANT}, E.SUBMIT, _("申报")),
        _t("receive", _("收件"), {S.SUBMITTED}, S.RECEIVED, {WINDOW_CLERK}, E.RECEIVE, _("收件")),
        _t(
            "return_case",
            _("退件"),
            {S.SUBMITTED, S.CORRECTION_REQUIRED},
            S.RETURNED,
            {WINDOW_CLERK},
            E.RETURN,
            _("预审"),
        ),
        _t(
            "request_correction",
            _("一次性告知补正"),
            {S.RECEIVED},
            S.CORRECTION_REQUIRED,
            {WINDOW_CLERK},
            E.REQUEST_CORRECTION,
            _("补齐补正"),
        ),
        _t(
            "submit_correction",
            _("提交补正材料"),
            {S.CORRECTION_REQUIRED},
            S.RECEIVED,
            {APPLICANT},
            E.SUBMIT_CORRECTION,
            _("补齐补正"),
        ),
        _t("accept", _("受理"), {S.RECEIVED}, S.ACCEPTED, {WINDOW_CLERK}, E.ACCEPT, _("受理")),
        _t(
            "deem_accept",
            _("视为受理"),
            {S.RECEIVED},
            S.ACCEPTED,
            {SYSTEM},
            E.DEEMED_ACCEPT,
            _("受理"),
        ),
        _t(
            "not_accept",
            _("不予受理"),
            {S.RECEIVED},
            S.NOT_ACCEPTED,
            {WINDOW_CLERK},
            E.NOT_ACCEPT,
            _("受理"),
        ),
        _t(
            "review",
            _("审查"),
            {S.ACCEPTED, S.IN_REVIEW},
            S.IN_REVIEW,
            {REVIEWER},
            E.REVIEW,
            _("审查"),
        ),
        _t(
            "start_special",
            _("启动特别程序"),
            {S.IN_REVIEW},
            S.SPECIAL_PROCEDURE,
            {REVIEWER, APPROVER},
            E.SPECIAL_START,
            _("特别程序"),
        ),
        _t(
            "end_special",
            _("结束特别程序"),
            {S.SPECIAL_PROCEDURE},
            S.IN_REVIEW,
            {REVIEWER, APPROVER},
            E.SPECIAL_END,
            _("特别程序"),
        ),
        _t(
            "suspend",
            _("中止（挂起）"),
            {S.IN_REVIEW},
            S.SUSPENDED,
            {APPROVER},
            E.SUSPEND,
            _("挂起"),
        ),
        _t("resume", _("恢复办理"), {S.SUSPENDED}, S.IN_REVIEW, {APPROVER}, E.RESUME, _("挂起")),
        _t("extend", _("延期"), {S.IN_REVIEW}, None, {APPROVER}, E.EXTEND, _("延期")),
        _t(
            "decide",
            _("作出决定"),
            {S.ACCEPTED, S.IN_REVIEW},
            S.DECIDED,
            {APPROVER},
            E.DECIDE,
            _("决定"),
        ),
        _t(
            "issue_result",
            _("制证签章"),
            {S.DECIDED},
            S.CERT_ISSUING,
            {WINDOW_CLERK, APPROVER},
            E.ISSUE,
            _("制证"),
        ),
        _t(
            "start_delivery",
            _("送达"),
            {S.DECIDED, S.CERT_ISSUING},
            S.DELIVERING,
            {WINDOW_CLERK},
            E.DELIVER,
            _("送达"),
        ),
        _t(
            "complete",
            _("办结"),
            {S.DECIDED, S.DELIVERING},
            S.COMPLETED,
            {WINDOW_CLERK},
            E.COMPLETE,
            _("办结"),
        ),
        # Once a decision exists the application cannot be taken back, only appealed.
        _t(
            "withdraw",
            _("撤回申请"),
            BEFORE_DECISION,
            S.WITHDRAWN,
            {APPLICANT},
            E.WITHDRAW,
            _("撤回"),
        ),
        _t("terminate", _("终止办理"), OPEN, S.TERMINATED, {APPROVER}, E.TERMINATE, _("终止")),
        # 跨域通办 (DOMAIN §3.10): 代收 → 形式审查 → 转递 → 属地收件 (the ordinary "receive"),
        # and the result handed back through the receiving hall; 多地联办 parts.
        _t(
            "proxy_receive",
            _("代收收件"),
            {S.DRAFT},
            S.SUBMITTED,
            {PROXY_CLERK},
            E.PROXY_RECEIVE,
            _("代收收件"),
        ),
        _t(
            "proxy_check",
            _("形式审查"),
            {S.SUBMITTED},
            None,
            {PROXY_CLERK},
            E.PROXY_CHECK,
            _("代收形式审查"),
        ),
        _t(
            "proxy_return",
            _("代收退回"),
            {S.SUBMITTED},
            S.RETURNED,
            {PROXY_CLERK},
            E.PROXY_RETURN,
            _("代收形式审查"),
        ),
        _t(
            "proxy_forward",
            _("转递材料"),
            {S.SUBMITTED},
            None,
            {PROXY_CLERK},
            E.PROXY_FORWARD,
            _("材料转递"),
        ),
        _t(
            "return_result",
            _("结果回传代收窗口"),
            {S.DECIDED, S.CERT_ISSUING},
            S.DELIVERING,
            {WINDOW_CLERK},
            E.RESULT_RETURN,
            _("送达"),
        ),
        _t(
            "hall_handover",
            _("代收窗口送达"),
            {S.DELIVERING},
            S.COMPLETED,
            {PROXY_CLERK},
            E.HALL_HANDOVER,
            _("办结"),
        ),
        _t(
            "assign_joint",
            _("分派多地联办"),
            {S.ACCEPTED, S.IN_REVIEW},
            None,
            {WINDOW_CLERK, APPROVER},
            E.JOINT_ASSIGN,
            _("多地联办"),
        ),
    ]
}


@dataclass(frozen=True)
class CaseFacts:
    """What the predicates need to know about a case, without touching the database."""

    status: str
    is_immediate: bool = False
    acceptance_mode: str = ""
    granted: bool | None = None
    issues_certificate: bool = False
    open_reviews: int = 0
    correction_requested: bool = False
    extended: bool = False
    deferred_outstanding: int = 0
    # 跨域通办: the 代收 hand-off's stage ("" when the case has none), and whether the result
    # goes back to the receiving hall.
    handoff_stage: str = ""
    return_to_hall: bool = False


def can(transition_name: str, facts: CaseFacts) -> bool:
    """True when the transition may start from the case's state (roles are checked apart)."""
    transition = TRANSITIONS[transition_name]
    if facts.status not in transition.sources:
        return False
    check = _EXTRA.get(transition_name)
    return check(facts) if check else True


def can_request_correction(facts: CaseFacts) -> bool:
    """补正 is told once (一次性告知): a second notice is not allowed."""
    return not facts.correction_requested


def can_decide(facts: CaseFacts) -> bool:
    """Review done; straight from acceptance only for 即办件 and 告知承诺."""
    if facts.status == S.ACCEPTED:
        return facts.is_immediate or facts.acceptance_mode == "notify_commit"
    return facts.open_reviews == 0


def can_extend(facts: CaseFacts) -> bool:
    """Once, and never for 即办件."""
    return not facts.extended and not facts.is_immediate


def can_issue_result(facts: CaseFacts) -> bool:
    return facts.granted is True


def can_start_delivery(facts: CaseFacts) -> bool:
    """A granted case is issued first; a refusal goes straight to delivery."""
    if facts.status == S.DECIDED:
        return facts.granted is False
    return True


def can_complete(facts: CaseFacts) -> bool:
    """即办件 finish on the spot after the decision, unless a certificate must be issued."""
    if facts.status == S.DECIDED:
        return facts.is_immediate and not (facts.granted and facts.issues_certificate)
    return True


def can_receive(facts: CaseFacts) -> bool:
    """A 代收 case reaches the implementing side only once the hall has forwarded it."""
    return facts.handoff_stage in {"", "forwarded"}


def can_return_case(facts: CaseFacts) -> bool:
    """While the materials lie at the receiving hall, only that hall sends them back."""
    return not (facts.status == S.SUBMITTED and facts.handoff_stage in {"received", "checked"})


def can_proxy_check(facts: CaseFacts) -> bool:
    return facts.handoff_stage == "received"


def can_proxy_return(facts: CaseFacts) -> bool:
    return facts.handoff_stage in {"received", "checked"}


def can_proxy_forward(facts: CaseFacts) -> bool:
    return facts.handoff_stage == "checked"


def can_return_result(facts: CaseFacts) -> bool:
    """The applicant chose to collect the result at the receiving hall."""
    return facts.return_to_hall and facts.handoff_stage == "arrived" and can_start_delivery(facts)


def can_start_delivery_here(facts: CaseFacts) -> bool:
    """A result promised back to the receiving hall is not delivered by the implementing side."""
    return not facts.return_to_hall and can_start_delivery(facts)


def can_complete_here(facts: CaseFacts) -> bool:
    """A result on its way back to the receiving hall is completed there (hall_handover)."""
    if facts.handoff_stage == "returning":
        return False
    if facts.return_to_hall and facts.status == S.DECIDED:
        return False
    return can_complete(facts)


def can_hall_handover(facts: CaseFacts) -> bool:
    return facts.handoff_stage == "returning"


def can_proxy_receive(facts: CaseFacts) -> bool:
    """Only `receive_on_behalf` registers a case at another hall (never a draft's button)."""
    return False


def can_assign_joint(facts: CaseFacts) -> bool:
    """A 即办件 has no review to share; the action checks the item's 通办 area."""
    return not facts.is_immediate


_EXTRA = {
    "receive": can_receive,
    "return_case": can_return_case,
    "request_correction": can_request_correction,
    "decide": can_decide,
    "extend": can_extend,
    "issue_result": can_issue_result,
    "start_delivery": can_start_delivery_here,
    "complete": can_complete_here,
    "proxy_receive": can_proxy_receive,
    "proxy_check": can_proxy_check,
    "proxy_return": can_proxy_return,
    "proxy_forward": can_proxy_forward,
    "return_result": can_return_result,
    "hall_handover": can_hall_handover,
    "assign_joint": can_assign_joint,
}


def available(facts: CaseFacts) -> list[Transition]:
    """Transitions the case's state allows now, in table order."""
    return [t for name, t in TRANSITIONS.items() if can(name, facts)]
