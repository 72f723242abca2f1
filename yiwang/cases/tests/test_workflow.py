"""The state machine table: complete, pure, and enforced by the actions."""

from __future__ import annotations

import pytest

from yiwang.cases import actions, workflow
from yiwang.cases.choices import TERMINAL_STATUSES, CaseStatus
from yiwang.cases.tests.conftest import accepted_case, at, submit
from yiwang.cases.workflow import TRANSITIONS, CaseFacts, can
from yiwang.core.errors import DomainError


def test_every_state_is_reachable_and_only_terminal_states_are_dead_ends() -> None:
    targets = {t.target for t in TRANSITIONS.values() if t.target}
    sources = set().union(*(t.sources for t in TRANSITIONS.values()))
    for status in CaseStatus.values:
        if status != CaseStatus.DRAFT:
            assert status in targets, status
        if status in TERMINAL_STATUSES:
            assert status not in sources, status
        else:
            assert status in sources, status


def test_predicates_without_io() -> None:
    assert can("request_correction", CaseFacts(status=CaseStatus.RECEIVED))
    assert not can(
        "request_correction", CaseFacts(status=CaseStatus.RECEIVED, correction_requested=True)
    )
    assert not can("decide", CaseFacts(status=CaseStatus.IN_REVIEW, open_reviews=1))
    assert can("decide", CaseFacts(status=CaseStatus.IN_REVIEW))
    assert not can("decide", CaseFacts(status=CaseStatus.ACCEPTED))
    assert can("decide", CaseFacts(status=CaseStatus.ACCEPTED, is_immediate=True))
    assert can("decide", CaseFacts(status=CaseStatus.ACCEPTED, acceptance_mode="notify_commit"))
    assert not can("extend", CaseFacts(status=CaseStatus.IN_REVIEW, extended=True))
    assert not can("extend", CaseFacts(status=CaseStatus.IN_REVIEW, is_immediate=True))
    assert not can("issue_result", CaseFacts(status=CaseStatus.DECIDED, granted=False))
    assert can("start_delivery", CaseFacts(status=CaseStatus.DECIDED, granted=False))
    assert not can("start_delivery", CaseFacts(status=CaseStatus.DECIDED, granted=True))
    assert can("complete", CaseFacts(status=CaseStatus.DECIDED, is_immediate=True, granted=True))
    assert not can(
        "complete",
        CaseFacts(
            status=CaseStatus.DECIDED, is_immediate=True, granted=True, issues_certificate=True
        ),
    )
    assert not can("withdraw", CaseFacts(status=CaseStatus.DECIDED))
    assert can("terminate", CaseFacts(status=CaseStatus.DELIVERING))


def test_module_does_no_io() -> None:
    from pathlib import Path

    source = Path(workflow.__file__).read_text(encoding="utf-8")
    assert "objects" not in source and "import yiwang.cases.models" not in source


@pytest.mark.django_db
def test_illegal_transition_is_refused_with_a_clear_message(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    with pytest.raises(DomainError) as refused:
        actions.accept_case(actor=staff.clerk, case=case)
    assert refused.value.code == "transition_not_allowed"
    assert "已申报（待收件）" in refused.value.message and "受理" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.processes.count() == 1


@pytest.mark.django_db
def test_wrong_role_is_refused_before_state_is_revealed(personas, staff, version) -> None:
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    for actor in (staff.clerk, staff.approver, personas.citizen):
        with pytest.raises(DomainError) as refused:
            actions.review_case(actor=actor, case=case, opinion="agree")
        assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        actions.decide_case(actor=staff.reviewer, case=case, granted=True)
    assert refused.value.status == 403
