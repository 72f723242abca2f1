"""The apply form: a summary, contact details, what the result will say (a certificate's face),
and one file field per catalogue material."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yiwang.cases.uploads import CheckedFile, check_upload
from yiwang.catalog.choices import REUSABLE_SOURCES
from yiwang.core.errors import DomainError

ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
RESULT_PREFIX = "result_"
K = TypeVar("K")


class ApplyForm(forms.Form):
    project_name = forms.CharField(label=_("办理摘要（可不填）"), max_length=200, required=False)
    contact_mobile = forms.RegexField(
        label=_("联系人手机"), regex=r"^1\d{10}$", max_length=11, required=False
    )
    address = forms.CharField(label=_("通讯地址（可不填）"), max_length=200, required=False)

    applicant = forms.ChoiceField(label=_("申请人"), required=False)

    def __init__(
        self,
        *args: Any,
        materials: list[Any],
        companies: list[Any] | None = None,
        form_fields: list[Any] | None = None,
        prefilled: dict[str, str] | None = None,
        result_fields: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The item's own application form (申请表), pre-filled from profile and certificates.
        for spec in form_fields or []:
            self.fields[f"f_{spec.key}"] = form_field_for(spec, (prefilled or {}).get(spec.key))
        if companies:
            choices = [("", str(_("本人")))] + [(str(c.pk), c.name) for c in companies]
            self.fields["applicant"] = forms.ChoiceField(
                label=_("申请人"), required=False, choices=choices
            )
        else:
            del self.fields["applicant"]
        own_keys = {spec.key for spec in form_fields or []}
        for spec in result_fields or []:
            if spec["name"] in own_keys:
                continue  # the item's own form already asks for it
            self.fields[f"{RESULT_PREFIX}{spec['name']}"] = forms.CharField(
                label=spec["label"],
                max_length=200,
                required=bool(spec.get("required", True)),
                help_text=_("将载入办理结果（证照照面）。"),
            )
        for material in materials:
            self.fields[material_field_name(material)] = material_file_field(
                material.material_name,
                reusable=material.source_type in REUSABLE_SOURCES,
                help_text=str(material.accept_stand or ""),
            )

    def form_data(self) -> dict[str, str]:
        """form_data: the item's own fields (f_<key>) and the result's face (result_<name>)."""
        return {**self.result_data(), **form_values(self.cleaned_data)}

    def result_data(self) -> dict[str, str]:
        """What the applicant filled in for the result, by its field name (form_data)."""
        return {
            name[len(RESULT_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(RESULT_PREFIX) and value
        }


def material_field_name(material: Any) -> str:
    return f"material_{material.pk}"


def material_file_field(
    label: str, *, reusable: bool = False, shared: bool = False, help_text: str = ""
) -> forms.FileField:
    """The upload field of one material, on every apply and registration form.

    A material an e-certificate or shared data can stand in for says so; one that several
    items of a bundle share says it is asked once.
    """
    if reusable:
        help_text = str(_("可由电子证照或共享数据免提交；无法调取时请上传。"))
    if shared:
        help_text = (help_text + " " + str(_("多个事项共用，只需上传一次。"))).strip()
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


def checked_uploads(form: forms.Form, fields: Mapping[str, K]) -> dict[K, CheckedFile]:
    """The files posted in `fields` (form field name → what the action keys them by), checked."""
    uploads: dict[K, CheckedFile] = {}
    for name, key in fields.items():
        file = form.cleaned_data.get(name)
        if file:
            uploads[key] = check_upload(file.name or "file", file)
    return uploads


def form_field_for(spec: Any, initial: str | None = None) -> forms.Field:
    """A Django form field for an item's (or a bundle's merged) application-form field."""
    common: dict[str, Any] = {
        "label": spec.label,
        # A pre-filled field may be left as it is: the action fills it from the same source.
        "required": bool(spec.required) and not initial,
        "help_text": spec.help_text,
        "initial": initial,
    }
    if spec.field_type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.field_type == "number":
        return forms.DecimalField(max_digits=21, decimal_places=6, **common)
    if spec.field_type == "choice" and spec.choices:
        choices = [("", "—")] + [(c, c) for c in spec.choices]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=500, **common)


def form_values(cleaned: dict[str, Any]) -> dict[str, str]:
    """The application-form part (f_<key> fields) of a cleaned form, as strings."""
    values = {}
    for name, value in cleaned.items():
        if name.startswith("f_") and value not in (None, ""):
            values[name[2:]] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return values


def post_once(
    request: HttpRequest, form: forms.Form, submit: Callable[[], int]
) -> tuple[int | None, int]:
    """Run a form's submission: (the new record's id, 302) when it went through, else
    (None, the status to render the form again with: 200 on GET, 400 for invalid fields, the
    domain error's status, whose message then shows above the form)."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        return submit(), 302
    except DomainError as error:
        form.add_error(None, error.message)
        return None, error.status


def submission_key(request: HttpRequest) -> str:
    """The hidden one-time key of a submitting form: the posted one, or a new one."""
    return request.POST.get("submission_key") or uuid.uuid4().hex
