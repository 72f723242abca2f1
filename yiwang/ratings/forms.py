"""The rating form (online indicators) and the ticket step form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.ratings.choices import ONLINE_INDICATORS, POOR_REASONS, Level, RecheckLevel

LEVEL_CHOICES = [(str(level.value), level.label) for level in Level]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("总体评价"), choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    reason_tags = forms.MultipleChoiceField(
        label=_("差评原因（不满意、非常不满意时必选）"),
        choices=list(POOR_REASONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("意见和建议"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ONLINE_INDICATORS.items():
            self.fields[f"indicator_{name}"] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("不评")), *LEVEL_CHOICES],
                coerce=int,
                required=False,
                empty_value=None,
            )

    def indicators(self) -> dict[str, int]:
        return {
            name: self.cleaned_data[f"indicator_{name}"]
            for name in ONLINE_INDICATORS
            if self.cleaned_data.get(f"indicator_{name}") is not None
        }


class TicketStepForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ledger_due_date = forms.DateField(
        label=_("台账整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recheck_level = forms.ChoiceField(
        label=_("您对处理结果是否满意"),
        choices=[("", "—"), *RecheckLevel.choices],
        required=False,
    )
