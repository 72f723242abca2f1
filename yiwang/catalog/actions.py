"""The write path of the catalogue: items, implementation rows and their version lifecycle.

draft → submitted → approved → published → retired (a submitted version may be rejected back
to an editable state). A published version never changes: edits go into a new draft that
copies it, and publishing the new one retires the old.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.catalog import errors, search
from yiwang.catalog.choices import (
    REUSABLE_SOURCES,
    LimitUnit,
    ServiceObject,
    TaskType,
    Theme,
    VersionStatus,
)
from yiwang.catalog.models import (
    BaselineEntry,
    BaselineSnapshot,
    CatalogItem,
    FeeProject,
    FormField,
    HandlingItem,
    Material,
    Question,
    Step,
    Synonym,
    Task,
    TaskVersion,
    split_words,
)
from yiwang.core import audit
from yiwang.core.actors import is_system
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.regions.choices import Role
from yiwang.regions.models import Department, Region
from yiwang.regions.permissions import has_role, within_jurisdiction

# Fields of TaskVersion an administrator may set; everything else is lifecycle bookkeeping.
VERSION_FIELDS = frozenset(
    {
        "task_name", "task_type", "task_handle_item", "aliases", "by_law", "power_source",
        "use_level", "dept_type", "entrust_name", "other_dept", "server_type",
        "accept_condition", "limit_explain", "anticipate_day", "anticipate_type",
        "anticipate_explain", "promise_day", "promise_type", "promise_explain", "project_type",
        "handle_flow", "special_procedure", "limit_scene_num", "limit_scene_explain", "is_fee",
        "fee_basis", "transact_addr", "transact_time", "link_way", "supervise_way", "is_online",
        "online_handle_depth", "is_pay_online", "is_express", "is_schedule", "is_entry_center",
        "handle_area", "result_type", "result_name", "result_certificate_type_code",
        "user_topic_type", "corp_topic_type", "plan_effective_date", "plan_cancel_date",
    }
)  # fmt: skip
CHILDREN = {
    "handling_items": HandlingItem,
    "materials": Material,
    "fees": FeeProject,
    "steps": Step,
    "questions": Question,
    "form_fields": FormField,
}
CHILD_ORDER = ("handling_items", "materials", "fees", "steps", "questions", "form_fields")
# A natural-day limit converted for comparison: 7 natural days hold at least 5 working days.
_NATURAL_TO_WORKING = 5 / 7


def require_catalog_admin(actor: Any, region: Region | None = None) -> None:
    """Catalogue administrators (or the system) within their jurisdiction."""
    if is_system(actor):
        return
    if not has_role(actor, Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN):
        raise PermissionDenied()
    if region is not None and not within_jurisdiction(actor, region):
        raise PermissionDenied(_("该区划不在您的管辖范围内。"), code="outside_jurisdiction")


def check_version_fields(fields: Mapping[str, Any]) -> None:
    """The rules a version must satisfy to be saved at all."""
    unknown = set(fields) - VERSION_FIELDS
    if unknown:
        raise DomainError(
            "field_unknown",
            _("未知字段：%(fields)s"),
            params={"fields": "、".join(sorted(unknown))},
        )
    if "task_type" in fields and fields["task_type"] not in TaskType.values:
        raise DomainError("task_type_invalid", _("事项类型不正确。"), field="task_type")
    servers = fields.get("server_type", [])
    if not isinstance(servers, list) or any(s not in ServiceObject.values for s in servers):
        raise DomainError("server_type_invalid", _("服务对象不正确。"), field="server_type")
    for name in ("user_topic_type", "corp_topic_type"):
        topics = fields.get(name, [])
        if not isinstance(topics, list) or any(t not in Theme.values for t in topics):
            raise DomainError("topic_invalid", _("主题分类不正确。"), field=name)
    for name, value in fields.items():
        _check_model_field(name, value)
    promise, anticipate = fields.get("promise_day"), fields.get("anticipate_day")
    if promise is not None and anticipate is not None:
        promise_wd = _in_working_days(promise, fields.get("promise_type", LimitUnit.WORKING_DAYS))
        anticipate_wd = _in_working_days(
            anticipate, fields.get("anticipate_type", LimitUnit.WORKING_DAYS)
        )
        if promise_wd > anticipate_wd:
            raise DomainError(
                "promise_exceeds_statutory",
                _("承诺办结时限（%(promise)s）不能超过法定办结时限（%(anticipate)s）。"),
                params={"promise": promise, "anticipate": anticipate},
                field="promise_day",
            )


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field of a model (typed for mypy)."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):  # pragma: no cover - only concrete names are passed
        raise LookupError(name)
    return found


def _check_model_field(name: str, value: Any) -> None:
    """The column's own rules (choices, length, range, required), as a DomainError."""
    field = model_field(TaskVersion, name)
    if isinstance(field, models.JSONField):
        return  # lists of codes, checked against their code sets above
    try:
        field.clean(value, None)
    except ValidationError as invalid:
        raise DomainError(
            "field_invalid",
            _("「%(label)s」不正确：%(reason)s"),
            params={"label": field.verbose_name, "reason": "；".join(invalid.messages)},
            field=name,
        ) from None


def _in_working_days(days: int, unit: str) -> float:
    return float(days) if unit == LimitUnit.WORKING_DAYS else days * _NATURAL_TO_WORKING


def in_working_days(days: int | None, unit: str) -> float | None:
    """A time limit in working days (natural days scaled by 5/7), None when there is none."""
    return None if days is None else _in_working_days(days, unit)


def check_task_code(task_code: str, department: Department) -> str:
    """实施编码: the implementing department's USCC, then at least one more character."""
    code = task_code.strip().upper()
    if (
        not code.startswith(department.uscc)
        or len(code) > 36
        or len(code) <= len(department.uscc)
        or not code.isascii()
        or not code.isalnum()
    ):
        raise DomainError(
            "task_code_format",
            _("实施编码须以实施主体的统一社会信用代码开头，且不超过 36 位。"),
            field="task_code",
        )
    return code


def check_catalog_code(catalog_code: str) -> str:
    """基本编码: exactly 12 ASCII letters or digits."""
    code = catalog_code.strip()
    if len(code) != 12 or not code.isascii() or not code.isalnum():
        raise DomainError(
            "catalog_code_format", _("基本编码须为 12 位字母或数字。"), field="catalog_code"
        )
    return code


def check_task_region(department: Department, region: Region) -> None:
    """The implementing department belongs to the task's region or a region above it."""
    if not department.region.contains(region):
        raise DomainError(
            "task_region_mismatch",
            _("实施主体须属于该事项的区划（或其上级区划）。"),
            field="region",
        )


@transaction.atomic
def create_catalog_item(
    *, actor: Any, catalog_code: str, name: str, task_type: str, **extra: Any
) -> CatalogItem:
    """Add a basic-catalogue item (12-character basic code)."""
    require_catalog_admin(actor)
    code = check_catalog_code(catalog_code)
    if not name.strip():
        raise DomainError("name_required", _("请填写事项名称。"), field="name")
    if task_type not in TaskType.values:
        raise DomainError("task_type_invalid", _("事项类型不正确。"), field="task_type")
    if CatalogItem.objects.filter(catalog_code=code).exists():
        raise Conflict(
            "catalog_item_exists", _("基本编码 %(code)s 已存在。"), params={"code": code}
        )
    item = CatalogItem.objects.create(
        catalog_code=code, name=name.strip(), task_type=task_type, **extra
    )
    audit.record(
        "catalog.item_created", actor=actor, subject=item, after={"code": code, "name": name}
    )
    return item


@transaction.atomic
def create_task(
    *,
    actor: Any,
    catalog_item: CatalogItem,
    department: Department,
    region: Region,
    task_code: str,
    fields: Mapping[str, Any],
    children: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    local_catalog_code: str = "",
    local_task_code: str = "",
) -> TaskVersion:
    """Claim a catalogue item for a department in a region: the task and its first draft."""
    require_catalog_admin(actor, region)
    code = check_task_code(task_code, department)
    check_task_region(department, region)
    if Task.objects.filter(task_code=code).exists():
        raise Conflict("task_exists", _("实施编码 %(code)s 已存在。"), params={"code": code})
    task = Task.objects.create(
        task_code=code,
        catalog_item=catalog_item,
        department=department,
        dept_code=department.uscc,
        region=region,
        local_catalog_code=local_catalog_code,
        local_task_code=local_task_code,
    )
    values = {"task_name": catalog_item.name, "task_type": catalog_item.task_type, **fields}
    check_version_fields(values)
    version = TaskVersion.objects.create(task=task, version=1, created_by=_user(actor), **values)
    _replace_children(version, children or {})
    audit.record(
        "catalog.task_created",
        actor=actor,
        subject=task,
        after={"task_code": code, "department": department.uscc, "region": region.code},
    )
    return version


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Child fields an administrator may set (the rest is the parent link and the row id).
def child_fields(name: str) -> frozenset[str]:
    """Settable fields of one kind of child row."""
    model = CHILDREN[name]
    return frozenset(f.name for f in model._meta.concrete_fields if f.name not in {"id", "version"})


def check_children(
    children: Mapping[str, Iterable[Mapping[str, Any]]],
) -> dict[str, list[dict[str, Any]]]:
    """Validate child rows (materials, fees, steps, FAQs, situations) before any write."""
    unknown = set(children) - set(CHILDREN)
    if unknown:
        raise DomainError(
            "field_unknown",
            _("未知字段：%(fields)s"),
            params={"fields": "、".join(sorted(unknown))},
        )
    checked: dict[str, list[dict[str, Any]]] = {}
    situation_codes: set[str] = set()
    for name in CHILD_ORDER:
        if name not in children:
            continue
        model = CHILDREN[name]
        allowed = child_fields(name) | ({"handling_item_codes"} if name == "materials" else set())
        rows = [dict(row) for row in children[name]]
        for index, row in enumerate(rows, start=1):
            extra = set(row) - allowed
            if extra:
                raise DomainError(
                    "field_unknown",
                    _("未知字段：%(fields)s"),
                    params={"fields": "、".join(sorted(extra))},
                    field=f"{name}.{index}",
                )
            for key, value in row.items():
                if key == "handling_item_codes":
                    missing = [c for c in value if c not in situation_codes]
                    if missing:
                        raise DomainError(
                            "handling_item_unknown",
                            _("材料引用了不存在的业务办理项：%(codes)s"),
                            params={"codes": "、".join(missing)},
                            field=f"{name}.{index}.{key}",
                        )
                    continue
                field = model_field(model, key)
                try:
                    field.clean(value, None)
                except ValidationError as invalid:
                    raise DomainError(
                        "field_invalid",
                        _("「%(label)s」不正确：%(reason)s"),
                        params={
                            "label": field.verbose_name,
                            "reason": "；".join(invalid.messages),
                        },
                        field=f"{name}.{index}.{key}",
                    ) from None
            for key in _required_child_fields(name):
                if not row.get(key):
                    label = model_field(model, key).verbose_name
                    raise DomainError(
                        "field_required",
                        _("请填写「%(label)s」。"),
                        params={"label": label},
                        field=f"{name}.{index}.{key}",
                    )
            if name == "handling_items":
                situation_codes.add(str(row.get("task_handle_item", "")))
        if name == "form_fields":
            _check_form_keys(rows)
        checked[name] = rows
    return checked


def _check_form_keys(rows: list[dict[str, Any]]) -> None:
    """One key per field of a form: the applicant's answers are stored by key."""
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        key = str(row.get("key", ""))
        if key in seen:
            raise DomainError(
                "form_field_key_repeated",
                _("申请表字段标识 %(key)s 重复。"),
                params={"key": key},
                field=f"form_fields.{index}.key",
            )
        seen.add(key)


def _required_child_fields(name: str) -> tuple[str, ...]:
    return {
        "handling_items": ("task_handle_item", "name"),
        "materials": ("material_name",),
        "fees": ("fee_name", "fee_stand"),
        "steps": ("name", "role"),
        "questions": ("question", "answer"),
        "form_fields": ("key", "label"),
    }[name]


def _replace_children(
    version: TaskVersion, children: Mapping[str, Iterable[Mapping[str, Any]]]
) -> None:
    checked = check_children(children)
    handling_by_code: dict[str, HandlingItem] = {}
    if "handling_items" not in checked and "materials" in checked:
        handling_by_code = {h.task_handle_item: h for h in version.handling_items.all()}
    for name in CHILD_ORDER:
        if name not in checked:
            continue
        model = CHILDREN[name]
        model._default_manager.filter(version=version).delete()
        objects, situations = [], []
        for order, row in enumerate(checked[name]):
            data = dict(row)
            situations.append(data.pop("handling_item_codes", []))
            data.setdefault("order_num", order)
            objects.append(model(version=version, **data))
        created = model._default_manager.bulk_create(objects)
        if model is HandlingItem:
            handling_by_code.update(
                {h.task_handle_item: h for h in created if isinstance(h, HandlingItem)}
            )
        if model is Material:
            links = [
                Material.handling_items.through(
                    material_id=obj.pk, handlingitem_id=handling_by_code[code].pk
                )
                for obj, codes in zip(created, situations, strict=True)
                for code in codes
            ]
            Material.handling_items.through.objects.bulk_create(links)


def _lock(version: TaskVersion) -> TaskVersion:
    return (
        TaskVersion.objects.select_for_update(of=("self",))
        .select_related("task__region")
        .get(pk=version.pk)
    )


@transaction.atomic
def update_draft(
    *,
    actor: Any,
    version: TaskVersion,
    fields: Mapping[str, Any],
    children: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
) -> TaskVersion:
    """Edit a draft (or a rejected version); published ones never change."""
    locked = _lock(version)
    require_catalog_admin(actor, locked.task.region)
    if locked.status not in {VersionStatus.DRAFT, VersionStatus.REJECTED}:
        raise errors.wrong_status(locked.get_status_display(), str(_("修改")))
    merged = {name: getattr(locked, name) for name in VERSION_FIELDS} | dict(fields)
    check_version_fields(merged)
    before = {name: _jsonable(getattr(locked, name)) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = VersionStatus.DRAFT
    locked.save()
    _replace_children(locked, children or {})
    audit.record(
        "catalog.version_updated",
        actor=actor,
        subject=locked,
        before=before,
        after={name: _jsonable(value) for name, value in fields.items()},
    )
    return locked


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


@transaction.atomic
def new_draft_version(*, actor: Any, task: Task) -> TaskVersion:
    """Start editing a task again: a new draft copying its latest version and children."""
    require_catalog_admin(actor, task.region)
    Task.objects.select_for_update().get(pk=task.pk)
    latest = task.versions.order_by("-version").first()
    if latest is None:
        raise DomainError("task_has_no_version", _("该事项没有任何版本。"))
    if latest.status in {VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.REJECTED}:
        raise Conflict("draft_exists", _("该事项已有未发布的版本，请先处理。"))
    values = {name: getattr(latest, name) for name in VERSION_FIELDS}
    draft = TaskVersion.objects.create(
        task=task, version=latest.version + 1, created_by=_user(actor), **values
    )
    children: dict[str, list[dict[str, Any]]] = {}
    for name, model in CHILDREN.items():
        rows = []
        for obj in model._default_manager.filter(version=latest):
            data = {
                f.name: getattr(obj, f.name)
                for f in model._meta.concrete_fields
                if f.name not in {"id", "version"}
            }
            if isinstance(obj, Material):
                data["handling_item_codes"] = [h.task_handle_item for h in obj.handling_items.all()]
            rows.append(data)
        children[name] = rows
    _replace_children(draft, children)
    audit.record(
        "catalog.version_drafted",
        actor=actor,
        subject=draft,
        after={"from_version": latest.version},
    )
    return draft


def _transition(
    actor: Any, version: TaskVersion, allowed: set[str], target: str, action: str, verb: str
) -> TaskVersion:
    locked = _lock(version)
    require_catalog_admin(actor, locked.task.region)
    if locked.status not in allowed:
        raise errors.wrong_status(locked.get_status_display(), verb)
    before = locked.status
    locked.status = target
    return_value = locked
    stamp = {
        VersionStatus.SUBMITTED: "submitted_at",
        VersionStatus.APPROVED: "approved_at",
        VersionStatus.PUBLISHED: "published_at",
        VersionStatus.RETIRED: "retired_at",
    }.get(VersionStatus(target))
    if stamp:
        setattr(locked, stamp, timezone.now())
    locked.save()
    audit.record(
        action, actor=actor, subject=locked, before={"status": before}, after={"status": target}
    )
    return return_value


@transaction.atomic
def submit_version(*, actor: Any, version: TaskVersion) -> TaskVersion:
    """Send a draft for review."""
    return _transition(
        actor,
        version,
        {VersionStatus.DRAFT},
        VersionStatus.SUBMITTED,
        "catalog.version_submitted",
        str(_("提交审核")),
    )


@transaction.atomic
def approve_version(*, actor: Any, version: TaskVersion) -> TaskVersion:
    """Approve a submitted version (审定)."""
    return _transition(
        actor,
        version,
        {VersionStatus.SUBMITTED},
        VersionStatus.APPROVED,
        "catalog.version_approved",
        str(_("审定")),
    )


@transaction.atomic
def reject_version(*, actor: Any, version: TaskVersion, note: str) -> TaskVersion:
    """Send a submitted version back with a reason (审核驳回)."""
    if not note.strip():
        raise DomainError("reason_required", _("请填写驳回理由。"), field="note")
    rejected = _transition(
        actor,
        version,
        {VersionStatus.SUBMITTED},
        VersionStatus.REJECTED,
        "catalog.version_rejected",
        str(_("驳回")),
    )
    rejected.review_note = note.strip()
    rejected.save(update_fields=["review_note"])
    return rejected


@transaction.atomic
def publish_version(*, actor: Any, version: TaskVersion) -> TaskVersion:
    """Publish an approved version; the task's previous published version is retired."""
    # Power-list items (处罚, 强制, 检查, 征收) are published too, but never applied for:
    # catalog.queries leaves them out of everything an applicant can reach.
    locked_task = Task.objects.select_for_update().get(pk=version.task_id)
    published = _transition(
        actor,
        version,
        {VersionStatus.APPROVED},
        VersionStatus.PUBLISHED,
        "catalog.version_published",
        str(_("发布")),
    )
    previous = locked_task.current_version
    if previous is not None and previous.pk != published.pk:
        previous.status = VersionStatus.RETIRED
        previous.retired_at = timezone.now()
        previous.save(update_fields=["status", "retired_at"])
        audit.record(
            "catalog.version_retired",
            actor=actor,
            subject=previous,
            before={"status": VersionStatus.PUBLISHED},
            after={"status": VersionStatus.RETIRED, "replaced_by": published.version},
        )
        search.unindex_version(previous)
    locked_task.current_version = published
    locked_task.save(update_fields=["current_version"])
    published.task = locked_task
    search.index_version(published)
    return published


@transaction.atomic
def retire_version(*, actor: Any, version: TaskVersion) -> TaskVersion:
    """Withdraw a published version: the item can no longer be applied for."""
    retired = _transition(
        actor,
        version,
        {VersionStatus.PUBLISHED},
        VersionStatus.RETIRED,
        "catalog.version_retired",
        str(_("废止")),
    )
    Task.objects.filter(pk=retired.task_id, current_version=retired).update(current_version=None)
    search.unindex_version(retired)
    return retired


# ---------------------------------------------------------------- synonyms


@transaction.atomic
def set_synonym(*, actor: Any, term: str, words: str) -> Synonym:
    """Add or change a synonym: a plain word people type and the catalogue words it means."""
    require_catalog_admin(actor)
    term = "".join(term.split())
    word_list = split_words(words)
    if not term or len(term) > 40:
        raise DomainError("synonym_term_invalid", _("请填写 1–40 个字的群众说法。"), field="term")
    if not word_list or len(" ".join(word_list)) > 200:
        raise DomainError(
            "synonym_words_invalid",
            _("请填写至少一个规范用语（合计不超过 200 字）。"),
            field="words",
        )
    if word_list == [term]:
        raise DomainError("synonym_same", _("规范用语不能与群众说法相同。"), field="words")
    synonym = Synonym.objects.select_for_update().filter(term=term).first()
    before = {"words": synonym.words} if synonym else None
    if synonym is None:
        synonym = Synonym(term=term)
    synonym.words = " ".join(word_list)
    synonym.updated_by = _user(actor)
    synonym.save()
    audit.record(
        "catalog.synonym_set",
        actor=actor,
        subject=synonym,
        before=before,
        after={"term": term, "words": synonym.words},
    )
    return synonym


@transaction.atomic
def delete_synonym(*, actor: Any, synonym: Synonym) -> None:
    """Remove a synonym."""
    require_catalog_admin(actor)
    locked = Synonym.objects.select_for_update().filter(pk=synonym.pk).first()
    if locked is None:
        return
    audit.record(
        "catalog.synonym_deleted",
        actor=actor,
        subject=locked,
        before={"term": locked.term, "words": locked.words},
    )
    locked.delete()


# ---------------------------------------------------------------- baselines


def required_material_count(materials: Iterable[Material]) -> int:
    """Materials an applicant must still hand in: necessary and not covered by a
    certificate or shared data (DOMAIN §3.1.5)."""
    return sum(1 for m in materials if m.is_need and m.source_type not in REUSABLE_SOURCES)


def require_city_catalog_admin(actor: Any) -> None:
    """Baselines measure the whole city: only city-wide catalogue or system administrators."""
    require_catalog_admin(actor)
    if is_system(actor):
        return
    from yiwang.regions.queries import staff_of

    staff = staff_of(actor)
    if staff is None or staff.jurisdiction.parent_id is not None:
        raise PermissionDenied(_("只有市级事项管理员可以采集基线。"), code="city_admin_only")


@transaction.atomic
def take_baseline(*, actor: Any, name: str, note: str = "") -> BaselineSnapshot:
    """采集基线: record every published task's steps, required materials and time limits."""
    require_city_catalog_admin(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(
            "baseline_name_invalid", _("请填写基线名称（不超过 100 字）。"), field="name"
        )
    if BaselineSnapshot.objects.filter(name=name).exists():
        raise Conflict("baseline_exists", _("基线「%(name)s」已存在。"), params={"name": name})
    snapshot = BaselineSnapshot.objects.create(name=name, note=note.strip(), taken_by=_user(actor))
    versions = (
        TaskVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .prefetch_related("steps", "materials")
        .order_by("pk")
    )
    entries = [
        BaselineEntry(
            snapshot=snapshot,
            task_id=version.task_id,
            version=version,
            steps=len(version.steps.all()),
            required_materials=required_material_count(version.materials.all()),
            anticipate_days=in_working_days(version.anticipate_day, version.anticipate_type),
            promise_days=in_working_days(version.promise_day, version.promise_type),
        )
        for version in versions.iterator(chunk_size=2000)
    ]
    BaselineEntry.objects.bulk_create(entries, batch_size=2000)
    audit.record(
        "catalog.baseline_taken",
        actor=actor,
        subject=snapshot,
        after={"name": name, "tasks": len(entries)},
    )
    return snapshot
