"""The difference between two versions of an implementation-list row, field by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.actions import CHILDREN, VERSION_FIELDS, child_fields, model_field
from yiwang.catalog.choices import ServiceObject, Theme
from yiwang.catalog.models import Material, TaskVersion

# The field that names a child row, so a changed row is told from an added one.
CHILD_KEYS = {
    "handling_items": "task_handle_item",
    "materials": "material_name",
    "fees": "fee_name",
    "steps": "name",
    "questions": "question",
}
CHILD_LABELS = {
    "handling_items": _("业务办理项"),
    "materials": _("申请材料"),
    "fees": _("收费项目"),
    "steps": _("办理环节"),
    "questions": _("常见问题"),
}
_LIST_LABELS = {
    "server_type": dict(ServiceObject.choices),
    "user_topic_type": dict(Theme.choices),
    "corp_topic_type": dict(Theme.choices),
}


def display(model_field: models.Field[Any, Any], value: Any) -> str:
    """A stored value as a person reads it (choice labels, 是/否, lists with 、)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if isinstance(value, list):
        labels = _LIST_LABELS.get(model_field.name, {})
        return "、".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


@dataclass
class FieldChange:
    """One field whose value differs."""

    name: str
    label: str
    before: str
    after: str


@dataclass
class RowChange:
    """One child row added, removed or changed (with its changed fields)."""

    key: str
    kind: str  # "added" | "removed" | "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    """Everything that differs from `old` to `new`."""

    old: TaskVersion
    new: TaskVersion
    fields: list[FieldChange]
    children: dict[str, list[RowChange]]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not any(self.children.values())

    def child_sections(self) -> list[tuple[str, str, list[RowChange]]]:
        return [
            (name, str(CHILD_LABELS[name]), rows) for name, rows in self.children.items() if rows
        ]


def _ordered_version_fields() -> list[models.Field[Any, Any]]:
    return [f for f in TaskVersion._meta.concrete_fields if f.name in VERSION_FIELDS]


def _child_rows(version: TaskVersion, name: str) -> dict[str, dict[str, Any]]:
    model = CHILDREN[name]
    key_field = CHILD_KEYS[name]
    rows: dict[str, dict[str, Any]] = {}
    queryset = model._default_manager.filter(version=version)
    if model is Material:
        queryset = queryset.prefetch_related("handling_items")
    for obj in queryset:
        data = {f: getattr(obj, f) for f in child_fields(name) if f != "order_num"}
        if isinstance(obj, Material):
            data["handling_item_codes"] = sorted(
                h.task_handle_item for h in obj.handling_items.all()
            )
        key = str(data[key_field])
        # Two rows with the same name keep apart by position.
        while key in rows:
            key += "′"
        rows[key] = data
    return rows


def _field_label(model: type[models.Model], name: str) -> str:
    if name == "handling_item_codes":
        return str(_("适用的业务办理项"))
    return str(model_field(model, name).verbose_name)


def diff_versions(old: TaskVersion, new: TaskVersion) -> VersionDiff:
    """Field-by-field and row-by-row difference from `old` to `new` (same task or not)."""
    changes = []
    for column in _ordered_version_fields():
        before, after = getattr(old, column.name), getattr(new, column.name)
        if before != after:
            changes.append(
                FieldChange(
                    column.name,
                    str(column.verbose_name),
                    display(column, before),
                    display(column, after),
                )
            )
    children: dict[str, list[RowChange]] = {}
    for name in CHILD_KEYS:
        model = CHILDREN[name]
        before_rows, after_rows = _child_rows(old, name), _child_rows(new, name)
        rows: list[RowChange] = []
        for key in before_rows.keys() - after_rows.keys():
            rows.append(RowChange(key, "removed"))
        for key in after_rows.keys() - before_rows.keys():
            rows.append(RowChange(key, "added"))
        for key in before_rows.keys() & after_rows.keys():
            a, b = before_rows[key], after_rows[key]
            changed = []
            for fname in a:
                if a[fname] != b[fname]:
                    label = _field_label(model, fname)
                    if fname == "handling_item_codes":
                        changed.append(
                            FieldChange(fname, label, "、".join(a[fname]), "、".join(b[fname]))
                        )
                    else:
                        column = model_field(model, fname)
                        changed.append(
                            FieldChange(
                                fname, label, display(column, a[fname]), display(column, b[fname])
                            )
                        )
            if changed:
                rows.append(RowChange(key, "changed", changed))
        children[name] = sorted(rows, key=lambda r: (r.kind, r.key))
    return VersionDiff(old, new, changes, children)
