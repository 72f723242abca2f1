"""Forms of the catalogue console: a task's claim, a draft's fields and its child rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.actions import CHILDREN, VERSION_FIELDS, child_fields
from yiwang.catalog.choices import ServiceObject, TaskType, Theme, UseLevel
from yiwang.catalog.models import CatalogItem, TaskVersion
from yiwang.regions.models import Department, Region

LIST_FIELDS = {
    "server_type": ServiceObject.choices,
    "user_topic_type": Theme.choices,
    "corp_topic_type": Theme.choices,
}
DATE_FIELDS = {"plan_effective_date", "plan_cancel_date"}


def _version_field_order() -> list[str]:
    return [f.name for f in TaskVersion._meta.concrete_fields if f.name in VERSION_FIELDS]


def _widen(form_fields: dict[str, forms.Field]) -> dict[str, forms.Field]:
    for name, field in form_fields.items():
        if name in LIST_FIELDS:
            form_fields[name] = forms.MultipleChoiceField(
                label=field.label,
                choices=LIST_FIELDS[name],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        elif name in DATE_FIELDS:
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif isinstance(field.widget, forms.Textarea):
            field.widget.attrs.update(rows=3, cols=60)
    return form_fields


class VersionFieldsForm(forms.Form):
    """Every field an administrator may set on a draft (national names, Chinese labels)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_widen(fields_for_model(TaskVersion, fields=_version_field_order())))

    @classmethod
    def initial_for(cls, version: TaskVersion) -> dict[str, Any]:
        return {name: getattr(version, name) for name in VERSION_FIELDS}


class TaskCreateForm(forms.Form):
    """认领: a department claims a basic-catalogue item in a region (the first draft)."""

    catalog_item = forms.ModelChoiceField(
        label=_("基本目录事项"),
        queryset=CatalogItem.objects.none(),
        required=False,
        help_text=_("选择已有的基本目录事项；没有时在下面填写新的基本编码和名称。"),
    )
    new_catalog_code = forms.CharField(
        label=_("新基本编码（12 位）"), max_length=20, required=False
    )
    new_catalog_name = forms.CharField(
        label=_("新基本目录事项名称"), max_length=200, required=False
    )
    department = forms.ModelChoiceField(label=_("实施主体"), queryset=Department.objects.none())
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none())
    task_code = forms.CharField(
        label=_("实施编码"),
        max_length=40,
        help_text=_("以实施主体的统一社会信用代码开头，不超过 36 位。"),
    )
    task_name = forms.CharField(label=_("事项名称"), max_length=200)
    task_type = forms.ChoiceField(label=_("事项类型"), choices=TaskType.choices)
    use_level = forms.ChoiceField(label=_("行使层级"), choices=UseLevel.choices)
    anticipate_day = forms.IntegerField(
        label=_("法定办结时限（工作日）"), min_value=0, required=False
    )
    promise_day = forms.IntegerField(label=_("承诺办结时限（工作日）"), min_value=0, required=False)

    def __init__(self, *args: Any, departments: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["catalog_item"].queryset = CatalogItem.objects.order_by("catalog_code")  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("catalog_item") and not (
            data.get("new_catalog_code") and data.get("new_catalog_name")
        ):
            raise forms.ValidationError(_("请选择基本目录事项，或填写新的基本编码和名称。"))
        return data


def _child_form(name: str) -> type[forms.Form]:
    model = CHILDREN[name]
    settable = child_fields(name) - {"order_num"}
    ordered = [f.name for f in model._meta.concrete_fields if f.name in settable]
    form_fields = _widen(fields_for_model(model, fields=ordered))
    if name == "materials":
        form_fields["handling_item_codes"] = forms.CharField(
            label=_("适用的业务办理项编码"),
            required=False,
            help_text=_("留空表示所有情形都需要；多个编码用逗号分隔。"),
        )
    if name == "form_fields":
        form_fields["choices"] = forms.CharField(
            label=_("可选值"),
            required=False,
            max_length=1000,
            help_text=_("字段类型为“选项”时填写；多个值用逗号或顿号分隔。"),
        )
        form_fields["prefill"].help_text = _(
            "可留空。个人信息：profile:name、profile:mobile、profile:address、"
            "profile:birth_date；电子证照：certificate:证照类型代码:照面字段。"
        )
    return type(f"{name.title()}Form", (forms.Form,), dict(form_fields))


CHILD_FORMSETS = {
    name: forms.formset_factory(_child_form(name), extra=1, can_delete=True)
    for name in ("handling_items", "materials", "fees", "steps", "questions", "form_fields")
}
CHILD_TITLES = {
    "handling_items": _("业务办理项（情形）"),
    "materials": _("申请材料"),
    "fees": _("收费项目"),
    "steps": _("办理环节"),
    "questions": _("常见问题"),
    "form_fields": _("申请表字段"),
}


def _split_list(text: Any) -> list[str]:
    """A list typed in one box: commas (either width), 、 or semicolons separate the values."""
    text = str(text or "")
    for separator in "，、;；":
        text = text.replace(separator, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def child_initial(version: TaskVersion, name: str) -> list[dict[str, Any]]:
    model = CHILDREN[name]
    rows = []
    for obj in model._default_manager.filter(version=version).order_by("order_num", "pk"):
        data = {f: getattr(obj, f) for f in child_fields(name) - {"order_num"}}
        if name == "materials":
            data["handling_item_codes"] = ",".join(
                h.task_handle_item
                for h in obj.handling_items.all()  # type: ignore[attr-defined]
            )
        if name == "form_fields":
            data["choices"] = "，".join(str(c) for c in data.get("choices") or [])
        rows.append(data)
    return rows


def child_rows(formset: forms.BaseFormSet[Any], name: str) -> list[dict[str, Any]]:
    """The rows a valid formset keeps (deleted and untouched blank rows dropped)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not form.has_changed() and not form.initial:
            continue
        row = {k: v for k, v in data.items() if k != "DELETE"}
        if name == "materials":
            codes = str(row.pop("handling_item_codes", "") or "")
            row["handling_item_codes"] = [
                c.strip() for c in codes.replace("，", ",").split(",") if c.strip()
            ]
        if name == "form_fields":
            row["choices"] = _split_list(row.get("choices"))
        rows.append(row)
    return rows


class RejectForm(forms.Form):
    note = forms.CharField(label=_("驳回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class SynonymForm(forms.Form):
    term = forms.CharField(label=_("群众说法"), max_length=40)
    words = forms.CharField(
        label=_("对应的规范用语"),
        max_length=200,
        help_text=_("一个或多个规范用语，用空格、逗号或顿号分隔，例如：开餐馆 食品经营"),
    )


class BaselineForm(forms.Form):
    name = forms.CharField(label=_("基线名称"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("实施清单工作簿（.xlsx）"))
