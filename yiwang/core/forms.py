"""Calendar override form (事项管理员)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("该日为"),
        choices=[("0", _("休息日（本地节假日）")), ("1", _("工作日（调休上班）"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("原因"), max_length=200)
