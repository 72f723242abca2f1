"""Public pages of 一件事: the list by theme and the guide with situation questions.

The guide is a plain GET form: the answers come back in the query string, so it works
without JavaScript and every state of it has an address.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.catalog import queries
from yiwang.catalog.bundle_actions import publish_bundle, retire_bundle, save_bundle
from yiwang.catalog.bundle_forms import BundleEditor, with_more_rows
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
from yiwang.catalog.models import Bundle
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.web import staff_required
from yiwang.regions.choices import RegionLevel
from yiwang.regions.queries import departments_for_user, regions_for_user


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
    return _guide(request, get_published_bundle(code), preview=False)


def _guide(request: HttpRequest, bundle: Bundle, *, preview: bool) -> HttpResponse:
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
        "preview": preview,
    }
    return render(request, "catalog/bundles/guide.html", context, status=status)


@staff_required
@require_GET
def console_bundles(request: HttpRequest) -> HttpResponse:
    """一件事管理: every bundle in the jurisdiction, with its members, to edit, publish, retire.

    Definitions are created and edited here (`bundle_edit`) or through
    PUT /api/v1/catalog/bundles/{code}; both call `bundle_actions.save_bundle`.
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


@staff_required
@require_GET
def console_bundle_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The guide as applicants would see it, for any status (drafts included), to try answers."""
    return _guide(request, queries.get_bundle_for_admin(request.user, code), preview=True)


@staff_required
@require_http_methods(["GET", "POST"])
def console_bundle_new(request: HttpRequest) -> HttpResponse:
    """新建一件事: the same editor as `console_bundle_edit`, with a code to choose."""
    queries.require_manager(request.user)
    return _editor(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def console_bundle_edit(request: HttpRequest, code: str) -> HttpResponse:
    """编辑一件事: name, theme, lead department, members and situation questions.

    A published bundle stays published and its version goes up; applications already made
    keep the plan they were made under.
    """
    return _editor(request, queries.get_bundle_for_admin(request.user, code))


def _editor(request: HttpRequest, bundle: Bundle | None) -> HttpResponse:
    user = request.user
    data: QueryDict | None = request.POST if request.method == "POST" else None
    adding = data is not None and "more_rows" in data
    if adding and data is not None:
        data = with_more_rows(data)
    editor = BundleEditor(
        data,
        bundle=bundle,
        # A bundle serves a city or a county: townships and villages would only bury them.
        regions=regions_for_user(user).filter(level__lte=RegionLevel.COUNTY),
        departments=departments_for_user(user),
    )
    status, error_code = 200, ""
    if request.method == "POST" and not adding:
        if editor.is_valid():
            arguments = editor.cleaned()
            code = bundle.code if bundle is not None else arguments.pop("code")

            def operation() -> tuple[int, dict[str, Any]]:
                saved = save_bundle(actor=user, code=code, new=bundle is None, **arguments)
                return 200, {"code": saved.code, "version": saved.version}

            try:
                outcome = idempotency.run_once(
                    actor=user,
                    scope="catalog.bundle_save_web",
                    key=request.POST.get("submission_key", "")[:128] or None,
                    payload={
                        "code": code,
                        **{k: v for k, v in arguments.items() if k not in _OBJECTS},
                        "region": arguments["region"].pk,
                        "lead_department": arguments["lead_department"].pk,
                    },
                    operation=operation,
                )
            except DomainError as error:
                editor.add_error(error.field, error.message)
                status, error_code = error.status, error.code
            else:
                messages.success(
                    request,
                    _("一件事已保存（第 %(version)s 版）。") % {"version": outcome.body["version"]},
                )
                return redirect("catalog:console_bundle_edit", code=outcome.body["code"])
        else:
            status = 400
    context = {
        "bundle": bundle,
        "editor": editor,
        "error_code": error_code,
        "submission_key": uuid.uuid4().hex,
    }
    return render(request, "catalog/console/bundle_edit.html", context, status=status)


_OBJECTS = {"region", "lead_department"}
