"""JSON API of the catalogue: public search and service guides; history, diff and metrics
for administrators. Only published versions are ever served to the public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from yiwang.api.schemas import ErrorOut
from yiwang.catalog import metrics, queries, search
from yiwang.catalog.diff import diff_versions
from yiwang.catalog.models import TaskVersion

router = Router(tags=["catalog"])


class ItemOut(Schema):
    version_id: int
    task_code: str
    version: int
    task_name: str
    task_type: str
    task_type_label: str
    department: str
    department_id: int
    region_code: str
    region_name: str
    project_type: str
    anticipate_day: int | None
    anticipate_type: str
    promise_day: int | None
    promise_type: str
    online_handle_depth: str
    handle_area: str
    score: float | None = None


class SearchOut(Schema):
    total: int
    tokens: list[str]
    synonyms_used: list[str]
    items: list[ItemOut]


class HandlingItemOut(Schema):
    task_handle_item: str
    name: str
    description: str


class MaterialOut(Schema):
    material_name: str
    is_need: bool
    material_type: str
    material_format: str
    source_type: str
    source_explain: str
    source_certificate_type_code: str
    source_data_resource_code: str
    page_num: int
    page_format: str
    accept_stand: str
    fill_explain: str
    form_file: str
    example_file: str
    handling_item_codes: list[str]
    reusable: bool


class FeeOut(Schema):
    fee_name: str
    fee_stand: str
    amount_fen: int
    by_law: str
    is_desc: bool
    desc_explain: str


class StepOut(Schema):
    name: str
    role: str
    limit_days: int


class QuestionOut(Schema):
    question: str
    answer: str


class GuideOut(ItemOut):
    catalog_code: str
    task_handle_item: str
    aliases: str
    by_law: str
    use_level: str
    server_type: list[str]
    accept_condition: str
    limit_explain: str
    anticipate_explain: str
    promise_explain: str
    handle_flow: str
    special_procedure: str
    limit_scene_num: int
    is_fee: bool
    fee_basis: str
    transact_addr: str
    transact_time: str
    link_way: str
    supervise_way: str
    is_online: bool
    is_pay_online: bool
    is_express: bool
    is_schedule: bool
    result_type: str
    result_name: str
    result_certificate_type_code: str
    user_topic_type: list[str]
    corp_topic_type: list[str]
    published_at: dt.datetime | None
    handling_items: list[HandlingItemOut]
    materials: list[MaterialOut]
    fees: list[FeeOut]
    steps: list[StepOut]
    questions: list[QuestionOut]


class VersionOut(Schema):
    version_id: int
    version: int
    status: str
    status_label: str
    task_name: str
    created_by: str | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    review_note: str


class FieldChangeOut(Schema):
    name: str
    label: str
    before: str
    after: str


class RowChangeOut(Schema):
    key: str
    kind: str
    fields: list[FieldChangeOut]


class DiffOut(Schema):
    from_version: int
    to_version: int
    fields: list[FieldChangeOut]
    children: dict[str, list[RowChangeOut]]


class RatesOut(Schema):
    tasks: int
    steps_base: int
    steps_now: int
    materials_base: int
    materials_now: int
    anticipate_days_now: float
    promise_days_now: float
    step_rate: float | None
    material_rate: float | None
    time_rate: float | None
    promise_rate_vs_baseline: float | None


class DepartmentRatesOut(RatesOut):
    department_id: int
    department: str


class TaskRatesOut(RatesOut):
    task_code: str
    task_name: str
    version: int


class MetricsOut(Schema):
    snapshot_id: int
    snapshot: str
    taken_at: dt.datetime
    left_out: int
    total: RatesOut
    departments: list[DepartmentRatesOut]
    tasks: list[TaskRatesOut]


def _item(version: TaskVersion, score: float | None = None) -> dict[str, Any]:
    task = version.task
    return {
        "version_id": version.pk,
        "task_code": task.task_code,
        "version": version.version,
        "task_name": version.task_name,
        "task_type": version.task_type,
        "task_type_label": str(version.get_task_type_display()),
        "department": task.department.name,
        "department_id": task.department_id,
        "region_code": task.region.code,
        "region_name": task.region.name,
        "project_type": version.project_type,
        "anticipate_day": version.anticipate_day,
        "anticipate_type": version.anticipate_type,
        "promise_day": version.promise_day,
        "promise_type": version.promise_type,
        "online_handle_depth": version.online_handle_depth,
        "handle_area": version.handle_area,
        "score": score,
    }


def _guide(version: TaskVersion) -> dict[str, Any]:
    from yiwang.catalog.choices import REUSABLE_SOURCES

    children = queries.guide_children(version)
    body = _item(version)
    for name in GuideOut.model_fields:
        if name not in body and hasattr(version, name):
            body[name] = getattr(version, name)
    body["catalog_code"] = version.task.catalog_item.catalog_code
    body["handling_items"] = children["handling_items"]
    body["materials"] = [
        {
            **{f: getattr(m, f) for f in MaterialOut.model_fields if hasattr(m, f)},
            "handling_item_codes": [h.task_handle_item for h in m.handling_items.all()],
            "reusable": m.source_type in REUSABLE_SOURCES,
        }
        for m in children["materials"]
    ]
    body["fees"] = children["fees"]
    body["steps"] = children["steps"]
    body["questions"] = children["questions"]
    return body


@router.get(
    "/items",
    auth=None,
    response={200: SearchOut, 400: ErrorOut},
    operation_id="search_catalog_items",
)
def search_items(
    request: HttpRequest,
    q: str = "",
    department: int | None = None,
    region: str | None = None,
    theme: str | None = None,
    audience: str | None = None,
    online_depth: str | None = None,
    handle_area: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """Published items matching plain words (jieba + synonyms), best first, within filters.

    An empty `q` lists everything the filters allow, by name.
    """
    filters = search.build_filters(
        department=department,
        region=region,
        theme=theme,
        audience=audience,
        online_depth=online_depth,
        handle_area=handle_area,
    )
    result = search.search(q, filters, limit=limit, offset=offset)
    return {
        "total": result.total,
        "tokens": result.tokens,
        "synonyms_used": result.synonyms_used,
        "items": [_item(v, result.scores.get(v.pk)) for v in result.versions],
    }


@router.get(
    "/items/{task_code}",
    auth=None,
    response={200: GuideOut, 404: ErrorOut},
    operation_id="get_catalog_item",
)
def get_item(request: HttpRequest, task_code: str) -> dict[str, Any]:
    """The service guide (办事指南) of a task's current published version."""
    return _guide(queries.get_published_by_task_code(task_code))


@router.get(
    "/versions/{version_id}",
    auth=None,
    response={200: GuideOut, 404: ErrorOut},
    operation_id="get_catalog_version",
)
def get_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    """One published version's guide; drafts and retired versions are not found."""
    return _guide(queries.get_published_version(version_id))


@router.get(
    "/tasks/{task_code}/versions",
    response={200: list[VersionOut], 403: ErrorOut, 404: ErrorOut},
    operation_id="list_catalog_task_versions",
)
def task_versions(request: HttpRequest, task_code: str) -> list[dict[str, Any]]:
    """Every version of a task (administrators of its region)."""
    task = queries.get_task_by_code_for_admin(request.user, task_code)
    return [
        {
            "version_id": v.pk,
            "version": v.version,
            "status": v.status,
            "status_label": str(v.get_status_display()),
            "task_name": v.task_name,
            "created_by": v.created_by.get_username() if v.created_by else None,
            "created_at": v.created_at,
            "submitted_at": v.submitted_at,
            "approved_at": v.approved_at,
            "published_at": v.published_at,
            "retired_at": v.retired_at,
            "review_note": v.review_note,
        }
        for v in queries.history(task)
    ]


@router.get(
    "/diff",
    response={200: DiffOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="diff_catalog_versions",
)
def diff(request: HttpRequest, from_version: int, to_version: int) -> dict[str, Any]:
    """Field-by-field difference between two versions (administrators of their region)."""
    old = queries.get_version_for_admin(request.user, from_version)
    new = queries.get_version_for_admin(request.user, to_version)
    result = diff_versions(old, new)
    return {
        "from_version": old.pk,
        "to_version": new.pk,
        "fields": [c.__dict__ for c in result.fields],
        "children": {
            name: [
                {"key": r.key, "kind": r.kind, "fields": [c.__dict__ for c in r.fields]}
                for r in rows
            ]
            for name, rows in result.children.items()
        },
    }


@router.get(
    "/metrics",
    response={200: MetricsOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="catalog_streamlining_metrics",
)
def streamlining_metrics(request: HttpRequest, snapshot: int | None = None) -> dict[str, Any]:
    """Streamlining rates (steps, materials, time) against a baseline, in the caller's
    jurisdiction: in total, per department and per task."""
    tasks = queries.metrics_tasks(request.user)
    chosen = queries.get_snapshot(snapshot)
    if chosen is None:
        from yiwang.core.errors import NotFound

        raise NotFound(code="baseline_missing")
    report = metrics.streamlining(chosen, tasks)
    return {
        "snapshot_id": chosen.pk,
        "snapshot": chosen.name,
        "taken_at": chosen.taken_at,
        "left_out": report.left_out,
        "total": report.total.as_dict(),
        "departments": [
            {**tally.as_dict(), "department_id": dept.pk, "department": dept.name}
            for dept, tally in report.departments
        ],
        "tasks": [
            {
                **row.tally.as_dict(),
                "task_code": row.task.task_code,
                "task_name": row.version.task_name,
                "version": row.version.version,
            }
            for row in report.tasks
        ],
    }


class SavingsOut(Schema):
    """What applying for a bundle once saves against applying item by item."""

    members: int
    forms_before: int
    forms_after: int
    materials_before: int
    materials_after: int
    visits_before: int
    visits_after: int
    days_before: int
    days_after: int


class BundleSavingsOut(SavingsOut):
    code: str
    name: str


class BundleMetricsOut(Schema):
    total: dict[str, int]
    bundles: list[BundleSavingsOut]


@router.get(
    "/metrics/bundles",
    response={200: BundleMetricsOut, 403: ErrorOut},
    operation_id="catalog_bundle_metrics",
)
def bundle_metrics(request: HttpRequest) -> dict[str, Any]:
    """一件事 savings against applying item by item (forms, materials, visits, days), per
    published bundle in the caller's jurisdiction and in total."""
    queries.require_metrics_reader(request.user)
    rows, total = metrics.bundle_streamlining(metrics.bundles_for(request.user))
    return {
        "total": total,
        "bundles": [
            {"code": r.bundle.code, "name": r.bundle.name, **r.savings.as_dict()} for r in rows
        ],
    }


# --- 一件事 administration (catalogue administrators) ---------------------------------------


class BundleMemberIn(Schema):
    task_code: str
    task_handle_item: str = ""
    stage: int = 1
    always: bool = True


class BundleOptionIn(Schema):
    code: str
    label: str
    adds: list[str] = []


class BundleQuestionIn(Schema):
    code: str
    text: str
    help_text: str = ""
    multiple: bool = False
    options: list[BundleOptionIn]


class BundleIn(Schema):
    name: str
    life_cycle: str
    theme: str
    region_code: str
    lead_department_id: int
    description: str = ""
    members: list[BundleMemberIn]
    questions: list[BundleQuestionIn] = []


class BundleAdminOut(Schema):
    code: str
    name: str
    status: str
    version: int
    region: str
    lead_department: str
    members: int


def _bundle_admin(bundle: Any) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "status": bundle.status,
        "version": bundle.version,
        "region": bundle.region.name,
        "lead_department": bundle.lead_department.name,
        "members": bundle.members.count(),
    }


@router.get(
    "/bundles",
    response={200: list[BundleAdminOut], 403: ErrorOut},
    operation_id="catalog_admin_bundles",
)
def admin_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    """Every bundle (drafts and retired ones too) in the administrator's jurisdiction."""
    return [_bundle_admin(b) for b in queries.bundles_for_admin(request.user)]


@router.put(
    "/bundles/{code}",
    response={200: BundleAdminOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="catalog_save_bundle",
)
def save_bundle(request: HttpRequest, code: str, payload: BundleIn) -> dict[str, Any]:
    """Create or replace a bundle's definition (a published one stays published, version+1)."""
    from yiwang.catalog.bundle_actions import save_bundle as save
    from yiwang.core.errors import NotFound
    from yiwang.regions.models import Department, Region

    queries.require_manager(request.user)
    region = Region.objects.filter(code=payload.region_code).first()
    department = Department.objects.filter(pk=payload.lead_department_id).first()
    if region is None or department is None:
        raise NotFound()
    bundle = save(
        actor=request.user,
        code=code,
        name=payload.name,
        life_cycle=payload.life_cycle,
        theme=payload.theme,
        region=region,
        lead_department=department,
        description=payload.description,
        members=[m.dict() for m in payload.members],
        questions=[
            {**q.dict(exclude={"options"}), "options": [o.dict() for o in q.options]}
            for q in payload.questions
        ],
    )
    return _bundle_admin(bundle)


@router.post(
    "/bundles/{code}/{action}",
    response={200: BundleAdminOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="catalog_bundle_action",
)
def bundle_action(request: HttpRequest, code: str, action: str) -> dict[str, Any]:
    """`publish` or `retire` a bundle."""
    from yiwang.catalog.bundle_actions import publish_bundle, retire_bundle
    from yiwang.core.errors import NotFound

    bundle = queries.get_bundle_for_admin(request.user, code)
    handlers = {"publish": publish_bundle, "retire": retire_bundle}
    if action not in handlers:
        raise NotFound()
    return _bundle_admin(handlers[action](actor=request.user, bundle=bundle))
