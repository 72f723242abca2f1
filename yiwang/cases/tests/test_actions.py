"""Every path of the state machine through the actions, with audit and outbox per step."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from yiwang.cases import actions, gates, results
from yiwang.cases.choices import AcceptanceMode, CaseStatus, MaterialState
from yiwang.cases.models import Case, CaseMaterial, OutboxEvent
from yiwang.cases.reuse import (
    ReusedMaterial,
    register_material_provider,
    unregister_material_provider,
)
from yiwang.cases.tests.conftest import accepted_case, at, full_uploads, materials_of, pdf, submit
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _audits(case: Case) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_type="cases.case", subject_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_full_path_writes_process_audit_and_event_per_transition(personas, staff, version) -> None:
    case = submit(personas.citizen, version, at(2026, 11, 2, 9))
    assert re.fullmatch(r"360102\w{9}2026110200001", case.project_no)
    assert len(case.project_no) <= 50
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2, 10))
    case = actions.accept_case(actor=staff.clerk, case=case, now=at(2026, 11, 2, 11))
    assert case.accept_doc_no and case.promise_date == dt.date(2026, 11, 16)
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    case = actions.decide_case(actor=staff.approver, case=case, granted=True, now=at(2026, 11, 4))
    case = actions.issue_result(actor=staff.approver, case=case, now=at(2026, 11, 4, 15))
    case = actions.start_delivery(actor=staff.clerk, case=case, method="post", now=at(2026, 11, 5))
    case = actions.complete_case(actor=staff.clerk, case=case, now=at(2026, 11, 6))
    assert case.status == CaseStatus.COMPLETED and case.result.result_date == at(2026, 11, 6)
    steps = [
        "submit",
        "receive",
        "accept",
        "review",
        "decide",
        "issue_result",
        "start_delivery",
        "complete",
    ]
    assert _audits(case) == ["cases.case_created"] + [f"cases.{s}" for s in steps]
    events = list(OutboxEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert events == [f"case.{s}" for s in steps]
    processes = list(case.processes.values_list("event_name", "to_status"))
    assert processes[0] == ("01", "submitted") and processes[-1] == ("17", "completed")
    assert case.processes.get(event_name="06").handle_user_name == "clerk.a2"


def test_case_numbers_are_consecutive_per_department_and_day(personas, staff, version) -> None:
    numbers = [submit(personas.citizen, version, at(2026, 11, 2)).project_no for _ in range(3)]
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003"]
    assert submit(personas.citizen, version, at(2026, 11, 3)).project_no.endswith("2026110300001")


def test_missing_materials_refuse_submission_and_create_nothing(personas, version) -> None:
    only_form = {materials_of(version)["食品经营许可申请书"]: pdf()}
    with pytest.raises(DomainError) as refused:
        actions.submit_case(actor=personas.citizen, version_id=version.pk, uploads=only_form)
    assert refused.value.code == "materials_missing" and "营业执照" in refused.value.message
    assert not Case.objects.exists()


def test_reuse_provider_makes_the_licence_upload_unnecessary(personas, version) -> None:
    seen = []

    def provider(applicant, material):
        seen.append((applicant.name, material.material_name))
        if material.source_certificate_type_code:
            return ReusedMaterial(
                "certificate", "1.2.156.3005.2.X", "ab" * 32, "营业执照（电子证照）"
            )
        return None

    register_material_provider("test-certificates", provider)
    try:
        only_form = {materials_of(version)["食品经营许可申请书"]: pdf()}
        case = actions.submit_case(actor=personas.citizen, version_id=version.pk, uploads=only_form)
    finally:
        unregister_material_provider("test-certificates")
    reused = case.materials.get(material_name="营业执照")
    assert (reused.get_type, reused.state, reused.reuse_reference) == (
        "2",
        "accepted",
        "1.2.156.3005.2.X",
    )
    assert ("张伟", "营业执照") in seen


def test_only_published_versions_can_be_applied_for(personas, version) -> None:
    catalog_actions.retire_version(actor=SYSTEM, version=version)
    with pytest.raises(DomainError) as refused:
        submit(personas.citizen, version)
    assert refused.value.code == "task_not_published"


def test_staff_and_anonymous_cannot_apply(personas, staff, version) -> None:
    from django.contrib.auth.models import AnonymousUser

    for actor in (staff.clerk, AnonymousUser()):
        with pytest.raises(DomainError) as refused:
            submit(actor, version)
        assert refused.value.status == 403


def test_one_time_correction_lists_every_item_and_pauses(personas, staff, version) -> None:
    form_id = materials_of(version)["食品经营许可申请书"]
    case = submit(personas.citizen, version, at(2026, 11, 2))
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    rows = {r.material_id: r for r in case.materials.all()}
    actions.check_material(
        actor=staff.clerk,
        case=case,
        material_id=rows[form_id].pk,
        accepted=False,
        reason="未签字",
        now=at(2026, 11, 3),
    )
    case.refresh_from_db()
    licence = next(r for k, r in rows.items() if k != form_id)
    case = actions.request_correction(
        actor=staff.clerk, case=case, rejections={licence.pk: "已过期"}, now=at(2026, 11, 3)
    )
    assert case.status == CaseStatus.CORRECTION_REQUIRED
    assert {i["name"]: i["reason"] for i in case.correction_items} == {
        "食品经营许可申请书": "未签字",
        "营业执照": "已过期",
    }
    assert case.pauses.get().ended_at is None
    # Only part of the notice answered: refused, with what is still missing.
    actions.upload_material(
        actor=personas.citizen,
        case=case,
        material_id=form_id,
        checked=pdf("new.pdf", b"2"),
        now=at(2026, 11, 4),
    )
    case.refresh_from_db()
    with pytest.raises(DomainError) as partial:
        actions.submit_correction(actor=personas.citizen, case=case, now=at(2026, 11, 4))
    assert "营业执照" in partial.value.message
    case = actions.submit_correction(
        actor=personas.citizen,
        case=case,
        uploads={licence.material_id: pdf("l.pdf", b"3")},
        now=at(2026, 11, 5),
    )
    assert case.status == CaseStatus.RECEIVED and case.pauses.get().ended_at == at(2026, 11, 5)
    with pytest.raises(DomainError) as second:
        actions.request_correction(actor=staff.clerk, case=case, now=at(2026, 11, 5))
    assert second.value.code == "transition_not_allowed"  # 一次性: only one notice
    case = actions.accept_case(actor=staff.clerk, case=case, now=at(2026, 11, 5))
    assert case.status == CaseStatus.ACCEPTED


def test_correction_never_answered_is_returned(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    case = actions.receive_case(actor=staff.clerk, case=case)
    row = case.materials.first()
    case = actions.request_correction(actor=staff.clerk, case=case, rejections={row.pk: "模糊"})
    case = actions.return_case(actor=staff.clerk, case=case, reason="逾期未补正")
    assert case.status == CaseStatus.RETURNED and case.pauses.get().ended_at is not None


def test_acceptance_refused_while_a_material_is_unfit(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    case = actions.receive_case(actor=staff.clerk, case=case)
    row = case.materials.first()
    actions.check_material(
        actor=staff.clerk, case=case, material_id=row.pk, accepted=False, reason="不清晰"
    )
    case.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        actions.accept_case(actor=staff.clerk, case=case)
    assert refused.value.code == "materials_incomplete"


def test_tolerance_acceptance_defers_material_until_supplied(personas, staff, version) -> None:
    licence_id = materials_of(version)["营业执照"]
    case = submit(personas.citizen, version, at(2026, 11, 2))
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2))
    row = case.materials.get(material_id=licence_id)
    actions.check_material(
        actor=staff.clerk,
        case=case,
        material_id=row.pk,
        accepted=False,
        reason="副本缺页",
        now=at(2026, 11, 2),
    )
    case.refresh_from_db()
    case = actions.accept_case(
        actor=staff.clerk,
        case=case,
        mode=AcceptanceMode.TOLERANCE,
        deferred={licence_id: dt.date(2026, 11, 10)},
        now=at(2026, 11, 2),
    )
    row.refresh_from_db()
    assert (row.state, row.deferred_due_date) == (MaterialState.DEFERRED, dt.date(2026, 11, 10))
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    with pytest.raises(DomainError) as early:
        actions.decide_case(actor=staff.approver, case=case, granted=True, now=at(2026, 11, 3))
    assert early.value.code == "deferred_materials_outstanding"
    actions.upload_material(
        actor=personas.citizen,
        case=case,
        material_id=licence_id,
        checked=pdf("full.pdf", b"x"),
        now=at(2026, 11, 4),
    )
    case.refresh_from_db()
    actions.check_material(
        actor=staff.clerk, case=case, material_id=row.pk, accepted=True, now=at(2026, 11, 4)
    )
    case.refresh_from_db()
    case = actions.decide_case(actor=staff.approver, case=case, granted=True, now=at(2026, 11, 5))
    assert case.status == CaseStatus.DECIDED
    assert case.processes.filter(event_name="22").exists()


def test_notify_commit_jumps_to_decision_with_post_verification(personas, staff, version) -> None:
    case = accepted_case(
        personas.citizen, version, staff, at(2026, 11, 2), mode=AcceptanceMode.NOTIFY_COMMIT
    )
    assert case.post_verification_due == dt.date(2026, 11, 30)  # 20 WD
    case = actions.decide_case(actor=staff.approver, case=case, granted=True, now=at(2026, 11, 2))
    assert case.status == CaseStatus.DECIDED
    task = actions.verify_commitment(actor=staff.reviewer, case=case, opinion="agree")
    assert task.done_at is not None


def test_immediate_item_finishes_the_same_day(personas, staff, city) -> None:
    version = make_published_task(
        city, code_suffix="0003", project_type="1", promise_day=0, result_type="3"
    )
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2, 9))
    assert case.promise_date == dt.date(2026, 11, 2) and not case.review_tasks.exists()
    case = actions.decide_case(
        actor=staff.approver, case=case, granted=True, now=at(2026, 11, 2, 10)
    )
    case = actions.complete_case(actor=staff.clerk, case=case, now=at(2026, 11, 2, 11))
    assert case.status == CaseStatus.COMPLETED


def test_joint_review_needs_every_department(personas, staff, city, version) -> None:
    case = accepted_case(
        personas.citizen, version, staff, at(2026, 11, 2), joint_departments=[city.dept_a]
    )
    case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
    with pytest.raises(DomainError):
        actions.decide_case(actor=staff.approver, case=case, granted=True)
    with pytest.raises(DomainError):  # the same department cannot review twice
        actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
    case = actions.review_case(actor=staff.joint_reviewer, case=case, opinion="agree")
    case = actions.decide_case(actor=staff.approver, case=case, granted=True)
    assert case.status == CaseStatus.DECIDED


def test_refusal_needs_reason_and_remedy_and_is_delivered(personas, staff, version) -> None:
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="disagree", explain="场所不符"
    )
    for reason, remedy in (("", "可复议"), ("场所不符", "")):
        with pytest.raises(DomainError) as refused:
            actions.decide_case(
                actor=staff.approver, case=case, granted=False, reason=reason, remedy_notice=remedy
            )
        assert refused.value.code == "reason_required"
    case = actions.decide_case(
        actor=staff.approver,
        case=case,
        granted=False,
        reason="场所不符",
        remedy_notice="六十日内可申请行政复议",
    )
    with pytest.raises(DomainError):
        actions.issue_result(actor=staff.approver, case=case)
    case = actions.start_delivery(actor=staff.clerk, case=case)
    case = actions.complete_case(actor=staff.clerk, case=case)
    assert case.result.result_type == "2" and case.result.remedy_notice


def test_not_accepted_withdrawn_and_terminated(personas, staff, version) -> None:
    case = actions.receive_case(actor=staff.clerk, case=submit(personas.citizen, version))
    with pytest.raises(DomainError):
        actions.not_accept(actor=staff.clerk, case=case, reason=" ")
    assert (
        actions.not_accept(actor=staff.clerk, case=case, reason="不属于本机关").status
        == "not_accepted"
    )
    case = submit(personas.citizen, version)
    with pytest.raises(DomainError) as foreign:
        actions.withdraw_case(actor=personas.other_citizen, case=case)
    assert foreign.value.status == 403
    assert actions.withdraw_case(actor=personas.citizen, case=case).status == "withdrawn"
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    case = actions.terminate_case(actor=staff.approver, case=case, reason="申请人主体注销")
    assert case.status == CaseStatus.TERMINATED and case.closed_at is not None


def test_withdrawal_not_possible_after_decision(personas, staff, version) -> None:
    case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
    case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
    case = actions.decide_case(actor=staff.approver, case=case, granted=True)
    with pytest.raises(DomainError) as refused:
        actions.withdraw_case(actor=personas.citizen, case=case)
    assert refused.value.code == "transition_not_allowed"


def test_draft_gets_no_number_until_submitted(personas, version) -> None:
    case = actions.submit_case(actor=personas.citizen, version_id=version.pk, draft=True)
    assert case.status == CaseStatus.DRAFT and case.project_no is None
    for material_id in materials_of(version).values():
        actions.upload_material(
            actor=personas.citizen,
            case=case,
            material_id=material_id,
            checked=pdf(extra=str(material_id).encode()),
        )
        case.refresh_from_db()
    case = actions.submit_draft(actor=personas.citizen, case=case)
    assert case.status == CaseStatus.SUBMITTED and case.project_no


def test_stale_case_object_is_refused_as_changed(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    stale = Case.objects.get(pk=case.pk)
    actions.receive_case(actor=staff.clerk, case=case)
    with pytest.raises(DomainError) as changed:
        actions.receive_case(actor=staff.clerk, case=stale)
    assert changed.value.code == "case_changed" and "已收件" in changed.value.message


def test_gate_holds_delivery_and_issuer_sets_certificate_number(personas, staff, version) -> None:
    unpaid = DomainError("fees_unpaid", "费用未缴清")

    def gate(case):
        return unpaid

    def issuer(case, actor):
        return f"1.2.156.3005.2.TEST.{case.pk}"

    gates.register_gate("before_delivery", gate)
    results.register_result_issuer("test", issuer)
    try:
        version.result_certificate_type_code = "11100000000013127D001"
        version.save()  # test set-up only: the item issues a certificate
        case = accepted_case(personas.citizen, version, staff, at(2026, 11, 2))
        case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
        case = actions.decide_case(actor=staff.approver, case=case, granted=True)
        case = actions.issue_result(actor=staff.approver, case=case)
        assert case.result.result_cetr_no == f"1.2.156.3005.2.TEST.{case.pk}"
        with pytest.raises(DomainError) as held:
            actions.start_delivery(actor=staff.clerk, case=case)
        assert held.value.code == "fees_unpaid"
        case.refresh_from_db()
        assert case.status == CaseStatus.CERT_ISSUING
    finally:
        gates.unregister_gate("before_delivery", gate)
        results.unregister_result_issuer("test")
    assert actions.start_delivery(actor=staff.clerk, case=case).status == CaseStatus.DELIVERING


def test_clerk_of_another_department_or_county_cannot_act(personas, staff, version) -> None:
    case = submit(personas.citizen, version)
    for outsider in (personas.clerk_a, personas.clerk_b):
        with pytest.raises(DomainError) as refused:
            actions.receive_case(actor=outsider, case=case)
        assert refused.value.status == 403


def test_materials_of_the_submission_are_stored_with_digest(personas, version) -> None:
    uploads = full_uploads(version)
    case = actions.submit_case(actor=personas.citizen, version_id=version.pk, uploads=uploads)
    row = CaseMaterial.objects.filter(case=case).first()
    assert row.sha256 == uploads[row.material_id].sha256 and row.file.read().startswith(b"%PDF")
