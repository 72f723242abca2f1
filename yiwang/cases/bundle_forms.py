"""The 一件事 apply form: the merged fields, then one file field per merged material."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.cases.forms import ACCEPT, form_field_for, form_values
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
            help_text = ""
            if row.reusable:
                help_text = str(_("可由电子证照或共享数据免提交；无法调取时请上传。"))
            if len(row.task_codes) > 1:
                help_text = (help_text + " " + str(_("多个事项共用，只需上传一次。"))).strip()
            self.fields[row.slug] = forms.FileField(
                label=row.name,
                required=False,
                help_text=help_text,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def form_values(self) -> dict[str, str]:
        return form_values(self.cleaned_data)
