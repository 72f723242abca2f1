"""Public pages of 一件事: the list by theme and the guide with situation questions.

The guide is a plain GET form: the answers come back in the query string, so it works
without JavaScript and every state of it has an address.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

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
from yiwang.core.errors import DomainError


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
