"""The 一件事 apply form: the merged fields, then one file field per merged material."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.cases.forms import form_field_for, form_values, material_file_field
from yiwang.catalog.bundles import Plan

FIELD_PREFIX = "f_"


class BundleApplyForm(forms.Form):
    contact_mobile = forms.RegexField(
        label=_("联系人手机"), regex=r"^1\d{10}$", max_length=11, required=False
    )
    address = forms.CharField(label=_("通讯地址（可不填）"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        prefilled: dict[str, str],
        companies: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies:
            choices = [("", str(_("本人")))] + [(str(c.pk), c.name) for c in companies]
            self.fields["applicant"] = forms.ChoiceField(
                label=_("申请人"), required=False, choices=choices
            )
        for merged in plan.fields:
            self.fields[FIELD_PREFIX + merged.key] = form_field_for(
                merged, initial=prefilled.get(merged.key)
            )
        for row in plan.materials:
            if not row.asked:
                continue
            self.fields[row.slug] = material_file_field(
                row.name, reusable=row.reusable, shared=len(row.task_codes) > 1
            )

    def form_values(self) -> dict[str, str]:
        return form_values(self.cleaned_data)
