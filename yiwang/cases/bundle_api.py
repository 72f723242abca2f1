"""JSON API of 一件事 (/api/v1/bundles/…): the published bundles, resolving situation answers
into a plan, one submission (multipart, Idempotency-Key) and the parent with its sub-cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Form, Router, Schema

from yiwang.api.schemas import ErrorOut
from yiwang.cases import bundles as bundle_queries
from yiwang.cases.actions.bundles import plan_for, submit_bundle
from yiwang.cases.api import json_object, legal_person_named
from yiwang.cases.models import BundleCase
from yiwang.cases.uploads import CheckedFile, check_upload
from yiwang.catalog.api import SavingsOut
from yiwang.catalog.bundles import (
    Plan,
    get_published_bundle,
    load_bundle,
    published_bundles,
    resolve,
    savings,
)
from yiwang.catalog.models import Bundle
from yiwang.core import idempotency
from yiwang.core.errors import DomainError

router = Router(tags=["bundles"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class BundleOut(Schema):
    code: str
    name: str
    life_cycle: str
    theme: str
    theme_label: str
    lead_department: str
    version: int


class OptionOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    code: str
    text: str
    help_text: str
    multiple: bool
    options: list[OptionOut]


class MemberOut(Schema):
    task_code: str
    task_name: str
    department: str
    stage: int
    always: bool
    days: int


class BundleDetailOut(BundleOut):
    description: str
    questions: list[QuestionOut]
    members: list[MemberOut]


class ResolveIn(Schema):
    answers: dict[str, list[str] | str] = {}


class FieldOut(Schema):
    key: str
    label: str
    field_type: str
    required: bool
    prefill: str
    choices: list[str]
    task_codes: list[str]


class MaterialOut(Schema):
    identity: str
    upload_field: str
    name: str
    required: bool
    reusable: bool
    asked: bool
    produced_by: str
    task_codes: list[str]


class PlanOut(Schema):
    bundle: str
    answers: dict[str, list[str]]
    unanswered: list[str]
    members: list[MemberOut]
    fields: list[FieldOut]
    dedup_map: dict[str, list[str]]
    materials: list[MaterialOut]
    estimated_promise_date: dt.date
    savings: SavingsOut


class SubCaseOut(Schema):
    id: int
    project_no: str | None
    task_code: str
    task_name: str
    stage: int
    status: str
    status_label: str
    promise_date: dt.date | None


class TimelineOut(Schema):
    at: dt.datetime
    task_name: str
    project_no: str
    process_name: str
    handle_user_name: str


class BundleCaseOut(Schema):
    id: int
    bundle_no: str
    bundle: str
    bundle_name: str
    bundle_version: int
    status: str
    status_label: str
    current_stage: int
    estimated_promise_date: dt.date | None
    promise_date: dt.date | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    is_applicant: bool
    answers: dict[str, list[str]] | None
    form_data: dict[str, Any] | None
    sub_cases: list[SubCaseOut]
    timeline: list[TimelineOut] | None


def _bundle(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "life_cycle": bundle.life_cycle,
        "theme": bundle.theme,
        "theme_label": str(bundle.get_theme_display()),
        "lead_department": bundle.lead_department.name,
        "version": bundle.version,
    }


def _member(member: Any) -> dict[str, Any]:
    return {
        "task_code": member.task_code,
        "task_name": member.version.task_name,
        "department": member.version.task.department.name,
        "stage": member.stage,
        "always": member.always,
        "days": member.days,
    }


def plan_body(plan: Plan) -> dict[str, Any]:
    _ends, promise = plan.estimate(timezone.localdate())
    return {
        "bundle": plan.bundle.code,
        "answers": plan.answers,
        "unanswered": plan.unanswered,
        "members": [_member(m) for m in plan.members],
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "field_type": f.field_type,
                "required": f.required,
                "prefill": f.prefill,
                "choices": f.choices,
                "task_codes": f.task_codes,
            }
            for f in plan.fields
        ],
        "dedup_map": plan.dedup_map,
        "materials": [
            {
                "identity": row.identity,
                "upload_field": row.slug,
                "name": row.name,
                "required": row.required,
                "reusable": row.reusable,
                "asked": row.asked,
                "produced_by": row.produced_by,
                "task_codes": row.task_codes,
            }
            for row in plan.materials
        ],
        "estimated_promise_date": promise,
        "savings": savings(plan).as_dict(),
    }


@router.get("/", response=list[BundleOut], auth=None, operation_id="list_bundles")
def list_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    """Published 一件事, by life cycle and theme."""
    return [_bundle(b) for b in published_bundles()]


def _parent_body(
    user: Any, parent: BundleCase, applicant: bool, *, listing: bool = False
) -> dict[str, Any]:
    if listing:  # prefetched by the list; no timeline there
        subs = sorted(parent.sub_cases.all(), key=lambda c: (c.bundle_stage or 1, c.pk))
    else:
        subs = bundle_queries.sub_cases(parent)
    return {
        "id": parent.pk,
        "bundle_no": parent.bundle_no,
        "bundle": parent.bundle.code,
        "bundle_name": parent.bundle_name,
        "bundle_version": parent.bundle_version,
        "status": parent.status,
        "status_label": str(parent.get_status_display()),
        "current_stage": parent.current_stage,
        "estimated_promise_date": parent.estimated_promise_date,
        "promise_date": parent.promise_date,
        "created_at": parent.created_at,
        "finished_at": parent.finished_at,
        "is_applicant": applicant,
        "answers": parent.answers if applicant else None,
        "form_data": parent.form_data if applicant else None,
        "sub_cases": [
            {
                "id": c.pk,
                "project_no": c.project_no,
                "task_code": c.task_code,
                "task_name": c.task_name,
                "stage": c.bundle_stage or 1,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "promise_date": c.promise_date,
            }
            for c in subs
        ],
        "timeline": [e.__dict__ for e in bundle_queries.timeline(parent)]
        if applicant and not listing
        else None,
    }


@router.get(
    "/applications/", response={200: list[BundleCaseOut], **ERRORS}, operation_id="my_bundle_cases"
)
def my_bundle_cases(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's 一件事 applications (the applicant's side only), newest first; the
    timeline is in each application's own answer."""
    parents = (
        bundle_queries.bundle_cases_for_user(request.user)
        .prefetch_related("sub_cases")
        .order_by("-id")[:100]
    )
    return [_parent_body(request.user, p, True, listing=True) for p in parents]


@router.get(
    "/applications/{parent_id}",
    response={200: BundleCaseOut, **ERRORS},
    operation_id="get_bundle_case",
)
def get_bundle_case(request: HttpRequest, parent_id: int) -> dict[str, Any]:
    """One parent with its sub-cases; the timeline, answers and form only for the applicant."""
    parent, applicant = bundle_queries.get_bundle_case_for_user(request.user, parent_id)
    return _parent_body(request.user, parent, applicant)


@router.get(
    "/{code}", response={200: BundleDetailOut, 404: ErrorOut}, auth=None, operation_id="get_bundle"
)
def get_bundle(request: HttpRequest, code: str) -> dict[str, Any]:
    """A published bundle: its situation questions and every possible member."""
    bundle = get_published_bundle(code)
    data = load_bundle(bundle)
    return {
        **_bundle(bundle),
        "description": bundle.description,
        "questions": [
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "multiple": q.multiple,
                "options": [{"code": o.code, "label": o.label} for o in q.options],
            }
            for q in data.questions
        ],
        "members": [_member(m) for m in data.members],
    }


@router.post(
    "/{code}/resolve",
    response={200: PlanOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    operation_id="resolve_bundle",
)
def resolve_bundle(request: HttpRequest, code: str, payload: ResolveIn) -> dict[str, Any]:
    """Answers → the items to apply for, one merged form, one material list, the date."""
    bundle = get_published_bundle(code)
    return plan_body(resolve(load_bundle(bundle), payload.answers))


@router.post(
    "/{code}/applications",
    response={201: BundleCaseOut, **ERRORS, 422: ErrorOut},
    operation_id="submit_bundle",
)
def submit_bundle_case(
    request: HttpRequest,
    code: str,
    answers: Form[str] = "{}",
    form_data: Form[str] = "{}",
    legal_person_id: Form[int | None] = None,
    contact_mobile: Form[str] = "",
    address: Form[str] = "",
) -> HttpResponse:
    """一件事申报 (multipart): files named by each material's `upload_field` from /resolve.

    Accepts an Idempotency-Key header: a retry answers the first parent and creates nothing.
    """
    bundle = get_published_bundle(code)
    answer_data = json_object(answers, "answers")
    values = json_object(form_data, "form_data")
    plan = plan_for(bundle, answer_data, complete=False)
    by_field = {row.slug: row.identity for row in plan.materials}
    files: dict[str, CheckedFile] = {}
    for name in request.FILES:
        upload = request.FILES[name]
        if not isinstance(upload, UploadedFile) or name not in by_field:
            raise DomainError(
                "upload_field_invalid",
                _("文件字段名须为材料的 upload_field。"),
                field=name[:40],
            )
        files[by_field[name]] = check_upload(upload.name or "file", upload)

    def operation() -> tuple[int, dict[str, Any]]:
        company = legal_person_named(legal_person_id)
        parent = submit_bundle(
            actor=request.user,
            bundle_code=code,
            answers=answer_data,
            form_data=values,
            uploads=files,
            legal_person=company,
            contact_mobile=contact_mobile,
            address=address,
        )
        body = BundleCaseOut.model_validate(_parent_body(request.user, parent, True))
        return 201, body.model_dump(mode="json")

    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.bundle_submit",
        key=request.headers.get(idempotency.HEADER),
        payload={
            "bundle": code,
            "answers": answer_data,
            "form_data": values,
            "legal_person_id": legal_person_id,
            "files": {k: v.sha256 for k, v in sorted(files.items())},
        },
        operation=operation,
    )
    return outcome.json_response()
