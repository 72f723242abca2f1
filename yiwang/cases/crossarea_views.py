"""跨域通办 pages: the hall's 代收 registration, and the fields of the hand-off actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.cases import actions, crossarea
from yiwang.cases.actions.crossarea import receiving_hall
from yiwang.cases.choices import HandoffChannel
from yiwang.cases.forms import (
    checked_uploads,
    material_field_name,
    material_file_field,
    post_once,
    submission_key,
)
from yiwang.cases.models import Case
from yiwang.catalog.choices import REUSABLE_SOURCES, HandleArea
from yiwang.catalog.models import TaskVersion
from yiwang.catalog.queries import get_published_version, published_versions
from yiwang.core import idempotency
from yiwang.core.errors import DomainError
from yiwang.core.national_numbers import normalise
from yiwang.core.web import staff_required
from yiwang.identity.choices import DocumentType
from yiwang.regions.models import Department, Region

MAX_ITEMS = 30
MAX_JOINT_CHOICES = 200


def action_fields(name: str, case: Case, user: Any) -> list[dict[str, Any]]:
    """The form fields of a 跨域通办 action on the case page."""
    text = {"type": "textarea", "required": False}
    if name == "proxy_return":
        return [
            {
                "name": "reason",
                "label": _("退回理由（一次性告知申请人）"),
                "type": "textarea",
                "required": True,
            }
        ]
    if name == "proxy_forward":
        return [
            {
                "name": "channel",
                "label": _("转递方式"),
                "type": "select",
                "required": True,
                "choices": HandoffChannel.choices,
            },
            {
                "name": "tracking_no",
                "label": _("寄递单号（寄递时必填）"),
                "type": "text",
                "required": False,
            },
            {"name": "explain", "label": _("办理意见（可不填）"), **text},
        ]
    if name == "assign_joint":
        return [
            {
                "name": "department_id",
                "label": _("联办部门"),
                "type": "select",
                "required": True,
                "choices": [],
                "groups": joint_groups(case),
            },
            {
                "name": "step_name",
                "label": _("联办环节（如现场核查）"),
                "type": "text",
                "required": False,
            },
            {"name": "explain", "label": _("办理意见（可不填）"), **text},
        ]
    return [{"name": "explain", "label": _("办理意见（可不填）"), **text}]


def joint_candidates(case: Case) -> list[Department]:
    """Departments the item's 通办 area lets the implementing department share a part with."""
    implementing = case.implementing_department
    prefix = crossarea.home_prefix(implementing.region, case.task_version.handle_area or "1")
    departments = Department.objects.select_related("region").exclude(pk=implementing.pk)
    if prefix:
        departments = departments.filter(region__code__startswith=prefix)
    # The implementing department's own county first, so a wide area never crowds it out.
    home = implementing.region.code[:6]
    near = list(departments.filter(region__code__startswith=home).order_by("region__code", "name"))
    rest = departments.exclude(region__code__startswith=home).order_by("region__code", "name")
    return (near + list(rest[: max(0, MAX_JOINT_CHOICES - len(near))]))[:MAX_JOINT_CHOICES]


def joint_groups(case: Case) -> list[tuple[str, list[tuple[int, str]]]]:
    """The 联办 candidates grouped by county (a city-level department under its city), the
    implementing department's own county first."""
    departments = joint_candidates(case)
    codes = {f"{d.region.code[:6]}000000" for d in departments}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    home = case.implementing_department.region.code[:6]
    groups: dict[str, list[tuple[int, str]]] = {}
    for department in departments:
        groups.setdefault(department.region.code[:6], []).append((department.pk, department.name))
    order = sorted(groups, key=lambda code: (code != home, code))
    return [(names.get(f"{code}000000", code), groups[code]) for code in order]


def open_items(hall: Department, text: str) -> list[TaskVersion]:
    """Published items of other departments that this hall may receive applications for."""
    versions = (
        published_versions()
        .select_related("task__department__region")
        .filter(task__current_version=F("pk"))
        .exclude(task__department=hall)
        .filter(
            ~Q(handle_area=HandleArea.LOCAL)
            | Q(task__department__region__code__startswith=hall.region.code[:6])
        )
    )
    if text:
        versions = versions.filter(Q(task_name__contains=text) | Q(task__task_code=text))
    found = []
    for version in versions.order_by("task_name", "task__department__region__code")[:300]:
        area = version.handle_area
        if crossarea.may_accept_at(hall, version.task.department, area):
            found.append(version)
        if len(found) >= MAX_ITEMS:
            break
    return found


@staff_required
@require_GET
def hall(request: HttpRequest) -> HttpResponse:
    """代收代办: find the item the applicant brought to this hall."""
    try:
        here = receiving_hall(request.user)
    except DomainError as error:
        return render(request, "cases/hall.html", {"error": error.message}, status=error.status)
    text = request.GET.get("q", "").strip()[:60]
    return render(
        request,
        "cases/hall.html",
        {"hall": here, "q": text, "items": open_items(here, text) if text else []},
    )


class HallForm(forms.Form):
    """What the window clerk records for an application brought in person."""

    document_type = forms.ChoiceField(
        label=gettext_lazy("申请人证件类型"), choices=DocumentType.choices
    )
    document_number = forms.CharField(label=gettext_lazy("申请人证件号码"), max_length=32)
    applicant_uscc = forms.CharField(
        label=gettext_lazy("单位统一社会信用代码（以单位名义申请时填写）"),
        max_length=24,
        required=False,
        help_text=gettext_lazy(
            "填写后由单位申请，上面的证件为到场经办人的证件；经办人须已获单位申报授权。"
        ),
    )
    project_name = forms.CharField(
        label=gettext_lazy("办理摘要（可不填）"), max_length=200, required=False
    )
    contact_mobile = forms.RegexField(
        label=gettext_lazy("联系人手机"), regex=r"^1\d{10}$", max_length=11, required=False
    )
    address = forms.CharField(
        label=gettext_lazy("通讯地址（可不填）"), max_length=200, required=False
    )
    return_to_hall = forms.BooleanField(
        label=gettext_lazy("办理结果回本窗口领取（不勾选则由实施部门送达）"), required=False
    )

    def __init__(self, *args: Any, materials: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for material in materials:
            self.fields[material_field_name(material)] = material_file_field(
                material.material_name,
                reusable=material.source_type in REUSABLE_SOURCES,
                help_text=str(gettext_lazy("已核对原件的扫描件")),
            )


@staff_required
@require_http_methods(["GET", "POST"])
def hall_register(request: HttpRequest, version_id: int) -> HttpResponse:
    """代收收件: the clerk registers the application; a hidden one-time key makes a retried
    submission answer the first case instead of creating a second one."""
    try:
        receiving_hall(request.user)
    except DomainError as error:
        return render(request, "cases/hall.html", {"error": error.message}, status=error.status)
    version = get_published_version(version_id)
    materials = list(version.materials.all())
    form = HallForm(request.POST or None, request.FILES or None, materials=materials)
    created, status = post_once(
        request, form, lambda: _register(request, version.pk, form, materials)
    )
    if created is not None:
        messages.success(request, _("已代收，请完成形式审查后转递。"))
        return redirect("cases:detail", pk=created)
    key = submission_key(request)
    return render(
        request,
        "cases/hall_register.html",
        {
            "version": version,
            "form": form,
            "submission_key": key,
            "area": HandleArea(version.handle_area or "1").label,
        },
        status=status,
    )


def _register(request: HttpRequest, version_id: int, form: HallForm, materials: list[Any]) -> int:
    uploads = checked_uploads(form, {material_field_name(m): m.pk for m in materials})
    cleaned = form.cleaned_data

    def operation() -> tuple[int, dict[str, Any]]:
        case = actions.register_at_hall(
            actor=request.user,
            version_id=version_id,
            document_type=cleaned["document_type"],
            document_number=cleaned["document_number"],
            applicant_uscc=cleaned["applicant_uscc"],
            uploads=uploads,
            project_name=cleaned["project_name"],
            contact_mobile=cleaned["contact_mobile"],
            address=cleaned["address"],
            return_to_hall=cleaned["return_to_hall"],
        )
        return 201, {"id": case.pk}

    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.proxy_receive_web",
        key=request.POST.get("submission_key", "")[:128] or None,
        payload={
            "version": version_id,
            "applicant": [cleaned["document_type"], cleaned["document_number"]],
            "unit": normalise(cleaned["applicant_uscc"] or ""),
            "files": {k: v.sha256 for k, v in uploads.items()},
            "return_to_hall": cleaned["return_to_hall"],
        },
        operation=operation,
    )
    return int(outcome.body["id"])
