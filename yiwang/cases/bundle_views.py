"""一件事 pages of the applicant: apply once, follow one timeline, read one result notice.

Staff who may see one of a bundle's sub-cases see the parent's summary (its number, the
sub-cases and their states), never the applicant's answers or merged form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.cases import bundles as bundle_queries
from yiwang.cases import queries
from yiwang.cases.actions.bundles import plan_for, submit_bundle
from yiwang.cases.bundle_forms import BundleApplyForm
from yiwang.cases.bundle_notices import render_bundle_notice
from yiwang.cases.forms import checked_uploads, post_once, submission_key
from yiwang.cases.models import BundleCase
from yiwang.cases.prefill import applicant_of, prefill_values
from yiwang.catalog.bundles import ANSWER_PREFIX, answers_from, get_published_bundle, load_bundle
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.web import login_required_page
from yiwang.identity.models import LegalPerson


@login_required_page
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """一次申请: the merged form pre-filled, each merged material asked for once."""
    bundle = get_published_bundle(code)
    params = request.POST if request.method == "POST" else request.GET
    answers = answers_from(params, load_bundle(bundle))
    try:
        plan = plan_for(bundle, answers, complete=True)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("catalog:bundle", code=bundle.code)
    companies = list(
        LegalPerson.objects.filter(pk__in=queries.applicant_legal_person_ids(request.user))
    )
    prefilled = prefill_values(request.user, applicant_of(request.user), plan.fields)
    form = BundleApplyForm(
        request.POST or None,
        request.FILES or None,
        plan=plan,
        prefilled=prefilled,
        companies=companies,
    )
    created, status = post_once(request, form, lambda: _submit(request, bundle.code, plan, form))
    if created is not None:
        messages.success(request, _("一件事已提交，各事项将按编排同步办理。"))
        return redirect("cases:bundle_detail", pk=created)
    _ends, promise = plan.estimate(timezone.localdate())
    return render(
        request,
        "cases/bundles/apply.html",
        {
            "bundle": bundle,
            "plan": plan,
            "form": form,
            "promise": promise,
            "answer_fields": [
                (ANSWER_PREFIX + q, v) for q, values in plan.answers.items() for v in values
            ],
            "submission_key": submission_key(request),
        },
        status=status,
    )


def _submit(request: HttpRequest, code: str, plan: Any, form: BundleApplyForm) -> int:
    uploads = checked_uploads(form, {row.slug: row.identity for row in plan.materials if row.asked})
    cleaned = form.cleaned_data
    company_id = str(cleaned.get("applicant") or "")
    company = (
        LegalPerson.objects.filter(pk=int(company_id)).first() if company_id.isdigit() else None
    )
    values = form.form_values()

    def operation() -> tuple[int, dict[str, Any]]:
        parent = submit_bundle(
            actor=request.user,
            bundle_code=code,
            answers=plan.answers,
            form_data=values,
            uploads=uploads,
            legal_person=company,
            contact_mobile=cleaned.get("contact_mobile") or "",
            address=cleaned.get("address") or "",
        )
        return 201, {"id": parent.pk}

    outcome = idempotency.run_once(
        actor=request.user,
        scope="cases.bundle_web",
        key=request.POST.get("submission_key", "")[:128] or None,
        payload={
            "bundle": code,
            "answers": plan.answers,
            "applicant": company_id,
            "form": values,
            "files": {k: v.sha256 for k, v in sorted(uploads.items())},
        },
        operation=operation,
    )
    return int(outcome.body["id"])


@login_required_page
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的一件事."""
    parents = bundle_queries.bundle_cases_for_user(request.user).order_by("-id")
    page = Paginator(parents, 25).get_page(request.GET.get("page"))
    return render(request, "cases/bundles/mine.html", {"page": page})


def _context(request: HttpRequest, parent: BundleCase, applicant: bool) -> dict[str, Any]:
    subs = bundle_queries.sub_cases(parent)
    visible = set(
        queries.cases_for_user(request.user).filter(bundle_case=parent).values_list("pk", flat=True)
    )
    stages: dict[int, list[Any]] = {}
    for case in subs:
        stages.setdefault(case.bundle_stage or 1, []).append(case)
    return {
        "parent": parent,
        "is_applicant": applicant,
        "stages": sorted(stages.items()),
        "visible": visible,
        "timeline": bundle_queries.timeline(parent) if applicant else [],
        "notice_ready": bundle_queries.notice_ready(parent),
    }


@login_required_page
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent: its state, promise date, sub-cases by stage and one merged timeline."""
    parent, applicant = bundle_queries.get_bundle_case_for_user(request.user, pk)
    return render(request, "cases/bundles/detail.html", _context(request, parent, applicant))


@login_required_page
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """一件事办结通知书: one printable notice for every sub-case's result."""
    parent, applicant = bundle_queries.get_bundle_case_for_user(request.user, pk)
    if not applicant or not bundle_queries.notice_ready(parent):
        raise DomainError(
            "bundle_notice_not_ready", _("全部事项办结后才能查看办结通知书。"), status=404
        )
    subs = bundle_queries.sub_cases(parent)
    results = {case.pk: getattr(case, "result", None) for case in subs if hasattr(case, "result")}
    return render(
        request,
        "cases/bundles/notice.html",
        {"parent": parent, "subs": [(c, results.get(c.pk)) for c in subs]},
    )


@login_required_page
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same notice as PDF, to keep or print."""
    parent, applicant = bundle_queries.get_bundle_case_for_user(request.user, pk)
    if not applicant:
        raise NotFound()
    response = HttpResponse(render_bundle_notice(parent), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bundle-{parent.bundle_no}.pdf"'
    return response
