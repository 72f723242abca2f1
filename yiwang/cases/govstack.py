"""The GovStack Registration building block face, mounted at /govstack/registration/.

A compatibility layer over the catalogue and cases, for systems built against GovStack
(specs: shared/specs/govstack/, Registration BB API 0.1.1 and its statistics API 1.0.0):
- services → published catalogue versions (the serviceId encodes the version id);
- e-forms → one form per version, its JSON schema derived from the version's materials;
- applications → cases (fileId = the case's uuid); documents → case materials, uploaded
  first (POST /documents) and referenced by URL when the application is submitted;
- tasks → the staff work queues (taskId = case uuid + ":" + the status it waits in, so a
  task that someone else already completed is refused rather than repeated);
- statistics → counts of processed, approved, sent-back and rejected cases.
Not implemented: PUT /applications/{fileId} (in Yiwang an operator never rewrites an
applicant's form: a correction goes back to the applicant through the 补正 flow).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, NinjaAPI, Query, Schema
from ninja.files import UploadedFile

from yiwang.api import errors as api_errors
from yiwang.api.auth import API_AUTH
from yiwang.cases import actions, dispatch, queries
from yiwang.cases.choices import CaseStatus, Decision
from yiwang.cases.models import Case, CaseProcess, CaseReviewTask, StagedDocument
from yiwang.cases.uploads import CheckedFile, check_upload, store
from yiwang.catalog.choices import REUSABLE_SOURCES
from yiwang.catalog.models import TaskVersion
from yiwang.catalog.queries import published_versions
from yiwang.core import audit, idempotency
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.identity.models import User
from yiwang.regions.queries import staff_of

api = NinjaAPI(
    title="Yiwang · GovStack Registration BB",
    version="0.1.1",
    description="GovStack Registration building block face over Yiwang's catalogue and cases.",
    auth=API_AUTH,
    urls_namespace="govstack",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api_errors.install(api)

# serviceId = UUID whose high 64 bits say "Yiwang service" and whose low 64 bits are the
# TaskVersion id: stable, reversible, and no column added to the catalogue.
SERVICE_NAMESPACE = 0x5969_7761_6E67_5356  # "YiwangSV"
MAX_SERVICES = 500
MAX_PAGE = 200
_MEDIATOR = re.compile(r"^[^/\s]{1,64}/[^/\s]{1,64}/[^/\s]{1,64}/[^/\s]{1,64}$")


def service_id(version_id: int) -> str:
    return str(uuid.UUID(int=(SERVICE_NAMESPACE << 64) | version_id))


def version_id_of(value: str) -> int:
    try:
        number = uuid.UUID(str(value)).int
    except ValueError:
        raise NotFound() from None
    if number >> 64 != SERVICE_NAMESPACE:
        raise NotFound()
    return number & ((1 << 64) - 1)


def _published(value: str) -> TaskVersion:
    version = published_versions().filter(pk=version_id_of(value)).first()
    if version is None:
        raise NotFound()
    return version


def _require_mediator(request: HttpRequest) -> None:
    """The spec requires Information-Mediator-Client (INSTANCE/CLASS/MEMBER/SUBSYSTEM)."""
    value = request.headers.get("Information-Mediator-Client", "")
    if not _MEDIATOR.match(value):
        raise DomainError(
            "information_mediator_client_required",
            _("请求头 Information-Mediator-Client 须为 INSTANCE/CLASS/MEMBER/SUBSYSTEM 格式。"),
        )


# --- services and e-forms ------------------------------------------------------------------


def _service(version: TaskVersion) -> dict[str, Any]:
    properties = [
        ("task_code", version.task.task_code),
        ("task_type", version.task_type),
        ("department", version.task.department.name),
        ("region", version.task.region.code),
        ("project_type", version.project_type),
        ("anticipate_day", "" if version.anticipate_day is None else str(version.anticipate_day)),
        ("promise_day", "" if version.promise_day is None else str(version.promise_day)),
        ("handle_area", version.handle_area),
        ("result_name", version.result_name),
    ]
    return {
        "id": service_id(version.pk),
        "name": version.task_name,
        "version": str(version.version),
        "type": "Public",
        "isExecutable": True,
        "isClosed": False,
        "description": version.accept_condition,
        "serviceBody": [{"code": code, "value": value} for code, value in properties],
    }


@api.get("/services", auth=None, tags=["Available Services"], operation_id="getServiceList")
def get_service_list(request: HttpRequest, name: str = "") -> list[dict[str, Any]]:
    """Published items one can apply for (at most 500; narrow with `name`)."""
    versions = published_versions().select_related("task__catalog_item").order_by("task__task_code")
    if name.strip():
        versions = versions.filter(task_name__contains=name.strip()[:60])
    return [_service(v) for v in versions[:MAX_SERVICES]]


@api.get("/services/{serviceId}", auth=None, tags=["Available Services"], operation_id="getService")
def get_service(request: HttpRequest, serviceId: str) -> dict[str, Any]:  # noqa: N803 - spec name
    """One published item."""
    return _service(_published(serviceId))


def _eform_item(version: TaskVersion) -> dict[str, Any]:
    return {
        "eFormId": service_id(version.pk),
        "name": version.task_name,
        "description": str(_("申请表（按事项材料生成）")),
        "version": str(version.version),
        "latest": True,
    }


def eform_schema(version: TaskVersion) -> dict[str, Any]:
    """JSON schema of the application form, derived from the item's materials."""
    properties: dict[str, Any] = {
        "project_name": {"type": "string", "title": str(_("办理摘要")), "maxLength": 200},
        "contact_mobile": {
            "type": "string",
            "title": str(_("联系人手机")),
            "pattern": "^1\\d{10}$",
        },
        "address": {"type": "string", "title": str(_("通讯地址")), "maxLength": 200},
    }
    required: list[str] = []
    for material in version.materials.all():
        key = f"material_{material.pk}"
        properties[key] = {
            "type": "string",
            "format": "uri",
            "title": material.material_name,
            "description": material.accept_stand or material.fill_explain,
            "x-yiwang-reusable": material.source_type in REUSABLE_SOURCES,
        }
        if material.is_need and material.source_type not in REUSABLE_SOURCES:
            required.append(key)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": version.task_name,
        "type": "object",
        "properties": properties,
        "required": required,
    }


@api.get(
    "/services/{serviceId}/eForms",
    auth=None,
    tags=["Available Services"],
    operation_id="getServiceSchemaByServiceKey",
)
def get_service_eforms(request: HttpRequest, serviceId: str) -> list[dict[str, Any]]:  # noqa: N803
    """The item's application form."""
    return [_eform_item(_published(serviceId))]


@api.get("/eForms/{eFormId}", auth=None, tags=["Available Services"], operation_id="getEForm")
def get_eform(request: HttpRequest, eFormId: str) -> dict[str, Any]:  # noqa: N803
    """One form with its JSON schema."""
    version = _published(eFormId)
    return {**_eform_item(version), "schema": eform_schema(version)}


# --- documents and applications ------------------------------------------------------------


@api.post("/documents", tags=["Applicant", "Operator"], operation_id="uploadFile")
def upload_file(
    request: HttpRequest,
    file: File[UploadedFile],
    additionalMetadata: str = "",  # noqa: N803
) -> HttpResponse:
    """Upload a document; `additionalMetadata` may name the material (its id)."""
    if not getattr(request.user, "is_authenticated", False):
        raise PermissionDenied()
    checked = check_upload(file.name or "file", file)
    material_id = int(additionalMetadata) if additionalMetadata.strip().isdigit() else None
    with transaction.atomic():
        staged = StagedDocument.objects.create(
            owner=cast(User, request.user),
            material_id=material_id,
            file=store("staged", checked),
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        audit.record(
            "cases.document_staged",
            actor=request.user,
            subject=staged,
            after={"sha256": checked.sha256, "size": checked.size},
        )
    url = request.build_absolute_uri(f"/govstack/registration/documents/{staged.uuid}")
    body = {"code": 200, "type": "success", "message": str(_("上传成功")), "url": url}
    return JsonResponse(body, status=200)


@api.get("/documents/{documentId}", tags=["Applicant"], operation_id="getUploadedDocument")
def get_document(request: HttpRequest, documentId: str) -> HttpResponse:  # noqa: N803
    """A document the caller uploaded (the URL POST /documents answered); not in the spec."""
    try:
        key = uuid.UUID(documentId)
    except ValueError:
        raise NotFound() from None
    user: Any = request.user
    staged = StagedDocument.objects.filter(uuid=key, owner_id=user.pk).first()
    if staged is None:
        raise NotFound()
    response = FileResponse(
        default_storage.open(staged.file.name, "rb"),
        content_type=staged.content_type,
        as_attachment=True,
        filename=staged.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)  # streamed; served like any response


class FormDataIn(Schema):
    data: dict[str, Any] = {}
    eFormId: str = ""  # noqa: N815 - spec name


class ApplicationIn(Schema):
    applicantId: str  # noqa: N815
    applicationName: str = ""  # noqa: N815
    created: str | None = None
    formData: FormDataIn = FormDataIn()  # noqa: N815
    documentUrls: list[str] = []  # noqa: N815


_DOC_URL = re.compile(r"/documents/([0-9a-fA-F-]{36})/?$")


def _staged_for(user: Any, urls: Iterable[str]) -> list[StagedDocument]:
    documents = []
    for url in urls:
        match = _DOC_URL.search(str(url))
        if match is None:
            raise DomainError(
                "document_url_invalid", _("无法识别的文件地址。"), field="documentUrls"
            )
        staged = StagedDocument.objects.filter(
            uuid=match.group(1), owner=user, used_by__isnull=True
        ).first()
        if staged is None:
            raise DomainError("document_unknown", _("文件不存在或已被使用。"), field="documentUrls")
        documents.append(staged)
    return documents


def status_model(case: Case, granted: bool | None) -> dict[str, str]:
    """GovStack status: PENDING, APPROVED, SENDBACK, REJECTED."""
    status = case.status
    if status in {CaseStatus.RETURNED, CaseStatus.CORRECTION_REQUIRED}:
        code = "SENDBACK"
    elif status == CaseStatus.NOT_ACCEPTED or granted is False:
        code = "REJECTED"
    elif status == CaseStatus.COMPLETED and granted:
        code = "APPROVED"
    elif status in {CaseStatus.WITHDRAWN, CaseStatus.TERMINATED}:
        code = "REJECTED"
    else:
        code = "PENDING"
    return {"code": code, "title": str(case.get_status_display())}


def _granted(case: Case) -> bool | None:
    result = getattr(case, "result", None) if hasattr(case, "result") else None
    return None if result is None else result.result_type == Decision.GRANTED


def _document_urls(request: HttpRequest, case: Case) -> list[str]:
    return [
        request.build_absolute_uri(f"/api/v1/cases/{case.pk}/case-materials/{m.pk}/file")
        for m in case.materials.all()
        if m.file
    ]


def _application(request: HttpRequest, case: Case) -> dict[str, Any]:
    granted = _granted(case)
    return {
        "fileId": str(case.uuid),
        # The spec requires applicantId here although its properties only list it inside
        # applicationData; both are given.
        "applicantId": case.applicant_user.get_username(),
        "registered": case.apply_date.isoformat() if case.apply_date else None,
        "serviceId": service_id(case.task_version_id),
        "serviceName": case.task_name,
        "status": status_model(case, granted),
        "ended": case.status
        in {
            CaseStatus.COMPLETED,
            CaseStatus.RETURNED,
            CaseStatus.NOT_ACCEPTED,
            CaseStatus.WITHDRAWN,
            CaseStatus.TERMINATED,
        },
        "applicationData": {
            "applicantId": case.applicant_user.get_username(),
            "applicationName": case.project_name,
            "created": case.created_at.isoformat(),
            "formData": {
                "data": _wrapped(case.form_data),
                "eFormId": service_id(case.task_version_id),
            },
            "documentUrls": _document_urls(request, case),
        },
    }


@api.post(
    "/services/{serviceId}/applications",
    tags=["Applicant"],
    operation_id="submitApplication",
)
def submit_application(
    request: HttpRequest,
    serviceId: str,
    payload: ApplicationIn,  # noqa: N803
) -> HttpResponse:
    """Submit an application with documents uploaded before; accepts an Idempotency-Key."""
    _require_mediator(request)
    user: Any = request.user
    if payload.applicantId != user.get_username():
        raise PermissionDenied(_("applicantId 须为当前登录账户。"), code="applicant_mismatch")
    version = _published(serviceId)

    def operation() -> tuple[int, dict[str, Any]]:
        staged = _staged_for(user, payload.documentUrls)
        by_material: dict[int, StagedDocument] = {}
        for key, raw in payload.formData.data.items():
            value = _flatten(raw)
            if key.startswith("material_") and key[9:].isdigit():
                staged += [d for d in _staged_for(user, [str(value)]) if d not in staged]
                by_material[int(key[9:])] = next(d for d in staged if str(d.uuid) in str(value))
        for document in staged:
            if document.material_id is not None:
                by_material.setdefault(document.material_id, document)
        uploads = {mid: _checked(doc) for mid, doc in by_material.items()}
        data = {
            k: _flatten(v)
            for k, v in payload.formData.data.items()
            if not k.startswith("material_")
        }
        case = actions.submit_case(
            actor=user,
            version_id=version.pk,
            project_name=payload.applicationName or str(data.get("project_name", "")),
            form_data=data,
            uploads=uploads,
            contact_mobile=str(data.get("contact_mobile", ""))[:11],
            address=str(data.get("address", ""))[:200],
            apply_type="3",
        )
        StagedDocument.objects.filter(pk__in=[d.pk for d in staged]).update(used_by=case)
        return 200, _application(request, case)

    outcome = idempotency.run_once(
        actor=user,
        scope="govstack.submit_application",
        key=request.headers.get(idempotency.HEADER),
        payload={"service": serviceId, **payload.dict()},
        operation=operation,
    )
    return outcome.json_response()


def _checked(document: StagedDocument) -> CheckedFile:
    with default_storage.open(document.file.name, "rb") as handle:
        return check_upload(document.original_name, handle)


def _page(items: QuerySet[Case], first: int | None, count: int | None) -> QuerySet[Case]:
    start = max(first or 0, 0)
    size = min(max(count or 50, 1), MAX_PAGE)
    return items[start : start + size]


_SORTS = {"created": "created_at", "dueDate": "due_date", "id": "id", "name": "task_name"}


def _sorted(items: QuerySet[Case], sort_by: str, sort_order: str) -> QuerySet[Case]:
    field = _SORTS.get(sort_by, "id")
    return items.order_by(field if sort_order == "asc" else f"-{field}", "-id")


@api.get("/applications", tags=["Applicant", "Operator"], operation_id="getApplicantFileList")
def get_applications(
    request: HttpRequest,
    serviceId: str = "",  # noqa: N803
    applicantId: str = "",  # noqa: N803
    firstResult: int | None = None,  # noqa: N803
    maxResult: int | None = None,  # noqa: N803
    sortBy: str = "created",  # noqa: N803
    sortOrder: str = "desc",  # noqa: N803
) -> list[dict[str, Any]]:
    """Applications the caller may see: their own, or (staff) those of their jurisdiction."""
    _require_mediator(request)
    cases = queries.cases_for_user(request.user).select_related("applicant_user", "result")
    if serviceId:
        cases = cases.filter(task_version_id=version_id_of(serviceId))
    if applicantId:
        cases = cases.filter(applicant_user__username=applicantId)
    rows = []
    for case in _page(_sorted(cases, sortBy, sortOrder), firstResult, maxResult):
        application = _application(request, case)
        rows.append(
            {
                "fileId": application["fileId"],
                "mainTaskId": str(case.uuid),
                "taskTitle": case.project_name,
                "status": application["status"],
                "applicantId": application["applicationData"]["applicantId"],
                "created": application["applicationData"]["created"],
                "registered": application["registered"],
                "description": case.get_status_display(),
                "serviceName": case.task_name,
                "serviceId": application["serviceId"],
                "eformId": application["serviceId"],
                "documentUrls": application["applicationData"]["documentUrls"],
            }
        )
    return rows


@api.get(
    "/applications/{fileId}", tags=["Applicant", "Operator"], operation_id="getApplicationFileById"
)
def get_application(request: HttpRequest, fileId: str) -> dict[str, Any]:  # noqa: N803
    """One application file."""
    _require_mediator(request)
    return _application(request, queries.get_case_by_uuid_for_user(request.user, fileId))


# --- tasks: the staff queues ---------------------------------------------------------------

_TASK_STATES = [
    CaseStatus.SUBMITTED,
    CaseStatus.RECEIVED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.DECIDED,
    CaseStatus.CERT_ISSUING,
    CaseStatus.DELIVERING,
]


def _task_cases(user: Any) -> QuerySet[Case]:
    if staff_of(user) is None:
        return Case.objects.none()
    return queries.cases_for_user(user).filter(status__in=_TASK_STATES)


def _task(case: Case, user: Any) -> dict[str, Any]:
    names = dispatch.allowed_for(user, case)
    step = next((n for n in names if n not in {"terminate", "withdraw", "return_case"}), "")
    return {
        "taskId": f"{case.uuid}:{case.status}",
        "mainTaskId": str(case.uuid),
        "name": str(case.get_status_display()),
        "taskName": step,
        "assigneeId": "",
        "roleId": _ROLE_FOR.get(case.status, ""),
        "created": (case.apply_date or case.created_at).isoformat(),
        "description": case.project_name,
        "serviceId": service_id(case.task_version_id),
        "serviceName": case.task_name,
        "fileId": str(case.uuid),
        "eFormId": service_id(case.task_version_id),
        "status": status_model(case, None),
    }


_ROLE_FOR: dict[str, str] = {
    CaseStatus.SUBMITTED: "window_clerk",
    CaseStatus.RECEIVED: "window_clerk",
    CaseStatus.ACCEPTED: "reviewer",
    CaseStatus.IN_REVIEW: "reviewer",
    CaseStatus.DECIDED: "window_clerk",
    CaseStatus.CERT_ISSUING: "window_clerk",
    CaseStatus.DELIVERING: "window_clerk",
}


@api.get("/tasks", tags=["Operator", "Applicant"], operation_id="getTasks")
def get_tasks(
    request: HttpRequest,
    mainTaskId: str = "",  # noqa: N803
    fileId: str = "",  # noqa: N803
    assigneeId: str = "",  # noqa: N803
    firstResult: int | None = None,  # noqa: N803
    maxResult: int | None = None,  # noqa: N803
    sortBy: str = "dueDate",  # noqa: N803
    sortOrder: str = "asc",  # noqa: N803
) -> list[dict[str, Any]]:
    """The caller's work: cases in their jurisdiction waiting for a staff step."""
    cases = _task_cases(request.user)
    for value in (mainTaskId, fileId):
        if value:
            try:
                cases = cases.filter(uuid=uuid.UUID(value.split(":")[0]))
            except ValueError:
                return []
    return [
        _task(c, request.user)
        for c in _page(_sorted(cases, sortBy, sortOrder), firstResult, maxResult)
    ]


def _task_case(request: HttpRequest, task_id: str) -> Case:
    case_uuid, _sep, status = task_id.partition(":")
    case = queries.get_case_by_uuid_for_user(request.user, case_uuid)
    if staff_of(request.user) is None or case.status not in _TASK_STATES:
        raise NotFound()
    if status != case.status:
        raise NotFound(_("该任务已完成或已过期。"), code="task_gone")
    return case


@api.get("/tasks/{taskId}", tags=["Operator", "Applicant"], operation_id="getTaskById")
def get_task(request: HttpRequest, taskId: str) -> dict[str, Any]:  # noqa: N803
    """One task with the case's form as its variables."""
    case = _task_case(request, taskId)
    task = _task(case, request.user)
    return {
        "taskId": task["taskId"],
        "taskName": task["taskName"],
        "assigneeId": "",
        "roleId": task["roleId"],
        "created": task["created"],
        "description": task["description"],
        "fileId": task["fileId"],
        "serviceId": task["serviceId"],
        "serviceName": task["serviceName"],
        "eFormId": task["eFormId"],
        "formVariables": {"formData": _wrapped(case.form_data)},
        "status": task["status"],
        "data": {"allowedActions": {"names": dispatch.allowed_for(request.user, case)}},
    }


class CompleteIn(Schema):
    data: dict[str, Any] = {}


_DEFAULT_STEP: dict[str, str] = {
    CaseStatus.SUBMITTED: "receive",
    CaseStatus.RECEIVED: "accept",
    CaseStatus.ACCEPTED: "review",
    CaseStatus.CERT_ISSUING: "start_delivery",
    CaseStatus.DELIVERING: "complete",
}


@api.post(
    "/tasks/{taskId}/complete", tags=["Operator", "Applicant"], operation_id="completeTaskById"
)
def complete_task(request: HttpRequest, taskId: str, payload: CompleteIn) -> dict[str, Any]:  # noqa: N803
    """Do the case's next step; `data.action` picks another allowed one (e.g. not_accept)."""
    case = _task_case(request, taskId)
    data = {k: _flatten(v) for k, v in payload.data.items()}
    allowed = dispatch.allowed_for(request.user, case)
    name = str(data.get("action") or "") or _next_step(case, allowed)
    if name not in allowed:
        raise DomainError(
            "transition_not_allowed",
            _("办件当前状态为「%(status)s」，不能%(action)s。"),
            params={"status": case.get_status_display(), "action": name or "—"},
            status=409,
        )
    if name == "review":
        data.setdefault("opinion", "agree")
    updated = dispatch.perform(request.user, case, name, data)
    return {
        "taskId": taskId,
        "fileId": str(updated.uuid),
        "serviceId": service_id(updated.task_version_id),
        "status": status_model(updated, _granted(updated)),
        "variables": {"action": {"data": {"name": {"value": name}}}},
    }


def _wrapped(data: dict[str, Any]) -> dict[str, Any]:
    """The spec types every form value as an object: plain values travel as {"value": …}."""
    return {k: v if isinstance(v, dict) else {"value": v} for k, v in data.items()}


def _flatten(value: Any) -> Any:
    # The spec types each variable as an object; plain values are accepted too.
    if isinstance(value, dict) and set(value) == {"value"}:
        return value["value"]
    return value


def _next_step(case: Case, allowed: list[str]) -> str:
    if case.status == CaseStatus.IN_REVIEW:
        return "review" if "review" in allowed else "decide"
    if case.status == CaseStatus.DECIDED:
        return (
            "issue_result"
            if "issue_result" in allowed
            else ("complete" if "complete" in allowed else "start_delivery")
        )
    return _DEFAULT_STEP.get(case.status, "")


# --- statistics ----------------------------------------------------------------------------


class StatisticsQuery(Schema):
    startDate: dt.date | None = None  # noqa: N815
    endDate: dt.date | None = None  # noqa: N815
    registrationName: str = ""  # noqa: N815
    operator: str = ""
    role: str = ""
    timeframe: str = ""


def _bucket(day: dt.date, timeframe: str) -> dt.date:
    if timeframe == "week":
        return day - dt.timedelta(days=day.weekday())
    if timeframe == "month":
        return day.replace(day=1)
    if timeframe == "year":
        return day.replace(month=1, day=1)
    return day


def _counts(cases: QuerySet[Case]) -> dict[str, int]:
    granted = Q(result__result_type=Decision.GRANTED)
    return {
        "processed": cases.filter(closed_at__isnull=False).count(),
        "approved": cases.filter(granted, status=CaseStatus.COMPLETED).count(),
        "sentBack": cases.filter(
            status__in=[CaseStatus.RETURNED, CaseStatus.CORRECTION_REQUIRED]
        ).count(),
        "rejected": cases.filter(
            Q(status=CaseStatus.NOT_ACCEPTED) | Q(result__result_type=Decision.REFUSED)
        ).count(),
    }


@api.get("/data/statistics", auth=None, tags=["Statistics API"], operation_id="Statistics")
def statistics(request: HttpRequest, filters: Query[StatisticsQuery]) -> HttpResponse:
    """City-wide counts (public data: no applicant is identifiable from them)."""
    _require_mediator(request)
    if filters.timeframe and filters.timeframe not in {"day", "week", "month", "year"}:
        raise DomainError("timeframe_invalid", _("timeframe 须为 day、week、month 或 year。"))
    if filters.startDate and filters.endDate and filters.startDate > filters.endDate:
        raise DomainError("date_range_invalid", _("开始日期不能晚于结束日期。"))
    cases = Case.objects.exclude(status=CaseStatus.DRAFT)
    if filters.startDate:
        cases = cases.filter(apply_date__date__gte=filters.startDate)
    if filters.endDate:
        cases = cases.filter(apply_date__date__lte=filters.endDate)
    if filters.registrationName:
        cases = cases.filter(task_name__contains=filters.registrationName[:60])
    if filters.operator:
        handled = CaseProcess.objects.filter(case=OuterRef("pk"), handle_user_name=filters.operator)
        cases = cases.filter(Exists(handled))
    if filters.role:
        tasks = CaseReviewTask.objects.filter(case=OuterRef("pk"), role=filters.role[:32])
        cases = cases.filter(Exists(tasks)) if filters.role == "reviewer" else cases
    references = {
        "startDate": filters.startDate.isoformat() if filters.startDate else None,
        "endDate": filters.endDate.isoformat() if filters.endDate else None,
        "registrationName": filters.registrationName,
        "operator": filters.operator,
        "role": filters.role,
        "timeframeDay": filters.timeframe == "day",
        "timeframeWeek": filters.timeframe == "week",
        "timeframeMonth": filters.timeframe == "month",
        "timeframeYear": filters.timeframe == "year",
    }
    references = {k: v for k, v in references.items() if v is not None}
    if not filters.timeframe:
        return JsonResponse([{**_counts(cases), "references": references}], safe=False)
    days = sorted({_bucket(d, filters.timeframe) for d in cases.dates("apply_date", "day")})
    rows = []
    for start in days[-366:]:
        end = _next_bucket(start, filters.timeframe)
        window = cases.filter(apply_date__date__gte=start, apply_date__date__lt=end)
        rows.append(
            {
                **_counts(window),
                "references": {
                    **references,
                    "startDate": start.isoformat(),
                    "endDate": (end - dt.timedelta(days=1)).isoformat(),
                },
            }
        )
    return JsonResponse(rows, safe=False)


def _next_bucket(start: dt.date, timeframe: str) -> dt.date:
    if timeframe == "week":
        return start + dt.timedelta(days=7)
    if timeframe == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if timeframe == "year":
        return start.replace(year=start.year + 1)
    return start + dt.timedelta(days=1)
