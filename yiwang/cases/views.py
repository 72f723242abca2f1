"""Case pages: the staff work queues and case page, the citizen's 我的办件, the apply page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.cases import actions, clock, crossarea, dispatch, links, queries, results
from yiwang.cases.api import material_file_response, notice_response
from yiwang.cases.choices import (
    AcceptanceMode,
    CaseStatus,
    DeliveryMethod,
    MaterialState,
    NoticeKind,
    ReviewOpinion,
    SpecialType,
    WarningLevel,
)
from yiwang.cases.forms import (
    ApplyForm,
    checked_uploads,
    material_field_name,
    post_once,
    submission_key,
)
from yiwang.cases.models import Case
from yiwang.cases.notices import available_notices
from yiwang.cases.permissions import is_applicant_side, may_perform
from yiwang.cases.prefill import applicant_of, prefill_values
from yiwang.cases.uploads import check_upload
from yiwang.catalog.queries import get_published_version
from yiwang.core import idempotency
from yiwang.core.errors import DomainError
from yiwang.core.web import login_required_page, staff_required
from yiwang.core.workdays import local_date
from yiwang.identity.models import LegalPerson
from yiwang.regions.permissions import roles_of
from yiwang.regions.queries import staff_of

PAGE_SIZE = 25
QUEUE_LABELS = {
    "receive": gettext_lazy("待收件/待受理"),
    "review": gettext_lazy("待审查"),
    "decide": gettext_lazy("待决定"),
    "deliver": gettext_lazy("待送达"),
    "overdue": gettext_lazy("已超期"),
    "paused": gettext_lazy("暂停计时"),
    "proxy": gettext_lazy("代收代办"),
    "all": gettext_lazy("全部"),
}
VERIFY_LABEL = gettext_lazy("承诺事项核查")
DEFAULT_QUEUE = {"window_clerk": "receive", "reviewer": "review", "approver": "decide"}
DEFAULT_REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内向本级人民政府申请行政复议，"
    "或者在六个月内向人民法院提起行政诉讼。"
)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@staff_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    """Work queues by role and jurisdiction, with filters and warnings."""
    roles = roles_of(request.user)
    default = next((DEFAULT_QUEUE[r] for r in DEFAULT_QUEUE if r in roles), "all")
    name = request.GET.get("queue") or default
    if name not in QUEUE_LABELS:
        name = "all"
    filters = {key: request.GET.get(key, "")[:60] for key in ("q", "status", "warning")}
    page = _page(request, queries.queue_for_user(request.user, name, filters))
    query = "&".join(f"{k}={v}" for k, v in {"queue": name, **filters}.items() if v)
    return render(
        request,
        "cases/workbench.html",
        {
            "page": page,
            "queue": name,
            "queues": QUEUE_LABELS.items(),
            "filters": filters,
            "statuses": CaseStatus.choices,
            "warnings": [c for c in WarningLevel.choices if c[0]],
            "query": query,
            "today": timezone.localdate(),
            "is_window_clerk": "window_clerk" in roles,
        },
    )


@login_required_page
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的办件: the applicant's own cases."""
    if staff_of(request.user) is not None:
        return redirect("cases:workbench")
    cases = queries.cases_for_user(request.user).order_by("-id")
    page = _page(request, cases)
    # Each row's next steps, a few queries for the whole page (never one per row).
    steps = links.links_for_cases(page.object_list, request.user)
    rows = [(case, steps.get(case.pk, [])) for case in page.object_list]
    return render(request, "cases/mine.html", {"page": page, "rows": rows})


def _action_fields(name: str, case: Case, user: Any) -> list[dict[str, Any]]:
    if name in dispatch.CROSS_AREA_NAMES:
        from yiwang.cases.crossarea_views import action_fields

        return action_fields(name, case, user)
    text = {"type": "textarea", "required": False}
    needed = {"type": "textarea", "required": True}
    if name in {"return_case", "not_accept", "suspend", "terminate"}:
        return [{"name": "reason", "label": _("理由"), **needed}]
    if name == "withdraw":
        return [{"name": "reason", "label": _("撤回原因（可不填）"), **text}]
    if name in {"receive", "resume", "complete", "request_correction"}:
        return [{"name": "explain", "label": _("办理意见（可不填）"), **text}]
    if name == "accept":
        pending = [
            m for m in case.materials.all() if m.state in {MaterialState.REJECTED}
        ] + actions.missing_required(case)
        fields: list[dict[str, Any]] = [
            {
                "name": "mode",
                "label": _("受理方式"),
                "type": "select",
                "required": True,
                "choices": [
                    (m, AcceptanceMode(m).label)
                    for m in (
                        AcceptanceMode.NORMAL,
                        AcceptanceMode.TOLERANCE,
                        AcceptanceMode.NOTIFY_COMMIT,
                    )
                ],
            },
        ]
        for item in pending:
            material_id = getattr(item, "material_id", None) or item.pk
            label = _("容缺后补「%(name)s」的期限") % {"name": item.material_name}
            fields.append(
                {
                    "name": f"deferred_{material_id}",
                    "label": label,
                    "type": "date",
                    "required": False,
                }
            )
        from yiwang.cases.crossarea_views import joint_groups

        # 联办: the departments the item's 通办 area allows, grouped by county.
        fields.append(
            {
                "name": "joint_department_ids",
                "label": _("联办部门（可多选）"),
                "type": "multiselect",
                "required": False,
                "choices": [],
                "groups": joint_groups(case),
            }
        )
        fields.append({"name": "explain", "label": _("办理意见（可不填）"), **text})
        return fields
    if name in {"review", "verify_commitment"}:
        return [
            {
                "name": "opinion",
                "label": _("审查意见"),
                "type": "select",
                "required": True,
                "choices": ReviewOpinion.choices,
            },
            {"name": "explain", "label": _("意见说明"), **text},
        ]
    if name == "start_special":
        return [
            {
                "name": "special_type",
                "label": _("特别程序种类"),
                "type": "select",
                "required": True,
                "choices": SpecialType.choices,
            },
            {"name": "reason", "label": _("理由或依据"), **needed},
            {"name": "duration_explain", "label": _("所需时间（书面告知申请人）"), **needed},
        ]
    if name == "end_special":
        return [{"name": "result", "label": _("特别程序结果"), **needed}]
    if name == "extend":
        return [
            {
                "name": "days",
                "label": _("延长工作日"),
                "type": "number",
                "required": True,
                "value": clock.max_extension(case),
                "max": clock.max_extension(case),
            },
            {"name": "reason", "label": _("延期理由（经负责人批准）"), **needed},
        ]
    if name == "decide":
        return [
            {
                "name": "granted",
                "label": _("决定"),
                "type": "select",
                "required": True,
                "choices": [("1", _("准予")), ("0", _("不予许可"))],
            },
            {"name": "reason", "label": _("理由（不予许可时必填）"), **text},
            {
                "name": "remedy_notice",
                "label": _("救济途径告知（不予许可时必填）"),
                "type": "textarea",
                "required": False,
                "value": DEFAULT_REMEDY,
            },
        ]
    if name == "start_delivery":
        return [
            {
                "name": "method",
                "label": _("送达方式"),
                "type": "select",
                "required": True,
                "choices": DeliveryMethod.choices,
            }
        ]
    return []


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    data = queries.detail(case)
    user = request.user
    names = dispatch.allowed_for(user, case)
    from yiwang.cases.workflow import TRANSITIONS

    state = clock.stage_clock(case, clock.pause_dates(data["pauses"]), local_date(timezone.now()))
    applicant = is_applicant_side(user, case)
    uploadable = []
    if applicant:
        if case.status in {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED}:
            uploadable = list(case.task_version.materials.all())
        elif case.status in clock.DECISION_STATES:
            uploadable = [
                m.material for m in data["materials"] if m.state == MaterialState.DEFERRED
            ]
    return {
        "case": case,
        **data,
        "crossarea": crossarea.describe(case, data["handoffs"]),
        "clock": state,
        "is_applicant": applicant,
        "is_staff": staff_of(user) is not None,
        "can_check": case.status == CaseStatus.RECEIVED and may_perform(user, case, "window_clerk"),
        "actions": [
            {
                "name": n,
                "label": TRANSITIONS[n].label if n in TRANSITIONS else VERIFY_LABEL,
                "fields": _action_fields(n, case, user),
            }
            for n in names
        ],
        "uploadable": uploadable,
        "notices": [(k, NoticeKind(k).label) for k in available_notices(case)],
        "next_steps": links.links_for(case, user),
    }


def _render_detail(
    request: HttpRequest, case: Case, status: int = 200, error: str = ""
) -> HttpResponse:
    context = _detail_context(request, case)
    context["error"] = error
    return render(request, "cases/detail.html", context, status=status)


@login_required_page
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page: facts, clock, timeline, materials, notices, and the actions one may take."""
    return _render_detail(request, queries.get_case_for_user(request.user, pk))


def _posted_version(request: HttpRequest, case: Case) -> Case:
    raw = request.POST.get("row_version", "")
    if raw.isdigit():
        case.row_version = int(raw)
    return case


@login_required_page
@require_POST
def act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one transition from its form; errors come back on the case page with their status."""
    case = _posted_version(request, queries.get_case_for_user(request.user, pk))
    data: dict[str, Any] = {key: request.POST.get(key, "") for key in request.POST}
    data["joint_department_ids"] = request.POST.getlist("joint_department_ids")
    data["deferred"] = {
        key[9:]: value
        for key, value in request.POST.items()
        if key.startswith("deferred_") and key[9:].isdigit() and value
    }
    try:
        dispatch.perform(request.user, case, name, data)
    except DomainError as error:
        fresh = queries.get_case_for_user(request.user, pk)
        return _render_detail(request, fresh, status=error.status, error=error.message)
    messages.success(request, _("已办理。"))
    return redirect("cases:detail", pk=pk)


@login_required_page
@require_POST
def check_material(request: HttpRequest, pk: int, row: int) -> HttpResponse:
    """The clerk accepts or rejects one material."""
    case = _posted_version(request, queries.get_case_for_user(request.user, pk))
    try:
        actions.check_material(
            actor=request.user,
            case=case,
            material_id=row,
            accepted=request.POST.get("accepted") == "1",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        fresh = queries.get_case_for_user(request.user, pk)
        return _render_detail(request, fresh, status=error.status, error=error.message)
    messages.success(request, _("已记录核验结果。"))
    return redirect("cases:detail", pk=pk)


@login_required_page
@require_POST
def upload(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    """The applicant uploads (or replaces) one material."""
    case = queries.get_case_for_user(request.user, pk)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError("file_required", _("请选择要上传的文件。"), field="file")
        checked = check_upload(file.name or "file", file)
        actions.upload_material(
            actor=request.user, case=case, material_id=material_id, checked=checked
        )
    except DomainError as error:
        fresh = queries.get_case_for_user(request.user, pk)
        return _render_detail(request, fresh, status=error.status, error=error.message)
    messages.success(request, _("材料已上传。"))
    return redirect("cases:detail", pk=pk)


@login_required_page
@require_GET
def material_file(request: HttpRequest, pk: int, row: int) -> HttpResponse:
    """A material's file, to those who may see the case."""
    row_ = queries.case_material_for_user(request.user, pk, row)
    # A streamed file is not an HttpResponse subclass; Django serves both the same way.
    return cast(HttpResponse, material_file_response(row_))


@login_required_page
@require_GET
def notice(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A notice as PDF."""
    return notice_response(queries.get_case_for_user(request.user, pk), kind)


@login_required_page
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, version_id: int) -> HttpResponse:
    """申请: the form for a published item; a hidden one-time key makes a double click harmless."""
    version = get_published_version(version_id)
    materials = list(version.materials.all())
    companies = list(
        LegalPerson.objects.filter(pk__in=queries.applicant_legal_person_ids(request.user))
    )
    form_fields = list(version.form_fields.all())
    prefilled = prefill_values(request.user, applicant_of(request.user), form_fields)
    form = ApplyForm(
        request.POST or None,
        request.FILES or None,
        materials=materials,
        companies=companies,
        form_fields=form_fields,
        prefilled=prefilled,
        result_fields=results.result_fields(version),
    )
    created, status = post_once(
        request, form, lambda: _submit_from_form(request, version.pk, form, materials)
    )
    if created is not None:
        messages.success(request, _("申请已提交。"))
        return redirect("cases:detail", pk=created)
    key = submission_key(request)
    return render(
        request,
        "cases/apply.html",
        {"version": version, "form": form, "materials": materials, "submission_key": key},
        status=status,
    )


def _submit_from_form(
    request: HttpRequest, version_id: int, form: ApplyForm, materials: list[Any]
) -> int:
    uploads = checked_uploads(form, {material_field_name(m): m.pk for m in materials})
    cleaned = form.cleaned_data
    company_id = cleaned.get("applicant") or ""
    company = (
        LegalPerson.objects.filter(pk=int(company_id)).first() if company_id.isdigit() else None
    )

    def operation() -> tuple[int, dict[str, Any]]:
        case = actions.submit_case(
            actor=request.user,
            version_id=version_id,
            legal_person=company,
            project_name=cleaned["project_name"],
            form_data=form.form_data(),
            uploads=uploads,
            contact_mobile=cleaned["contact_mobile"],
            address=cleaned["address"],
        )
        return 201, {"id": case.pk}

    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.submit_web",
        key=request.POST.get("submission_key", "")[:128] or None,
        payload={
            "version": version_id,
            "applicant": company_id,
            "files": {k: v.sha256 for k, v in uploads.items()},
            "project_name": cleaned["project_name"],
            "form_data": form.form_data(),
        },
        operation=operation,
    )
    return int(outcome.body["id"])
