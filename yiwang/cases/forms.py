"""The apply form: a summary, contact details, what the result will say (a certificate's face),
and one file field per catalogue material."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.choices import REUSABLE_SOURCES

ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
RESULT_PREFIX = "result_"


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
        result_fields: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies:
            choices = [("", str(_("本人")))] + [(str(c.pk), c.name) for c in companies]
            self.fields["applicant"] = forms.ChoiceField(
                label=_("申请人"), required=False, choices=choices
            )
        else:
            del self.fields["applicant"]
        for spec in result_fields or []:
            self.fields[f"{RESULT_PREFIX}{spec['name']}"] = forms.CharField(
                label=spec["label"],
                max_length=200,
                required=bool(spec.get("required", True)),
                help_text=_("将载入办理结果（证照照面）。"),
            )
        for material in materials:
            reusable = material.source_type in REUSABLE_SOURCES
            help_text = str(material.accept_stand or "")
            if reusable:
                help_text = str(_("可由电子证照或共享数据免提交；无法调取时请上传。"))
            self.fields[f"material_{material.pk}"] = forms.FileField(
                label=material.material_name,
                required=False,
                help_text=help_text,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def result_data(self) -> dict[str, str]:
        """What the applicant filled in for the result, by its field name (form_data)."""
        return {
            name[len(RESULT_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(RESULT_PREFIX) and value
        }
