"""The write path of the resource catalogue (一本账) and its data elements (一数一源).

draft → published → retired. A published version never changes: edits go into a new draft
that copies it; publishing the new one retires the old. Publishing records a copy with
lineage for every item whose authoritative source is another department, and anchors the
version's digest in the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit, numbering
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.exchange import clock, errors, integration
from yiwang.exchange.actions._common import clean_text, user_or_none
from yiwang.exchange.choices import (
    BASIC_SUBJECTS,
    THEMATIC_SUBJECTS,
    DataType,
    DemandStatus,
    OpenType,
    ResourceCategory,
    ResourceFormat,
    Sensitivity,
    SharingMethod,
    SharingType,
    UpdateCycle,
    VersionStatus,
)
from yiwang.exchange.models import (
    DataCopy,
    DataDemand,
    DataElement,
    DataItem,
    Resource,
    ResourceVersion,
)
from yiwang.exchange.permissions import is_data_authority, may_manage_resource
from yiwang.regions.models import Department

VERSION_FIELDS = frozenset(
    {
        "name", "summary", "resource_format", "provider_system", "sharing_type",
        "sharing_condition", "not_shared_basis", "sharing_methods", "open_type",
        "open_condition", "update_cycle", "related_codes", "keywords",
    }
)  # fmt: skip
_ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DIGITS = re.compile(r"^\d*$")


def classification_code(category: str, subject: str, section: str, detail: str = "") -> str:
    """类 + 项 + 目 + 细目, checked against the code sets."""
    if category not in ResourceCategory.values:
        raise DomainError("category_invalid", _("信息资源分类（类）不正确。"), field="category")
    if len(subject) != 2 or not subject.isdigit():
        raise DomainError("subject_invalid", _("「项」须为 2 位数字。"), field="subject_code")
    known = {"1": BASIC_SUBJECTS, "2": THEMATIC_SUBJECTS}.get(category)
    if known is not None and subject not in known:
        raise DomainError("subject_invalid", _("该类下没有这个「项」。"), field="subject_code")
    if len(section) != 3 or not section.isdigit():
        raise DomainError("section_invalid", _("「目」须为 3 位数字。"), field="section_code")
    if len(detail) > 6 or not _DIGITS.match(detail):
        raise DomainError("detail_invalid", _("「细目」须为 0 至 6 位数字。"), field="detail_code")
    return f"{category}{subject}{section}{detail}"


def _check_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - VERSION_FIELDS
    if unknown:
        raise DomainError(
            "field_unknown",
            _("未知字段：%(fields)s"),
            params={"fields": "、".join(sorted(unknown))},
        )
    values = dict(fields)
    for name, model_choices in (
        ("resource_format", ResourceFormat),
        ("sharing_type", SharingType),
        ("open_type", OpenType),
        ("update_cycle", UpdateCycle),
    ):
        if name in values and values[name] not in model_choices.values:
            raise DomainError("choice_invalid", _("选项不正确。"), field=name)
    methods = values.get("sharing_methods", [])
    if not isinstance(methods, list) or any(m not in SharingMethod.values for m in methods):
        raise DomainError("choice_invalid", _("选项不正确。"), field="sharing_methods")
    related = values.get("related_codes", [])
    if not isinstance(related, list) or any(not isinstance(code, str) for code in related):
        raise DomainError("related_invalid", _("关联资源代码不正确。"), field="related_codes")
    if related:
        found = set(Resource.objects.filter(code__in=related).values_list("code", flat=True))
        missing = sorted(set(related) - found)
        if missing:
            raise DomainError(
                "related_unknown",
                _("关联资源代码不存在：%(codes)s"),
                params={"codes": "、".join(missing)},
                field="related_codes",
            )
    for name, limit in (("name", 200), ("provider_system", 120), ("keywords", 300)):
        if name in values:
            values[name] = clean_text(values[name], name, max_length=limit, required=name == "name")
    return values


def _clean_items(
    rows: Iterable[Mapping[str, Any]], provider: Department, provider_system: str
) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for order, row in enumerate(rows):
        code = str(row.get("code", "")).strip()
        if not _ITEM_CODE.match(code):
            raise DomainError(
                "item_code_invalid",
                _("信息项标识「%(code)s」须以小写字母开头，只含小写字母、数字和下划线。"),
                params={"code": code},
                field="items",
            )
        if code in seen:
            raise DomainError(
                "item_code_duplicate",
                _("信息项标识「%(code)s」重复。"),
                params={"code": code},
                field="items",
            )
        seen.add(code)
        name = clean_text(str(row.get("name", "")), "items", max_length=100)
        data_type = row.get("data_type", DataType.STRING)
        sensitivity = row.get("sensitivity", Sensitivity.INTERNAL)
        if data_type not in DataType.values or sensitivity not in Sensitivity.values:
            raise DomainError("choice_invalid", _("选项不正确。"), field="items")
        length = row.get("length")
        if length is not None and (not isinstance(length, int) or not 0 < length <= 100000):
            raise DomainError("item_length_invalid", _("信息项长度不正确。"), field="items")
        element = None
        element_code = row.get("element")
        if element_code:
            element = DataElement.objects.filter(code=element_code).first()
            if element is None:
                raise DomainError(
                    "element_unknown",
                    _("数据元 %(code)s 不存在。"),
                    params={"code": element_code},
                    field="items",
                )
        source_department, source_system = _source_for(row, element, provider, provider_system)
        cleaned.append(
            {
                "code": code,
                "name": name,
                "data_type": data_type,
                "length": length,
                "is_key": bool(row.get("is_key", False)),
                "sensitivity": sensitivity,
                "element": element,
                "source_department": source_department,
                "source_system": source_system,
                "order_num": order,
            }
        )
    return cleaned


def _source_for(
    row: Mapping[str, Any],
    element: DataElement | None,
    provider: Department,
    provider_system: str,
) -> tuple[Department, str]:
    """一数一源: an item of a registered element takes the element's one source, and may not
    name another; other items are sourced from the provider itself unless stated."""
    stated_id = row.get("source_department_id")
    stated_system = str(row.get("source_system", "") or "").strip()
    if element is not None:
        if (stated_id and stated_id != element.source_department_id) or (
            stated_system and stated_system != element.source_system
        ):
            raise DomainError(
                "source_conflict",
                _("信息项「%(name)s」的权威来源已确定为%(source)s，不能另指来源（一数一源）。"),
                params={"name": row.get("name", ""), "source": element.source_department.name},
                field="items",
            )
        return element.source_department, element.source_system
    if stated_id:
        department = Department.objects.filter(pk=stated_id).first()
        if department is None:
            raise DomainError("department_unknown", _("部门不存在。"), field="items")
        return department, stated_system or provider_system
    return provider, stated_system or provider_system or provider.name


def _replace_items(version: ResourceVersion, rows: Iterable[Mapping[str, Any]]) -> None:
    cleaned = _clean_items(rows, version.resource.provider, version.provider_system)
    version.items.all().delete()
    DataItem.objects.bulk_create([DataItem(version=version, **row) for row in cleaned])


@transaction.atomic
def create_resource(
    *,
    actor: Any,
    provider: Department,
    category: str,
    subject_code: str,
    section_code: str,
    detail_code: str = "",
    fields: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]] = (),
) -> ResourceVersion:
    """Catalogue a resource: its code (gap-free per classification) and a first draft."""
    if not may_manage_resource(actor, provider):
        raise PermissionDenied()
    prefix = classification_code(category, subject_code, section_code, detail_code)
    values = _check_fields(fields)
    if "name" not in values:
        raise DomainError("field_required", _("请填写此项。"), field="name")
    values.setdefault("sharing_type", SharingType.CONDITIONAL)
    code = numbering.formatted(prefix, f"exchange.resource.{prefix}", 6)
    resource = Resource.objects.create(
        code=code,
        category=category,
        subject_code=subject_code,
        section_code=section_code,
        detail_code=detail_code,
        classification_code=prefix,
        provider=provider,
    )
    version = ResourceVersion.objects.create(
        resource=resource, version=1, created_by=user_or_none(actor), **values
    )
    _replace_items(version, items)
    audit.record(
        "exchange.resource_created",
        actor=actor,
        subject=resource,
        after={"code": code, "name": version.name, "provider": provider.uscc},
    )
    return version


def _lock(version: ResourceVersion) -> ResourceVersion:
    locked = (
        ResourceVersion.objects.select_for_update(of=("self",))
        .select_related("resource__provider__region")
        .filter(pk=version.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def update_resource_draft(
    *,
    actor: Any,
    version: ResourceVersion,
    fields: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]] | None = None,
) -> ResourceVersion:
    """Edit a draft; a published or retired version never changes."""
    locked = _lock(version)
    if not may_manage_resource(actor, locked.resource.provider):
        raise PermissionDenied()
    if locked.status != VersionStatus.DRAFT:
        raise errors.wrong_status(locked.get_status_display(), str(_("修改")))
    values = _check_fields(fields)
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    if items is not None:
        _replace_items(locked, items)
    audit.record(
        "exchange.resource_draft_updated",
        actor=actor,
        subject=locked,
        before=before,
        after=dict(values) | ({"items": len(list(locked.items.all()))} if items else {}),
    )
    return locked


@transaction.atomic
def new_resource_draft(*, actor: Any, resource: Resource) -> ResourceVersion:
    """Start a new version of a resource, copying its latest one with its items."""
    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
    latest = resource.versions.order_by("-version").first()
    if latest is None:
        raise NotFound()
    if latest.status == VersionStatus.DRAFT:
        raise Conflict("draft_exists", _("该资源已有草稿，请先处理。"))
    values = {name: getattr(latest, name) for name in VERSION_FIELDS}
    draft = ResourceVersion.objects.create(
        resource=resource, version=latest.version + 1, created_by=user_or_none(actor), **values
    )
    fields_to_copy = [
        f.name for f in DataItem._meta.concrete_fields if f.name not in {"id", "version"}
    ]
    DataItem.objects.bulk_create(
        [
            DataItem(version=draft, **{name: getattr(item, name) for name in fields_to_copy})
            for item in latest.items.all()
        ]
    )
    audit.record(
        "exchange.resource_drafted",
        actor=actor,
        subject=draft,
        after={"from_version": latest.version},
    )
    return draft


def _check_publishable(version: ResourceVersion) -> None:
    if not version.items.exists():
        raise DomainError("items_required", _("发布前须至少登记一个信息项。"), field="items")
    if version.sharing_type == SharingType.CONDITIONAL and not version.sharing_condition.strip():
        raise DomainError(
            "condition_required",
            _("有条件共享的资源须写明共享条件。"),
            field="sharing_condition",
        )
    if version.sharing_type == SharingType.NOT_SHARED and not version.not_shared_basis.strip():
        raise DomainError(
            "basis_required",
            _("不予共享的资源须写明法律、行政法规或政策依据。"),
            field="not_shared_basis",
        )
    if version.sharing_type != SharingType.NOT_SHARED and not version.sharing_methods:
        raise DomainError("methods_required", _("请选择共享方式。"), field="sharing_methods")


@transaction.atomic
def publish_resource_version(*, actor: Any, version: ResourceVersion) -> ResourceVersion:
    """Publish a draft (data administrator); the previous published version is retired."""
    locked = _lock(version)
    resource = Resource.objects.select_for_update(of=("self",)).get(pk=locked.resource_id)
    if not is_data_authority(actor, resource.provider.region):
        raise PermissionDenied()
    if locked.status != VersionStatus.DRAFT:
        raise errors.wrong_status(locked.get_status_display(), str(_("发布")))
    _check_publishable(locked)
    now = clock.now()
    previous = resource.current_version
    if previous is not None:
        previous.status = VersionStatus.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = now
    locked.save(update_fields=["status", "published_at"])
    resource.current_version = locked
    resource.save(update_fields=["current_version"])
    _record_copies(locked, resource)
    _fulfil_demands(actor, resource)
    payload = version_payload(locked)
    integration.anchor("exchange.catalogue_version", f"{resource.code}/v{locked.version}", payload)
    audit.record(
        "exchange.resource_published",
        actor=actor,
        subject=locked,
        before={"status": VersionStatus.DRAFT, "replaces": previous.version if previous else None},
        after={"status": VersionStatus.PUBLISHED, "digest": integration.payload_digest(payload)},
    )
    return locked


def version_payload(version: ResourceVersion) -> dict[str, Any]:
    """What a published version says, as anchored in the ledger."""
    return {
        "v": 1,
        "type": "yiwang.exchange.catalogue_version",
        "code": version.resource.code,
        "version": version.version,
        "provider": version.resource.provider.uscc,
        "name": version.name,
        "sharing_type": version.sharing_type,
        "open_type": version.open_type,
        "items": [
            {
                "code": item.code,
                "name": item.name,
                "type": item.data_type,
                "sensitivity": item.sensitivity,
                "source": item.source_department.uscc,
            }
            for item in version.items.select_related("source_department")
        ],
    }


def _record_copies(version: ResourceVersion, resource: Resource) -> None:
    """Every item sourced elsewhere is a copy; keep where it comes from (lineage)."""
    for item in version.items.select_related("element", "source_department"):
        if item.source_department_id == resource.provider_id:
            continue
        source_resource = (
            Resource.objects.filter(
                provider=item.source_department,
                current_version__items__code=item.code,
            )
            .exclude(pk=resource.pk)
            .first()
        )
        DataCopy.objects.create(
            item=item,
            element=item.element,
            holder_department=resource.provider,
            holder_system=version.provider_system,
            source_department=item.source_department,
            source_system=item.source_system,
            source_resource=source_resource,
            method=str(_("共享交换")),
        )


def _fulfil_demands(actor: Any, resource: Resource) -> None:
    for demand in DataDemand.objects.select_for_update(of=("self",)).filter(
        fulfilled_resource=resource, status=DemandStatus.ASSIGNED
    ):
        demand.status = DemandStatus.FULFILLED
        demand.save(update_fields=["status"])
        from yiwang.exchange.actions.alarms import resolve_alarms

        resolve_alarms(demand)
        audit.record(
            "exchange.demand_fulfilled",
            actor=actor,
            subject=demand,
            before={"status": DemandStatus.ASSIGNED},
            after={"status": DemandStatus.FULFILLED, "resource": resource.code},
        )


@transaction.atomic
def retire_resource_version(*, actor: Any, version: ResourceVersion) -> ResourceVersion:
    """Withdraw a published version: the resource leaves the catalogue until republished."""
    locked = _lock(version)
    if not is_data_authority(actor, locked.resource.provider.region):
        raise PermissionDenied()
    if locked.status != VersionStatus.PUBLISHED:
        raise errors.wrong_status(locked.get_status_display(), str(_("废止")))
    locked.status = VersionStatus.RETIRED
    locked.retired_at = clock.now()
    locked.save(update_fields=["status", "retired_at"])
    Resource.objects.filter(pk=locked.resource_id, current_version=locked).update(
        current_version=None
    )
    audit.record(
        "exchange.resource_retired",
        actor=actor,
        subject=locked,
        before={"status": VersionStatus.PUBLISHED},
        after={"status": VersionStatus.RETIRED},
    )
    return locked


@transaction.atomic
def register_data_element(
    *,
    actor: Any,
    code: str,
    name: str,
    data_type: str,
    source_department: Department,
    source_system: str,
    definition: str = "",
) -> DataElement:
    """Register a data element and its ONE authoritative source (data administrator)."""
    if not is_data_authority(actor, source_department.region):
        raise PermissionDenied()
    code = clean_text(code, "code", max_length=20).upper()
    if not re.match(r"^[A-Z0-9_-]+$", code):
        raise DomainError("element_code_invalid", _("数据元编码只能包含字母、数字、- 和 _。"))
    if data_type not in DataType.values:
        raise DomainError("choice_invalid", _("选项不正确。"), field="data_type")
    if DataElement.objects.filter(code=code).exists():
        raise Conflict("element_exists", _("数据元 %(code)s 已存在。"), params={"code": code})
    element = DataElement.objects.create(
        code=code,
        name=clean_text(name, "name", max_length=100),
        data_type=data_type,
        definition=definition.strip(),
        source_department=source_department,
        source_system=clean_text(source_system, "source_system", max_length=120),
    )
    audit.record(
        "exchange.element_registered",
        actor=actor,
        subject=element,
        after={"code": code, "source": source_department.uscc, "system": element.source_system},
    )
    return element
