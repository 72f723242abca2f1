"""一件事一次办: one application makes a parent (母件) and one sub-case (子件) per chosen item.

`submit_bundle` resolves the applicant's situation answers into a plan
(`catalog.bundles.resolve`), checks the merged form, stores each merged upload once, and
creates every sub-case through `submit_case` in one transaction: the first stage's sub-cases
are submitted at once; later stages' wait as drafts. `refresh_bundle` (called by the outbox
consumer `cases.bundles` whenever a sub-case changes) submits the next stage when every
sub-case of the earlier stages has been granted and its result issued, recomputes the
parent's status and promise date, and, once every sub-case is finished, announces the one
result of the bundle.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.cases import errors, outbox
from yiwang.cases.actions.base import _now
from yiwang.cases.actions.intake import (
    _applicant_for,
    missing_required,
    reuse_material,
    submit_case,
    submit_draft,
)
from yiwang.cases.bundles import sub_cases
from yiwang.cases.choices import TERMINAL_STATUSES, BundleCaseStatus, CaseStatus, Decision
from yiwang.cases.models import BundleCase, Case, CaseResult
from yiwang.cases.prefill import filled_form
from yiwang.cases.uploads import CheckedFile, StoredFile, store
from yiwang.catalog.bundles import (
    Plan,
    chain_dates,
    get_published_bundle,
    limit_days,
    load_bundle,
    resolve,
)
from yiwang.catalog.choices import REUSABLE_SOURCES
from yiwang.catalog.models import Bundle
from yiwang.core import audit, numbering
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.workdays import local_date
from yiwang.identity.models import LegalPerson

logger = logging.getLogger(__name__)

# A sub-case in these states, granted, lets the next stage start (its licence exists).
ADVANCED = frozenset({CaseStatus.CERT_ISSUING, CaseStatus.DELIVERING, CaseStatus.COMPLETED})
DECIDED_OR_LATER = ADVANCED | {CaseStatus.DECIDED}
FINISHED = frozenset({BundleCaseStatus.COMPLETED, BundleCaseStatus.NOT_PASSED})


def _bundle_number(bundle: Bundle, day: dt.date) -> str:
    """<6-digit region>YJS<yyyyMMdd><5-digit sequence>: 一件事 numbers, gap-free per day."""
    stem = f"{bundle.region.code[:6]}YJS{day:%Y%m%d}"
    return numbering.formatted(stem, f"bundle:{stem}", 5)


def plan_for(bundle: Bundle, answers: Mapping[str, Any] | None, *, complete: bool) -> Plan:
    """The plan for these answers; `complete` also requires every question answered."""
    data = load_bundle(bundle)
    if data.unavailable:
        raise Conflict(
            "bundle_member_unpublished",
            _("以下成员事项暂停办理，暂不能申请：%(codes)s"),
            params={"codes": "、".join(data.unavailable)},
        )
    plan = resolve(data, answers)
    if complete and plan.unanswered:
        texts = [q.text for q in data.questions if q.code in plan.unanswered]
        raise DomainError(
            "situation_unanswered",
            _("请先回答情形问题：%(questions)s"),
            params={"questions": "、".join(texts)},
            field="answers",
        )
    return plan


@transaction.atomic
def submit_bundle(
    *,
    actor: Any,
    bundle_code: str,
    answers: Mapping[str, Any] | None,
    form_data: Mapping[str, Any] | None = None,
    uploads: Mapping[str, CheckedFile] | None = None,
    legal_person: LegalPerson | None = None,
    contact_mobile: str = "",
    address: str = "",
    now: dt.datetime | None = None,
) -> BundleCase:
    """一件事申报: one form, one set of materials; a parent and a sub-case per chosen item.

    `uploads` are keyed by material identity (see `catalog.bundles`); each is stored once
    and attached to every sub-case whose item needs that material.
    """
    now = _now(now)
    applicant = _applicant_for(actor, legal_person)
    bundle = get_published_bundle(bundle_code)
    Bundle.objects.select_for_update().filter(pk=bundle.pk).first()
    plan = plan_for(bundle, answers, complete=True)
    # What the applicant left empty is taken from their profile and certificates.
    holder = applicant.get("applicant_legal_person") or applicant.get("applicant_person")
    values = filled_form(actor, holder, plan.fields, dict(form_data or {}))
    uploads = dict(uploads or {})
    asked = {row.identity for row in plan.materials if row.asked}
    unknown = [key for key in uploads if key not in asked]
    if unknown:
        raise DomainError("material_unknown", _("提交的材料不属于该一件事。"), field="materials")
    stored: dict[str, StoredFile] = {}
    for identity, checked in uploads.items():
        path = store(f"cases/{now:%Y/%m}", checked)
        stored[identity] = StoredFile(
            checked.name,
            checked.content,
            checked.content_type,
            checked.extension,
            checked.sha256,
            stored_path=path,
        )
    today = local_date(now)
    ends, promise = plan.estimate(today)
    parent = BundleCase.objects.create(
        bundle_no=_bundle_number(bundle, today),
        bundle=bundle,
        bundle_version=bundle.version,
        bundle_name=bundle.name,
        applicant_user=actor,
        applicant_person=applicant.get("applicant_person"),
        applicant_legal_person=applicant.get("applicant_legal_person"),
        applyer_name=applicant["applyer_name"],
        answers=plan.answers,
        form_data=values,
        plan=[
            {
                "task_code": m.task_code,
                "task_name": m.version.task_name,
                "version_id": m.version.pk,
                "stage": m.stage,
                "days": m.days,
                "estimated_end": ends[m.member_id].isoformat(),
            }
            for m in plan.members
        ],
        estimated_promise_date=promise,
        promise_date=promise,
        current_stage=plan.stages[0][0].stage,
        created_at=now,
    )
    first_stage = parent.current_stage
    produced = {row.identity for row in plan.materials if row.produced_by}
    for member in plan.members:
        member_uploads: dict[int, CheckedFile] = {}
        for row in plan.materials:
            if row.identity in stored:
                for material in row.materials:
                    if material.version_id == member.version.pk:
                        member_uploads[material.pk] = stored[row.identity]
        keys = {f.key for f in member.form_fields}
        later = member.stage != first_stage
        case = submit_case(
            actor=actor,
            version_id=member.version.pk,
            project_name=f"{applicant['applyer_name']}申请{member.version.task_name}"
            f"（{bundle.name}）",
            form_data={k: v for k, v in values.items() if k in keys},
            uploads=member_uploads,
            legal_person=legal_person,
            contact_mobile=contact_mobile,
            address=address,
            draft=later,
            now=now,
            bundle_case=parent,
            bundle_stage=member.stage,
        )
        if later:
            _check_later_materials(case, plan, produced)
    audit.record(
        "cases.bundle_submitted",
        actor=actor,
        subject=parent,
        after={
            "bundle": bundle.code,
            "version": bundle.version,
            "members": [m.task_code for m in plan.members],
            "promise_date": promise.isoformat(),
            "at": now.isoformat(),
        },
    )
    outbox.emit(
        "bundle.submitted",
        case=None,
        occurred_at=now,
        payload=_bundle_payload(parent),
    )
    return parent


def _check_later_materials(case: Case, plan: Plan, produced: set[str]) -> None:
    """A later stage's required materials must be at hand now, unless the bundle makes them."""
    produced_ids = {
        material.pk
        for row in plan.materials
        if row.identity in produced
        for material in row.materials
    }
    missing = [
        m.material_name
        for m in missing_required(case)
        if m.pk not in produced_ids and m.source_type not in REUSABLE_SOURCES
    ]
    if missing:
        raise errors.materials_missing(missing)


def _bundle_payload(parent: BundleCase) -> dict[str, Any]:
    return {
        "bundle_no": parent.bundle_no,
        "bundle_name": parent.bundle_name,
        "bundle_case_id": parent.pk,
        "applicant_user_id": parent.applicant_user_id,
        "status": parent.status,
        "promise_date": parent.promise_date.isoformat() if parent.promise_date else None,
    }


# --- aggregation ---------------------------------------------------------------------------


def granted(case: Case, results: Mapping[int, str]) -> bool:
    return results.get(case.pk) == Decision.GRANTED


def failed(case: Case, results: Mapping[int, str]) -> bool:
    """Finished without the licence: returned, not accepted, refused, withdrawn, terminated."""
    if case.status in TERMINAL_STATUSES and case.status != CaseStatus.COMPLETED:
        return True
    return case.status in DECIDED_OR_LATER and results.get(case.pk) not in (None, Decision.GRANTED)


def aggregate(cases: list[Case], results: Mapping[int, str]) -> str:
    """The parent's status from its sub-cases (drafts of a stage that can no longer start
    because an earlier one failed do not count)."""
    if any(failed(c, results) for c in cases):
        active = [c for c in cases if c.status != CaseStatus.DRAFT]
        if all(c.status in TERMINAL_STATUSES for c in active):
            return BundleCaseStatus.NOT_PASSED
        return BundleCaseStatus.PARTLY_DONE
    if cases and all(c.status == CaseStatus.COMPLETED for c in cases):
        return BundleCaseStatus.COMPLETED
    if any(c.status == CaseStatus.COMPLETED for c in cases):
        return BundleCaseStatus.PARTLY_DONE
    if any(c.status not in {CaseStatus.DRAFT, CaseStatus.SUBMITTED} for c in cases):
        return BundleCaseStatus.IN_PROGRESS
    return BundleCaseStatus.SUBMITTED


def _known_end(case: Case) -> dt.date | None:
    if case.decided_at is not None:
        return local_date(case.decided_at)
    if case.status in TERMINAL_STATUSES and case.closed_at is not None:
        return local_date(case.closed_at)
    return case.promise_date


def promise_of(parent: BundleCase, cases: list[Case]) -> dt.date:
    """承诺办结时间 of the bundle: the latest sub-case end, stages chained (see chain_dates)."""
    stages = sorted({c.bundle_stage or 1 for c in cases})
    rows = [
        [(c.pk, _known_end(c), limit_days(c.task_version)) for c in cases if c.bundle_stage == n]
        for n in stages
    ]
    _ends, promise = chain_dates(local_date(parent.created_at), rows)
    return promise


def _start_stage(parent: BundleCase, drafts: list[Case], now: dt.datetime) -> list[str]:
    """Submit a waiting stage's drafts in the applicant's name (they asked for the bundle)."""
    problems = []
    applicant = parent.applicant_legal_person or parent.applicant_person
    for draft in drafts:
        try:
            with transaction.atomic():
                present = set(draft.materials.values_list("material_id", flat=True))
                for material in draft.task_version.materials.all():
                    if material.pk not in present:
                        reuse_material(draft, material, applicant, now)
                submit_draft(actor=parent.applicant_user, case=draft, now=now)
        except DomainError as error:
            problems.append(f"{draft.task_name}：{error.message}")
    return problems


@transaction.atomic
def refresh_bundle(
    *, actor: Any = SYSTEM, bundle_case: BundleCase, now: dt.datetime | None = None
) -> BundleCase:
    """Start the next stage when it may start; recompute status and promise date."""
    now = _now(now)
    parent = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
    before = {"status": parent.status, "stage": parent.current_stage}
    cases = sub_cases(parent)
    results = dict(CaseResult.objects.filter(case__in=cases).values_list("case_id", "result_type"))
    stages = sorted({c.bundle_stage or 1 for c in cases})
    problems: list[str] = []
    for number in stages:
        if number <= parent.current_stage:
            continue
        earlier = [c for c in cases if (c.bundle_stage or 1) < number]
        ready = all(c.status in ADVANCED and granted(c, results) for c in earlier)
        if not ready:
            break
        drafts = [c for c in cases if c.bundle_stage == number and c.status == CaseStatus.DRAFT]
        problems = _start_stage(parent, drafts, now)
        parent.current_stage = number
        audit.record(
            "cases.bundle_stage_started",
            actor=actor,
            subject=parent,
            after={"stage": number, "problems": problems, "at": now.isoformat()},
        )
        cases = sub_cases(parent)
        if problems:
            break
    if problems:
        parent.note = "；".join(problems)[:2000]
    parent.status = aggregate(cases, results)
    parent.promise_date = promise_of(parent, cases)
    announce = parent.status in FINISHED and parent.finished_at is None
    if announce:
        parent.finished_at = now
    parent.save()
    if before["status"] != parent.status:
        audit.record(
            "cases.bundle_status_changed",
            actor=actor,
            subject=parent,
            before=before,
            after={"status": parent.status, "at": now.isoformat()},
        )
    if announce:
        outbox.emit("bundle.finished", case=None, occurred_at=now, payload=_bundle_payload(parent))
    return parent


def on_case_event(event: Any) -> None:
    """Outbox consumer: a sub-case changed, so its parent may change too."""
    case = getattr(event, "case", None)
    parent_id = getattr(case, "bundle_case_id", None)
    if parent_id is None:
        return
    parent = BundleCase.objects.filter(pk=parent_id).first()
    if parent is not None:
        refresh_bundle(actor=SYSTEM, bundle_case=parent)
