"""JSON API of cases (/api/v1/cases/…): submission, scoped reads, transitions, materials."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Form, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.cases import actions, clock, crossarea, dispatch, queries
from yiwang.cases.choices import ApplyType
from yiwang.cases.models import Case, CaseHandoff, CaseMaterial, CaseProcess, CaseReviewTask
from yiwang.cases.notices import available_notices, render_notice
from yiwang.cases.uploads import CheckedFile, check_upload
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.national_numbers import normalise
from yiwang.core.workdays import local_date
from yiwang.identity.models import LegalPerson
from yiwang.regions.queries import staff_of

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class CaseFields(Schema):
    id: int
    uuid: str
    project_no: str | None
    status: str
    status_label: str
    task_code: str
    task_name: str
    task_version: int
    version_id: int
    project_name: str
    project_type: str
    applyer_type: str
    applyer_name: str
    applyer_page_code: str
    implementing_department: str
    accepting_department: str
    apply_date: dt.datetime | None
    received_at: dt.datetime | None
    accept_date: dt.datetime | None
    accept_doc_no: str
    acceptance_mode: str
    promise_date: dt.date | None
    due_date: dt.date | None
    warning_level: str
    extension_days: int
    is_joint: bool
    closed_at: dt.datetime | None
    closing_reason: str
    row_version: int


class CaseOut(CaseFields):
    """A case in lists and after an action."""

    @staticmethod
    def resolve_uuid(obj: Case) -> str:
        return str(obj.uuid)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_task_version(obj: Case) -> int:
        return obj.task_version.version

    @staticmethod
    def resolve_version_id(obj: Case) -> int:
        return obj.task_version_id

    @staticmethod
    def resolve_implementing_department(obj: Case) -> str:
        return obj.implementing_department.name

    @staticmethod
    def resolve_accepting_department(obj: Case) -> str:
        return obj.accepting_department.name


class ProcessOut(Schema):
    process_name: str
    event_name: str
    event_label: str
    event_start_time: dt.datetime
    event_end_time: dt.datetime
    handle_user_name: str
    handle_department: str
    handle_explain: str
    from_status: str
    to_status: str


class MaterialOut(Schema):
    id: int
    material_id: int
    material_name: str
    get_type: str
    material_attach_name: str
    content_type: str
    size: int
    sha256: str
    reuse_source: str
    reuse_label: str
    state: str
    reject_reason: str
    deferred_due_date: dt.date | None


class ReviewTaskOut(Schema):
    department: str
    kind: str
    step_name: str
    done_at: dt.datetime | None
    opinion: str
    explain: str


class ResultOut(Schema):
    result_type: str
    result_explain: str
    remedy_notice: str
    result_date: dt.datetime | None
    result_cetr_name: str
    result_cetr_no: str
    delivery_method: str


class ClockOut(Schema):
    stage: str
    limit: int
    used: int
    remaining: int
    due: dt.date | None
    paused: bool


class HandoffOut(Schema):
    """跨域通办: a 代收 hand-off (hall → implementing department) or a 多地联办 part."""

    mode: str
    stage: str
    stage_label: str
    from_department: str
    to_department: str
    received_at: dt.datetime
    checked_at: dt.datetime | None
    forwarded_at: dt.datetime | None
    arrived_at: dt.datetime | None
    result_returned_at: dt.datetime | None
    delivered_at: dt.datetime | None
    channel: str
    tracking_no: str
    return_to_hall: bool


class CaseDetailOut(CaseFields):
    """A case with everything about it (built as a plain dict by detail_body)."""

    handling_mode: str
    handoffs: list[HandoffOut]
    form_data: dict[str, Any]
    correction_items: list[dict[str, Any]]
    processes: list[ProcessOut]
    materials: list[MaterialOut]
    review_tasks: list[ReviewTaskOut]
    result: ResultOut | None
    clock: ClockOut | None
    notices: list[str]
    allowed_actions: list[str]


class TransitionIn(Schema):
    action: Literal[
        "submit",
        "receive",
        "return_case",
        "request_correction",
        "submit_correction",
        "accept",
        "not_accept",
        "review",
        "start_special",
        "end_special",
        "suspend",
        "resume",
        "extend",
        "decide",
        "issue_result",
        "start_delivery",
        "complete",
        "withdraw",
        "terminate",
        "verify_commitment",
        "proxy_check",
        "proxy_return",
        "proxy_forward",
        "return_result",
        "hall_handover",
        "assign_joint",
    ]
    row_version: int | None = None
    reason: str = ""
    explain: str = ""
    remedy_notice: str = ""
    granted: bool | None = None
    opinion: str = ""
    mode: str = "normal"
    deferred: dict[str, dt.date] = {}
    joint_department_ids: list[int] = []
    rejections: dict[str, str] = {}
    days: int | None = None
    special_type: str = ""
    duration_explain: str = ""
    result: str = ""
    method: str = "window"
    channel: str = ""
    tracking_no: str = ""
    department_id: int | None = None
    step_name: str = ""


class CheckIn(Schema):
    accepted: bool
    reason: str = ""
    row_version: int | None = None


def detail_body(user: Any, case: Case) -> dict[str, Any]:
    """The full case as the API shows it (used by the page tests too)."""
    data = queries.detail(case)
    state = clock.stage_clock(
        case, clock.pause_dates(data["pauses"]), local_date(dt.datetime.now(dt.UTC))
    )
    body = CaseOut.from_orm(case).model_dump()
    body.update(
        handling_mode=crossarea.mode_of(case, data["handoffs"]),
        handoffs=[_handoff(h) for h in data["handoffs"]],
        form_data=case.form_data,
        correction_items=case.correction_items,
        processes=[_process(p) for p in data["processes"]],
        materials=[_material(m) for m in data["materials"]],
        review_tasks=[_task(t) for t in data["review_tasks"]],
        result=None if data["result"] is None else ResultOut.from_orm(data["result"]).model_dump(),
        clock=None
        if state is None
        else {
            "stage": state.stage,
            "limit": state.limit,
            "used": state.used,
            "remaining": state.remaining,
            "due": state.due,
            "paused": state.paused,
        },
        notices=[str(kind) for kind in available_notices(case)],
        allowed_actions=dispatch.allowed_for(user, case),
    )
    return body


def _process(row: CaseProcess) -> dict[str, Any]:
    fields = ProcessOut.model_fields
    computed = {"event_label", "handle_department"}
    body = {name: getattr(row, name) for name in fields if name not in computed}
    department = row.handle_department.name if row.handle_department else ""
    return {
        **body,
        "event_label": str(row.get_event_name_display()),
        "handle_department": department,
    }


def _handoff(row: CaseHandoff) -> dict[str, Any]:
    fields = HandoffOut.model_fields
    computed = {"stage_label", "from_department", "to_department"}
    body = {name: getattr(row, name) for name in fields if name not in computed}
    return {
        **body,
        "stage_label": str(row.get_stage_display()),
        "from_department": row.from_department.name,
        "to_department": row.to_department.name,
    }


def _task(row: CaseReviewTask) -> dict[str, Any]:
    return {
        "department": row.department.name,
        "kind": row.kind,
        "step_name": row.step_name,
        "done_at": row.done_at,
        "opinion": row.opinion,
        "explain": row.explain,
    }


def _material(row: CaseMaterial) -> dict[str, Any]:
    return {
        "id": row.pk,
        "material_id": row.material_id,
        "material_name": row.material_name,
        "get_type": row.get_type,
        "material_attach_name": row.material_attach_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "reuse_source": row.reuse_source,
        "reuse_label": row.reuse_label,
        "state": row.state,
        "reject_reason": row.reject_reason,
        "deferred_due_date": row.deferred_due_date,
    }


def _by_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def uploads_from(request: HttpRequest) -> dict[int, CheckedFile]:
    """Files named material_<catalogue material id>, each checked by content."""
    found: dict[int, CheckedFile] = {}
    for field in request.FILES:
        upload = request.FILES[field]
        if not isinstance(upload, UploadedFile):
            raise DomainError(
                "upload_field_invalid", _("每个材料只能上传一个文件。"), field=field[:40]
            )
        if not field.startswith("material_") or not field[9:].isdigit():
            raise DomainError(
                "upload_field_invalid",
                _("文件字段名须为 material_<材料编号>。"),
                field=field[:40],
            )
        found[int(field[9:])] = check_upload(upload.name or "file", upload)
    return found


def json_object(text: str, field: str) -> dict[str, Any]:
    """A JSON object posted as a form field (the multipart endpoints' `form_data`)."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise DomainError("form_invalid", _("申请表内容格式不正确。"), field=field)
    return value


def legal_person_named(pk: int | None) -> LegalPerson | None:
    """The unit an application names by id (404 when there is none); the action then checks
    that the user may apply for it."""
    if pk is None:
        return None
    unit = LegalPerson.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    return unit


@router.post(
    "/",
    response={201: CaseOut, **ERRORS, 422: ErrorOut},
    operation_id="submit_case",
)
def submit_case(
    request: HttpRequest,
    version_id: Form[int],
    project_name: Form[str] = "",
    form_data: Form[str] = "{}",
    legal_person_id: Form[int | None] = None,
    contact_mobile: Form[str] = "",
    address: Form[str] = "",
    draft: Form[bool] = False,
) -> HttpResponse:
    """申报 (multipart): files as `material_<id>` fields. Accepts an Idempotency-Key header.

    A retry with the same key answers the first case and creates nothing.
    """
    data = json_object(form_data, "form_data")
    files = uploads_from(request)

    def operation() -> tuple[int, dict[str, Any]]:
        company = legal_person_named(legal_person_id)
        case = actions.submit_case(
            actor=request.user,
            version_id=version_id,
            project_name=project_name,
            form_data=data,
            uploads=files,
            legal_person=company,
            contact_mobile=contact_mobile,
            address=address,
            apply_type=ApplyType.API if _by_token(request) else ApplyType.ONLINE,
            draft=draft,
        )
        return 201, CaseOut.from_orm(case).model_dump(mode="json")

    payload = {
        "version_id": version_id,
        "project_name": project_name,
        "form_data": data,
        "legal_person_id": legal_person_id,
        "draft": draft,
        "files": {str(k): v.sha256 for k, v in sorted(files.items())},
    }
    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.submit",
        key=request.headers.get(idempotency.HEADER),
        payload=payload,
        operation=operation,
    )
    return outcome.json_response()


@router.post(
    "/proxy-receipts",
    response={201: CaseOut, **ERRORS, 422: ErrorOut},
    operation_id="receive_case_on_behalf",
)
def receive_case_on_behalf(
    request: HttpRequest,
    version_id: Form[int],
    applicant_document_number: Form[str],
    applicant_document_type: Form[str] = "111",
    project_name: Form[str] = "",
    contact_mobile: Form[str] = "",
    address: Form[str] = "",
    return_to_hall: Form[bool] = False,
    applicant_uscc: Form[str] = "",
) -> HttpResponse:
    """异地代收代办 (multipart): a window clerk registers an application brought to this hall
    for an item another department implements; files as `material_<id>` fields.

    For a unit (法人), `applicant_uscc` names it and the document is its 经办人's, who must
    hold the unit's 申报 authorisation; an unregistered unit gets 404
    `legal_person_not_registered`, an unauthorised 经办人 409 `operator_not_authorised`.

    Accepts an Idempotency-Key header: a retry answers the first case and creates nothing.
    """
    files = uploads_from(request)

    def operation() -> tuple[int, dict[str, Any]]:
        case = actions.register_at_hall(
            actor=request.user,
            version_id=version_id,
            document_type=applicant_document_type,
            document_number=applicant_document_number,
            applicant_uscc=applicant_uscc,
            uploads=files,
            project_name=project_name,
            contact_mobile=contact_mobile,
            address=address,
            return_to_hall=return_to_hall,
        )
        return 201, CaseOut.from_orm(case).model_dump(mode="json")

    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.proxy_receive",
        key=request.headers.get(idempotency.HEADER),
        payload={
            "version_id": version_id,
            "applicant": [applicant_document_type, applicant_document_number],
            "unit": normalise(applicant_uscc),
            "project_name": project_name,
            "return_to_hall": return_to_hall,
            "files": {str(k): v.sha256 for k, v in sorted(files.items())},
        },
        operation=operation,
    )
    return outcome.json_response()


@router.get("/", response=list[CaseOut], operation_id="list_cases")
@paginate(LimitOffsetPagination)
def list_cases(
    request: HttpRequest,
    queue: str = "all",
    status: str = "",
    warning: str = "",
    q: str = "",
) -> QuerySet[Case]:
    """Cases the caller may see: staff by queue and jurisdiction, applicants their own."""
    filters = {"status": status, "warning": warning, "q": q}
    if staff_of(request.user) is not None:
        return queries.queue_for_user(request.user, queue, filters)
    return queries.apply_filters(queries.cases_for_user(request.user), filters).order_by("-id")


@router.get("/{case_id}", response={200: CaseDetailOut, **ERRORS}, operation_id="get_case")
def get_case(request: HttpRequest, case_id: int) -> Any:
    """One case with its timeline, materials, review tasks, result, clock and notices."""
    return detail_body(request.user, queries.get_case_for_user(request.user, case_id))


@router.post(
    "/{case_id}/transitions",
    response={200: CaseOut, **ERRORS, 422: ErrorOut},
    operation_id="transition_case",
)
def transition_case(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    """Run one transition; `row_version` (from GET) refuses a stale view with case_changed."""
    case = queries.get_case_for_user(request.user, case_id)
    if payload.row_version is not None:
        case.row_version = payload.row_version
    return dispatch.perform(request.user, case, payload.action, payload.dict())


@router.post(
    "/{case_id}/materials/{material_id}",
    response={201: MaterialOut, **ERRORS},
    operation_id="upload_case_material",
)
def upload_case_material(request: HttpRequest, case_id: int, material_id: int) -> Any:
    """The applicant uploads `file` for catalogue material `material_id` (补正, 容缺后补)."""
    case = queries.get_case_for_user(request.user, case_id)
    upload = request.FILES.get("file")
    if not isinstance(upload, UploadedFile):
        raise DomainError("file_required", _("请选择要上传的文件。"), field="file")
    checked = check_upload(upload.name or "file", upload)
    row = actions.upload_material(
        actor=request.user, case=case, material_id=material_id, checked=checked
    )
    return Status(201, _material(row))


@router.post(
    "/{case_id}/case-materials/{row_id}/check",
    response={200: MaterialOut, **ERRORS},
    operation_id="check_case_material",
)
def check_case_material(request: HttpRequest, case_id: int, row_id: int, payload: CheckIn) -> Any:
    """The window clerk accepts or rejects one submitted material (with the reason)."""
    case = queries.get_case_for_user(request.user, case_id)
    if payload.row_version is not None:
        case.row_version = payload.row_version
    row = actions.check_material(
        actor=request.user,
        case=case,
        material_id=row_id,
        accepted=payload.accepted,
        reason=payload.reason,
    )
    return _material(row)


@router.get(
    "/{case_id}/case-materials/{row_id}/file",
    response={200: None, **ERRORS},
    operation_id="download_case_material",
)
def download_case_material(request: HttpRequest, case_id: int, row_id: int) -> Any:
    """The stored file of a material, to those who may see the case."""
    return material_file_response(queries.case_material_for_user(request.user, case_id, row_id))


def material_file_response(row: CaseMaterial) -> FileResponse:
    if not row.file:
        raise NotFound()
    handle = default_storage.open(row.file.name, "rb")
    response = FileResponse(
        handle,
        content_type=row.content_type or "application/octet-stream",
        as_attachment=True,
        filename=row.material_attach_name or "file",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/{case_id}/notices/{kind}",
    response={200: None, **ERRORS},
    operation_id="case_notice_pdf",
)
def case_notice(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """A notice as PDF: acceptance, correction, not_accepted, completion."""
    case = queries.get_case_for_user(request.user, case_id)
    return notice_response(case, kind)


def notice_response(case: Case, kind: str) -> HttpResponse:
    response = HttpResponse(render_notice(case, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{case.project_no}.pdf"'
    return response
