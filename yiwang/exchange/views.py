"""Pages of the exchange: catalogue, requests and queues, demand board, disputes, nodes,
message log, quality, alarms (staff); open data (anyone); who used my data (citizens)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.web import login_required_page, staff_required
from yiwang.exchange import actions, opendata, queries
from yiwang.exchange.api import decide
from yiwang.exchange.choices import (
    LICENCE_URLS,
    DemandStatus,
    DisputeStatus,
    DownloadFormat,
    IssueStatus,
    MessageOutcome,
    SharingStatus,
    SharingType,
    VersionStatus,
)
from yiwang.exchange.forms import (
    AnswerForm,
    AssignForm,
    DemandForm,
    DisputeForm,
    FulfilForm,
    MatchForm,
    NoteForm,
    ResolveIssueForm,
    SharingRequestForm,
)
from yiwang.exchange.models import DataCopy, Resource
from yiwang.exchange.permissions import (
    acts_for_department,
    available_decisions,
    is_data_authority,
)
from yiwang.regions.queries import staff_of

PAGE_SIZE = 25
DECISION_LABELS = {
    "approve": gettext_lazy("合规审核通过"),
    "return": gettext_lazy("退回修改"),
    "authorise": gettext_lazy("同意共享"),
    "refuse": gettext_lazy("不予共享"),
    "object": gettext_lazy("不同意，提出协商"),
    "escalate": gettext_lazy("提请主管部门协调"),
    "coordinate_authorise": gettext_lazy("协调决定：授权"),
    "coordinate_close": gettext_lazy("协调决定：关闭"),
    "withdraw": gettext_lazy("撤回申请"),
}


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _attempt(
    request: HttpRequest, step: Callable[[], Any], done: str
) -> tuple[bool, DomainError | None]:
    """Run an action for a page: a domain error is shown on the page, not raised."""
    try:
        step()
    except DomainError as error:
        return False, error
    messages.success(request, done)
    return True, None


def index(request: HttpRequest) -> HttpResponse:
    """The exchange's front: staff see their desk, citizens their data uses, others open data."""
    if not request.user.is_authenticated:
        return redirect("exchange:open_index")
    if staff_of(request.user) is None:
        return redirect("exchange:my_data")
    user = request.user
    context = {
        "catalogue_count": queries.catalogue_for_user(user).count(),
        "queue": queries.request_queue(user)[:10],
        "open_alarms": queries.alarms_for_user(user).filter(resolved_at__isnull=True).count(),
        "open_demands": queries.demands_for_user(user)
        .exclude(status__in=[DemandStatus.CLOSED, DemandStatus.FULFILLED])
        .count(),
        "open_disputes": queries.disputes_for_user(user).filter(status=DisputeStatus.OPEN).count(),
        "drafts": queries.drafts_for_user(user)[:10],
        "is_authority": is_data_authority(user),
    }
    return render(request, "exchange/index.html", context)


# --- Catalogue ---------------------------------------------------------------------------


@staff_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """Browse the published catalogue (一本账)."""
    search = queries.clean_term(request.GET.get("q", ""))
    page = _page(request, queries.catalogue_for_user(request.user, search))
    return render(request, "exchange/catalogue.html", {"page": page, "q": search})


@staff_required
@require_http_methods(["GET", "POST"])
def resource_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One resource: metadata, items with their authoritative sources, copies, versions."""
    resource = queries.get_resource_for_user(request.user, code)
    versions = list(queries.versions_for_user(request.user, resource))
    shown = resource.current_version or (versions[0] if versions else None)
    if shown is None:
        raise NotFound()
    error = None
    if request.method == "POST":
        draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
        if draft is None:
            raise NotFound()
        done, error = _attempt(
            request,
            lambda: actions.publish_resource_version(actor=request.user, version=draft),
            _("已发布。"),
        )
        if done:
            return redirect("exchange:resource", code=code)
    staff = staff_of(request.user)
    items = shown.items.select_related("source_department", "element")
    context = {
        "resource": resource,
        "version": shown,
        "versions": versions,
        "items": items,
        "copies": DataCopy.objects.filter(item__version=shown).select_related(
            "item", "source_department", "source_resource"
        ),
        "services": resource.services.filter(is_active=True).select_related("subsystem__node"),
        "may_request": staff is not None
        and resource.provider_id != staff.department_id
        and shown.is_published
        and shown.sharing_type != SharingType.NOT_SHARED
        and acts_for_department(request.user, staff.department),
        "may_publish": any(v.status == VersionStatus.DRAFT for v in versions)
        and is_data_authority(request.user, resource.provider.region),
        "error": error,
    }
    return render(request, "exchange/resource.html", context, status=error.status if error else 200)


# --- Sharing requests ----------------------------------------------------------------------


@staff_required
def requests_list(request: HttpRequest) -> HttpResponse:
    """My queue and every request of departments in my scope."""
    status = request.GET.get("status", "")
    found = queries.requests_for_user(request.user)
    if status in SharingStatus.values:
        found = found.filter(status=status)
    context = {
        "queue": queries.request_queue(request.user),
        "page": _page(request, found),
        "status": status,
        "statuses": SharingStatus.choices,
    }
    return render(request, "exchange/requests.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for data items of a published resource, for my department."""
    resource = queries.get_resource_for_user(request.user, code)
    version = resource.current_version
    if version is None:
        raise NotFound()
    form = SharingRequestForm(request.POST or None, version=version)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            staff = staff_of(request.user)
            assert staff is not None
            try:
                created = actions.submit_sharing_request(
                    actor=request.user,
                    department=staff.department,
                    resource=resource,
                    items=data["items"],
                    purpose=data["purpose"],
                    scenario=data["scenario"],
                    legal_basis=data["legal_basis"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    rate_limit_per_minute=data["rate_limit_per_minute"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("申请已提交，等待数据主管部门合规审核。"))
                return redirect("exchange:request", number=created.number)
        else:
            status = 400
    return render(
        request,
        "exchange/request_form.html",
        {"form": form, "resource": resource, "version": version},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A request, its timeline, and the decisions open to me."""
    sharing = queries.get_request_for_user(request.user, number)
    form = NoteForm(request.POST or None)
    error = None
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in available_decisions(request.user, sharing):
            raise PermissionDenied()
        note = form.data.get("note", "") if form.is_valid() else ""
        done, error = _attempt(
            request, lambda: decide(request.user, sharing, decision, note), _("已办理。")
        )
        if done:
            return redirect("exchange:request", number=number)
        sharing = queries.get_request_for_user(request.user, number)
    decisions = available_decisions(request.user, sharing)
    context = {
        "sharing": sharing,
        "events": sharing.events.all(),
        "decisions": [(name, DECISION_LABELS[name]) for name in decisions],
        "form": form,
        "error": error,
    }
    return render(
        request, "exchange/request_detail.html", context, status=error.status if error else 200
    )


# --- Demand board ---------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def demands(request: HttpRequest) -> HttpResponse:
    """供需对接: needs of departments in my scope, and a form to post one."""
    form = DemandForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            staff = staff_of(request.user)
            assert staff is not None
            try:
                demand = actions.post_demand(
                    actor=request.user, department=staff.department, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("需求已发布。"))
                return redirect("exchange:demand", number=demand.number)
        else:
            status = 400
    page = _page(request, queries.demands_for_user(request.user))
    return render(request, "exchange/demands.html", {"page": page, "form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def demand_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A need: suggested catalogue entries, matching, assignment, fulfilment, closing."""
    demand = queries.get_demand_for_user(request.user, number)
    user = request.user
    authority = is_data_authority(user, demand.requester_department.region)
    requester = acts_for_department(user, demand.requester_department)
    provider = demand.assigned_department is not None and acts_for_department(
        user, demand.assigned_department
    )
    suggestions = queries.suggest_resources(demand)
    suggested = Resource.objects.filter(pk__in=[v.resource_id for v in suggestions])
    own_resources = Resource.objects.filter(provider=demand.assigned_department).order_by("code")
    match_form = MatchForm(resources=suggested)
    assign_form = AssignForm(departments=queries.departments_in_scope(user).order_by("name"))
    fulfil_form = FulfilForm(resources=own_resources)
    close_form = NoteForm()
    error = None
    if request.method == "POST":
        step = request.POST.get("step", "")
        action: Callable[[], Any] | None = None
        if step == "match" and (authority or requester):
            match_form = MatchForm(request.POST, resources=suggested)
            if match_form.is_valid():
                chosen = list(match_form.cleaned_data["resources"])
                action = lambda: actions.match_demand(actor=user, demand=demand, resources=chosen)  # noqa: E731
        elif step == "assign" and authority:
            assign_form = AssignForm(request.POST, departments=queries.departments_in_scope(user))
            if assign_form.is_valid():
                data = assign_form.cleaned_data
                action = lambda: actions.assign_demand(  # noqa: E731
                    actor=user, demand=demand, provider=data["provider"], note=data["note"]
                )
        elif step == "fulfil" and provider:
            fulfil_form = FulfilForm(request.POST, resources=own_resources)
            if fulfil_form.is_valid():
                chosen_resource = fulfil_form.cleaned_data["resource"]
                action = lambda: actions.fulfil_demand(  # noqa: E731
                    actor=user, demand=demand, resource=chosen_resource
                )
        elif step == "close" and (authority or requester):
            close_form = NoteForm(request.POST)
            if close_form.is_valid():
                reason = close_form.cleaned_data["note"]
                action = lambda: actions.close_demand(actor=user, demand=demand, reason=reason)  # noqa: E731
        else:
            raise PermissionDenied()
        if action is None:
            error = DomainError("invalid_input", _("请检查填写的内容。"))
        else:
            done, error = _attempt(request, action, _("已办理。"))
            if done:
                return redirect("exchange:demand", number=number)
    open_states = {DemandStatus.OPEN, DemandStatus.MATCHED}
    context = {
        "demand": demand,
        "suggestions": suggestions,
        "match_form": match_form
        if (authority or requester) and demand.status in open_states
        else None,
        "assign_form": assign_form if authority and demand.status in open_states else None,
        "fulfil_form": fulfil_form if provider and demand.status == DemandStatus.ASSIGNED else None,
        "close_form": close_form
        if (authority or requester)
        and demand.status not in {DemandStatus.CLOSED, DemandStatus.FULFILLED}
        else None,
        "may_request": requester,
        "error": error,
    }
    return render(
        request, "exchange/demand_detail.html", context, status=error.status if error else 200
    )


# --- Disputes ----------------------------------------------------------------------------------


@staff_required
def disputes(request: HttpRequest) -> HttpResponse:
    page = _page(request, queries.disputes_for_user(request.user))
    return render(request, "exchange/disputes.html", {"page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def dispute_new(request: HttpRequest, code: str) -> HttpResponse:
    """数据异议 on an item of a published resource."""
    resource = queries.get_resource_for_user(request.user, code)
    version = resource.current_version
    if version is None:
        raise NotFound()
    form = DisputeForm(request.POST or None, version=version)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dispute = actions.raise_dispute(
                    actor=request.user, resource=resource, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("异议已送达权威来源部门。"))
                return redirect("exchange:dispute", number=dispute.number)
        else:
            status = 400
    return render(
        request,
        "exchange/dispute_form.html",
        {"form": form, "resource": resource, "version": version},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def dispute_detail(request: HttpRequest, number: str) -> HttpResponse:
    dispute = queries.get_dispute_for_user(request.user, number)
    may_answer = dispute.status == DisputeStatus.OPEN and acts_for_department(
        request.user, dispute.source_department
    )
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied()
        if form.is_valid():
            try:
                actions.answer_dispute(actor=request.user, dispute=dispute, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("已答复。"))
                return redirect("exchange:dispute", number=number)
        else:
            status = 400
    return render(
        request,
        "exchange/dispute_detail.html",
        {"dispute": dispute, "form": form if may_answer else None},
        status=status,
    )


# --- Nodes, messages, alarms, quality ---------------------------------------------------------


@staff_required
def nodes(request: HttpRequest) -> HttpResponse:
    """The node registry (nodes of departments in my scope)."""
    found = queries.nodes_for_user(request.user).prefetch_related("subsystems__services")
    stale_after = timezone.now() - dt.timedelta(minutes=2)
    return render(request, "exchange/nodes.html", {"nodes": found, "stale_after": stale_after})


@staff_required
def message_log(request: HttpRequest) -> HttpResponse:
    """The message log of calls made or answered by departments in my scope."""
    found = queries.messages_for_user(request.user)
    outcome = request.GET.get("outcome", "")
    if outcome in MessageOutcome.values:
        found = found.filter(outcome=outcome)
    message_id = queries.clean_term(request.GET.get("message_id", ""), 36)
    if message_id:
        found = found.filter(message_id=message_id)
    context = {
        "page": _page(request, found),
        "outcome": outcome,
        "outcomes": MessageOutcome.choices,
        "message_id": message_id,
    }
    return render(request, "exchange/messages.html", context)


@staff_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry with its signatures checked again now."""
    entry = queries.get_message_for_user(request.user, pk)
    return render(
        request, "exchange/message_detail.html", {"entry": entry, "problems": entry.problems()}
    )


@staff_required
def alarms(request: HttpRequest) -> HttpResponse:
    page = _page(request, queries.alarms_for_user(request.user))
    return render(request, "exchange/alarms.html", {"page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def quality(request: HttpRequest) -> HttpResponse:
    """Provider scores and the failing rows reported back to providers in my scope."""
    issues = queries.quality_issues_for_user(request.user).filter(status=IssueStatus.OPEN)
    status = 200
    if request.method == "POST":
        raw_issue = request.POST.get("issue", "")
        issue = issues.filter(pk=int(raw_issue)).first() if raw_issue.isdigit() else None
        if issue is None:
            raise NotFound()
        form = ResolveIssueForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写整改说明。"))
            status = 400
        else:
            done, error = _attempt(
                request,
                lambda: actions.resolve_quality_issue(
                    actor=request.user, issue=issue, resolution=form.cleaned_data["resolution"]
                ),
                _("已标记整改。"),
            )
            if done:
                return redirect("exchange:quality")
            assert error is not None
            messages.error(request, error.message)
            status = error.status
    context = {
        "scores": queries.provider_scores(request.user),
        "page": _page(request, issues),
        "mine": {
            issue.provider_department_id
            for issue in issues
            if acts_for_department(request.user, issue.provider_department)
        },
    }
    return render(request, "exchange/quality.html", context, status=status)


# --- Who used my data (citizens) ---------------------------------------------------------------


@login_required_page
def my_data(request: HttpRequest) -> HttpResponse:
    """Every use of my data through the exchange: who, for what, when."""
    if staff_of(request.user) is not None:
        return redirect("exchange:index")
    uses = queries.data_uses_for_user(request.user)
    if request.GET.get("format") == "csv":
        return _uses_csv(uses)
    return render(request, "exchange/my_data.html", {"page": _page(request, uses)})


def _uses_csv(uses: Any) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("时间"), _("使用部门"), _("提供部门"), _("数据"), _("信息项"), _("用途"),
                     _("结果"), _("消息编号")])  # fmt: skip
    for use in uses:
        version = use.resource.current_version if use.resource else None
        writer.writerow(
            [
                timezone.localtime(use.created_at).isoformat(timespec="seconds"),
                use.consumer_department.name if use.consumer_department else use.client_id,
                use.provider_department.name if use.provider_department else "",
                version.name if version else "",
                "、".join(use.items),
                use.purpose,
                use.get_outcome_display(),
                use.message_id,
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data-uses.csv"'
    return response


# --- Open data (public) ----------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def open_index(request: HttpRequest) -> HttpResponse:
    """The open data portal."""
    page = _page(request, queries.open_datasets())
    return render(request, "exchange/open_index.html", {"page": page})


def open_dataset(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = queries.get_open_dataset(slug)
    context = {
        "dataset": dataset,
        "columns": opendata.columns(dataset),
        "preview": list(opendata.rows(dataset, limit=10)),
        "row_count": opendata.row_count(dataset),
        "licence_url": LICENCE_URLS[dataset.licence],
    }
    return render(request, "exchange/open_dataset.html", context)


def open_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """CSV or JSON download, counted."""
    dataset = queries.get_open_dataset(slug)
    if fmt == DownloadFormat.CSV:
        actions.count_download(dataset=dataset, fmt=DownloadFormat.CSV)
        response: HttpResponseBase = StreamingHttpResponse(
            opendata.as_csv(dataset), content_type="text/csv; charset=utf-8"
        )
    elif fmt == DownloadFormat.JSON:
        actions.count_download(dataset=dataset, fmt=DownloadFormat.JSON)
        body = {
            "dataset": dataset.slug,
            "title": dataset.title,
            "licence": LICENCE_URLS[dataset.licence],
            "fields": [{"code": code, "name": name} for code, name in opendata.columns(dataset)],
            "rows": list(opendata.rows(dataset)),
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    else:
        raise NotFound()
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.{fmt}"'
    return response


def open_dcat(request: HttpRequest, slug: str) -> HttpResponse:
    """The dataset's DCAT-AP description (JSON-LD)."""
    dataset = queries.get_open_dataset(slug)
    body = opendata.dataset_description(dataset, _base_url(request))
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )


def open_catalog_dcat(request: HttpRequest) -> HttpResponse:
    """The DCAT-AP catalogue of every open dataset (JSON-LD)."""
    body = opendata.catalogue_description(
        list(queries.open_datasets()), _base_url(request), _("公共数据开放目录")
    )
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )
