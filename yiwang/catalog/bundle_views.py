"""Public pages of 一件事: the list by theme and the guide with situation questions.

The guide is a plain GET form: the answers come back in the query string, so it works
without JavaScript and every state of it has an address.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.catalog import queries
from yiwang.catalog.bundle_actions import publish_bundle, retire_bundle
from yiwang.catalog.bundles import (
    ANSWER_PREFIX,
    answers_from,
    answers_query,
    get_published_bundle,
    load_bundle,
    published_bundles,
    resolve,
    savings,
)
from yiwang.catalog.choices import ENTERPRISE_THEMES, PERSON_THEMES, LifeCycle
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.web import staff_required


@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    """一件事一次办: published bundles grouped by life cycle and theme."""
    bundles = list(published_bundles())
    groups = []
    for life_cycle, themes in (
        (LifeCycle.PERSON, PERSON_THEMES),
        (LifeCycle.ENTERPRISE, ENTERPRISE_THEMES),
    ):
        sections = [(theme.label, [b for b in bundles if b.theme == theme]) for theme in themes]
        groups.append((life_cycle.label, [s for s in sections if s[1]]))
    return render(request, "catalog/bundles/list.html", {"groups": groups, "count": len(bundles)})


@require_GET
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    """The guide: answer the situation questions, see the items, one material list, the date."""
    bundle = get_published_bundle(code)
    data = load_bundle(bundle)
    answers = answers_from(request.GET, data)
    status, error = 200, ""
    try:
        plan = resolve(data, answers)
    except DomainError as problem:
        status, error = problem.status, str(problem.message)
        plan = resolve(data, {})
    ends, promise = plan.estimate(timezone.localdate())
    context: dict[str, Any] = {
        "bundle": bundle,
        "data": data,
        "plan": plan,
        "chosen": {q: set(v) for q, v in plan.answers.items()},
        "prefix": ANSWER_PREFIX,
        "stages": [[(m, ends[m.member_id]) for m in stage] for stage in plan.stages],
        "promise": promise,
        "savings": savings(plan),
        "complete": not plan.unanswered and not error,
        "query": answers_query(plan.answers),
        "error": error,
        "unavailable": data.unavailable,
    }
    return render(request, "catalog/bundles/guide.html", context, status=status)


@staff_required
@require_GET
def console_bundles(request: HttpRequest) -> HttpResponse:
    """一件事管理: every bundle in the jurisdiction, with its members, to publish or retire.

    Definitions are created and edited through PUT /api/v1/catalog/bundles/{code}.
    """
    bundles = list(queries.bundles_for_admin(request.user).prefetch_related("members__task"))
    return render(request, "catalog/console/bundles.html", {"bundles": bundles})


@staff_required
@require_POST
def console_bundle_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Publish or retire one bundle; a refusal comes back as a message."""
    bundle = queries.get_bundle_for_admin(request.user, code)
    handlers = {"publish": publish_bundle, "retire": retire_bundle}
    if action not in handlers:
        raise NotFound()
    try:
        handlers[action](actor=request.user, bundle=bundle)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已办理。"))
    return redirect("catalog:console_bundles")
