"""Pages of the catalogue: the public service guide, search and browsing; the console."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.catalog import actions, excel, forms, metrics, queries, search
from yiwang.catalog.choices import (
    REUSABLE_SOURCES,
    HandleArea,
    OnlineDepth,
    Theme,
    VersionStatus,
)
from yiwang.catalog.diff import diff_versions
from yiwang.catalog.models import CatalogItem, Synonym, Task, TaskVersion
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.web import staff_required
from yiwang.regions.queries import departments_for_user, regions_for_user

PAGE_SIZE = 20
PERSON_THEMES = [
    Theme.BIRTH, Theme.EDUCATION, Theme.EMPLOYMENT, Theme.SOCIAL_SECURITY, Theme.HOUSING,
    Theme.HEALTH, Theme.TRAVEL, Theme.MARRIAGE, Theme.RETIREMENT, Theme.DEATH, Theme.CIVIL,
]  # fmt: skip
CORP_THEMES = [
    Theme.BUSINESS_START, Theme.BUSINESS_OPERATION, Theme.CONSTRUCTION, Theme.TAX,
    Theme.HIRING, Theme.BUSINESS_EXIT,
]  # fmt: skip


def _safe_link(value: str) -> str:
    """Only site paths and web addresses become links (never javascript: and the like)."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//"):
        return value
    if value.lower().startswith(("https://", "http://")):
        return value
    return ""


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# ---------------------------------------------------------------- public pages


def search_page(request: HttpRequest) -> HttpResponse:
    """找事项: plain-words search with filters; browsing is the same page without words."""
    params = request.GET
    query = params.get("q", "")[: search.MAX_QUERY_CHARS]
    error = None
    try:
        filters = search.build_filters(
            department=params.get("department") or None,
            region=params.get("region") or None,
            theme=params.get("theme") or None,
            audience=params.get("audience") or None,
            online_depth=params.get("online_depth") or None,
            handle_area=params.get("handle_area") or None,
        )
    except DomainError as problem:
        error, filters = problem.message, search.Filters()
    page_number = max(_int_param(request, "page") or 1, 1)
    result = search.search(query, filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    pages = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
    keep = params.copy()
    keep.pop("page", None)
    context = {
        "query": query,
        "params": params,
        "result": result,
        "error": error,
        "page_number": page_number,
        "pages": pages,
        "start": (page_number - 1) * PAGE_SIZE + 1,
        "keep": keep.urlencode(),
        "departments": queries.departments_with_items(),
        "counties": regions_for_public(),
        "person_themes": [(t.value, t.label) for t in PERSON_THEMES],
        "corp_themes": [(t.value, t.label) for t in CORP_THEMES],
        "depths": OnlineDepth.choices,
        "areas": HandleArea.choices,
        "searched": bool(query.strip())
        or any(
            params.get(k) for k in ("department", "region", "theme", "online_depth", "handle_area")
        ),
    }
    return render(request, "catalog/search.html", context, status=400 if error else 200)


def regions_for_public() -> QuerySet[Any]:
    from yiwang.regions.models import Region

    return Region.objects.filter(level__lte=2).order_by("code")


def themes_page(request: HttpRequest) -> HttpResponse:
    """按主题浏览: life events for persons, the life cycle for enterprises."""
    return render(
        request,
        "catalog/themes.html",
        {
            "person_themes": [(t.value, t.label) for t in PERSON_THEMES],
            "corp_themes": [(t.value, t.label) for t in CORP_THEMES],
        },
    )


def departments_page(request: HttpRequest) -> HttpResponse:
    """按部门浏览: departments with published items."""
    return render(
        request, "catalog/departments.html", {"departments": queries.departments_with_items()}
    )


def _guide_context(version: TaskVersion) -> dict[str, Any]:
    children = queries.guide_children(version)
    materials = [
        {
            "m": m,
            "form_url": _safe_link(m.form_file),
            "example_url": _safe_link(m.example_file),
            "reusable": m.source_type in REUSABLE_SOURCES,
            "situations": [h.name for h in m.handling_items.all()],
        }
        for m in children["materials"]
    ]
    return {**children, "version": version, "task": version.task, "materials": materials}


def guide(request: HttpRequest, task_code: str) -> HttpResponse:
    """办事指南 of a task's current published version (404 for drafts, retired, unknown)."""
    version = queries.get_published_by_task_code(task_code)
    return render(request, "catalog/guide.html", _guide_context(version))


def guide_version(request: HttpRequest, pk: int) -> HttpResponse:
    """办事指南 of one published version (a case quotes it); never a draft or retired one."""
    version = queries.get_published_version(pk)
    return render(request, "catalog/guide.html", _guide_context(version))


# ---------------------------------------------------------------- console


def _manager(request: HttpRequest) -> Any:
    queries.require_manager(request.user)
    return request.user


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    """事项管理: tasks in the administrator's jurisdiction with their latest version."""
    user = _manager(request)
    latest = TaskVersion.objects.filter(task=OuterRef("pk")).order_by("-version")
    tasks = queries.tasks_for_admin(user).annotate(
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_name=Subquery(latest.values("task_name")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_number=Subquery(latest.values("version")[:1]),
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        tasks = tasks.filter(Q(latest_name__contains=text) | Q(task_code__startswith=text.upper()))
    status = request.GET.get("status", "")
    if status in VersionStatus.values:
        tasks = tasks.filter(latest_status=status)
    page = Paginator(tasks.order_by("task_code"), PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "catalog/console/list.html",
        {
            "page": page,
            "q": text,
            "status": status,
            "statuses": VersionStatus.choices,
            "keep": keep.urlencode(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    """认领事项: create a task and its first draft."""
    user = _manager(request)
    form = forms.TaskCreateForm(
        request.POST or None,
        departments=departments_for_user(user),
        regions=regions_for_user(user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = data["catalog_item"] or _new_catalog_item(user, data)
                version = actions.create_task(
                    actor=user,
                    catalog_item=item,
                    department=data["department"],
                    region=data["region"],
                    task_code=data["task_code"],
                    fields={
                        "task_name": data["task_name"],
                        "task_type": data["task_type"],
                        "use_level": data["use_level"],
                        "anticipate_day": data["anticipate_day"],
                        "promise_day": data["promise_day"],
                    },
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                messages.success(request, _("已创建草稿，请补充办事指南内容。"))
                return redirect("catalog:version_edit", pk=version.pk)
        else:
            status = 400
    return render(request, "catalog/console/task_new.html", {"form": form}, status=status)


def _new_catalog_item(user: Any, data: dict[str, Any]) -> CatalogItem:
    existing = CatalogItem.objects.filter(catalog_code=data["new_catalog_code"].strip()).first()
    return existing or actions.create_catalog_item(
        actor=user,
        catalog_code=data["new_catalog_code"],
        name=data["new_catalog_name"],
        task_type=data["task_type"],
    )


def _task_context(user: Any, task: Task) -> dict[str, Any]:
    versions = list(queries.history(task))
    return {
        "task": task,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "reject_form": forms.RejectForm(),
    }


@staff_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: its versions (history), the actions its latest version allows."""
    user = _manager(request)
    task = queries.get_task_for_admin(user, pk)
    return render(request, "catalog/console/task.html", _task_context(user, task))


@staff_required
@require_POST
def task_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new draft from the latest version."""
    user = _manager(request)
    task = queries.get_task_for_admin(user, pk)
    try:
        draft = actions.new_draft_version(actor=user, task=task)
    except DomainError as error:
        return _task_error(request, user, task, error)
    return redirect("catalog:version_edit", pk=draft.pk)


def _task_error(request: HttpRequest, user: Any, task: Task, error: DomainError) -> HttpResponse:
    context = _task_context(user, task) | {"error": error.message}
    return render(request, "catalog/console/task.html", context, status=error.status)


@staff_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Any version of a task (drafts included) as the guide would show it."""
    user = _manager(request)
    version = queries.get_version_for_admin(user, pk)
    context = _guide_context(version) | {"preview": True}
    return render(request, "catalog/console/version.html", context)


TRANSITIONS = {
    "submit": actions.submit_version,
    "approve": actions.approve_version,
    "publish": actions.publish_version,
    "retire": actions.retire_version,
}


@staff_required
@require_POST
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """提交审核 / 审定 / 驳回 / 发布 / 废止."""
    user = _manager(request)
    version = queries.get_version_for_admin(user, pk)
    if action not in TRANSITIONS and action != "reject":
        raise NotFound()
    try:
        if action == "reject":
            form = forms.RejectForm(request.POST)
            note = form.data.get("note", "") if form.is_bound else ""
            actions.reject_version(actor=user, version=version, note=str(note)[:2000])
        else:
            TRANSITIONS[action](actor=user, version=version)
    except DomainError as error:
        return _task_error(request, user, version.task, error)
    done = {
        "submit": _("已提交审核。"),
        "approve": _("已审定。"),
        "reject": _("已驳回。"),
        "publish": _("已发布，办事指南已更新。"),
        "retire": _("已废止，该事项不能再申请。"),
    }[action]
    messages.success(request, done)
    return redirect("catalog:task", pk=version.task_id)


@staff_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft: every national field, and its situations, materials, fees, steps, FAQs."""
    user = _manager(request)
    version = queries.get_version_for_admin(user, pk)
    if version.status not in {VersionStatus.DRAFT, VersionStatus.REJECTED}:
        return _task_error(
            request,
            user,
            version.task,
            DomainError(
                "version_status_invalid",
                _("只有草稿或被驳回的版本可以修改；请先创建新草稿。"),
                status=409,
            ),
        )
    data = request.POST if request.method == "POST" else None
    form = forms.VersionFieldsForm(data, initial=forms.VersionFieldsForm.initial_for(version))
    formsets = {
        name: formset_class(data, prefix=name, initial=forms.child_initial(version, name))
        for name, formset_class in forms.CHILD_FORMSETS.items()
    }
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & all(fs.is_valid() for fs in formsets.values())
        if valid:
            children = {name: forms.child_rows(fs, name) for name, fs in formsets.items()}
            try:
                actions.update_draft(
                    actor=user, version=version, fields=form.cleaned_data, children=children
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                messages.success(request, _("草稿已保存。"))
                return redirect("catalog:task", pk=version.task_id)
        else:
            status = 400
    sections = [(name, forms.CHILD_TITLES[name], fs) for name, fs in formsets.items()]
    return render(
        request,
        "catalog/console/version_edit.html",
        {"version": version, "form": form, "sections": sections},
        status=status,
    )


@staff_required
def diff_page(request: HttpRequest) -> HttpResponse:
    """The field-by-field difference between two versions."""
    user = _manager(request)
    old_id, new_id = _int_param(request, "from"), _int_param(request, "to")
    if old_id is None or new_id is None:
        raise DomainError("diff_versions_missing", _("请选择要比较的两个版本。"))
    old = queries.get_version_for_admin(user, old_id)
    new = queries.get_version_for_admin(user, new_id)
    return render(request, "catalog/console/diff.html", {"diff": diff_versions(old, new)})


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    """Download the implementation list of the jurisdiction as xlsx."""
    user = _manager(request)
    data = excel.export_workbook(queries.tasks_for_admin(user))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="implementation-list-{stamp}.xlsx"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload an implementation list: every row checked, all imported as drafts or none."""
    user = _manager(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[excel.Problem] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > excel.MAX_BYTES:
                    raise DomainError("import_file_too_large", _("文件不能超过 10 MB。"))
                summary = excel.import_workbook(actor=user, data=upload.read())
            except excel.ImportRejected as rejected:
                problems = rejected.problems
                form.add_error(None, rejected.message)
                status = 400
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    _("已导入 %(count)s 行：新建 %(created)s 个，%(redrafted)s 个生成新草稿。")
                    % {
                        "count": summary.rows,
                        "created": len(summary.created),
                        "redrafted": len(summary.redrafted),
                    },
                )
                return redirect("catalog:console")
        else:
            status = 400
    return render(
        request,
        "catalog/console/import.html",
        {"form": form, "problems": problems, "columns": excel.task_columns()},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def synonyms_page(request: HttpRequest) -> HttpResponse:
    """同义词: plain words people type and the catalogue words they mean."""
    user = _manager(request)
    form = forms.SynonymForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.set_synonym(actor=user, **form.cleaned_data)
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                messages.success(request, _("同义词已保存，搜索立即生效。"))
                return redirect("catalog:synonyms")
        else:
            status = 400
    return render(
        request,
        "catalog/console/synonyms.html",
        {"form": form, "synonyms": queries.synonyms()},
        status=status,
    )


@staff_required
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    synonym = Synonym.objects.filter(pk=pk).first()
    if synonym is None:
        raise NotFound()
    actions.delete_synonym(actor=user, synonym=synonym)
    messages.success(request, _("同义词已删除。"))
    return redirect("catalog:synonyms")


@staff_required
@require_http_methods(["GET", "POST"])
def baselines_page(request: HttpRequest) -> HttpResponse:
    """精简基线: take a snapshot of the catalogue to measure later cuts against."""
    user = _manager(request)
    form = forms.BaselineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.take_baseline(actor=user, **form.cleaned_data)
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.status
            else:
                messages.success(request, _("基线已采集。"))
                return redirect("catalog:baselines")
        else:
            status = 400
    return render(
        request,
        "catalog/console/baselines.html",
        {"form": form, "snapshots": metrics.snapshots()},
        status=status,
    )


@staff_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    """精简成效: step, material and time cuts against a baseline, for the jurisdiction."""
    tasks = queries.metrics_tasks(request.user)
    snapshot = queries.get_snapshot(_int_param(request, "snapshot"))
    report = metrics.streamlining(snapshot, tasks) if snapshot else None
    context: dict[str, Any] = {"snapshot": snapshot, "snapshots": metrics.snapshots()}
    bundle_rows, bundle_total = metrics.bundle_streamlining(metrics.bundles_for(request.user))
    context |= {"bundle_rows": bundle_rows, "bundle_total": bundle_total}
    if report is not None:
        context |= {
            "report": report,
            "total": _rates(report.total),
            "departments": [(dept, _rates(tally)) for dept, tally in report.departments],
            "tasks": [(row, _rates(row.tally)) for row in report.tasks],
        }
    return render(request, "catalog/metrics.html", context)


def _rates(tally: metrics.Tally) -> dict[str, Any]:
    return {
        "t": tally,
        "step": metrics.percent(tally.step_rate),
        "material": metrics.percent(tally.material_rate),
        "time": metrics.percent(tally.time_rate),
        "promise": metrics.percent(tally.promise_rate),
        "anticipate_now": f"{float(tally.anticipate_now):g}",
        "promise_now": f"{float(tally.promise_now):g}",
    }
