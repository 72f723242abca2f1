"""Forms of the exchange's pages (validation of shape; the rules live in the actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.choices import DisputeOutcome
from yiwang.exchange.models import Resource, ResourceVersion
from yiwang.regions.models import Department


class DateInput(forms.DateInput):
    input_type = "date"


class SharingRequestForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("申请的信息项"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    purpose = forms.CharField(
        label=_("用途"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    scenario = forms.CharField(
        label=_("应用场景"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("依据"), max_length=1000, required=False)
    period_start = forms.DateField(label=_("使用期限起"), widget=DateInput)
    period_end = forms.DateField(label=_("使用期限止"), widget=DateInput)
    rate_limit_per_minute = forms.IntegerField(
        label=_("调用频率上限（次/分钟）"), min_value=1, max_value=60_000, initial=60
    )

    def __init__(self, *args: Any, version: ResourceVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["items"]
        assert isinstance(items, forms.ChoiceField)
        items.choices = [(item.code, f"{item.name}（{item.code}）") for item in version.items.all()]
        today = dt.date.today()  # noqa: DTZ011 - only a form's suggestion
        self.fields["period_start"].initial = today
        self.fields["period_end"].initial = today.replace(year=today.year + 1)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("意见或理由"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DemandForm(forms.Form):
    title = forms.CharField(label=_("需求名称"), max_length=200)
    description = forms.CharField(
        label=_("需求描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=300,
        required=False,
        help_text=_("用顿号或空格分隔，用于匹配资源目录。"),
    )


class AssignForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("交办给提供部门"), queryset=Department.objects.none())
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = departments  # type: ignore[attr-defined]


class MatchForm(forms.Form):
    resources = forms.ModelMultipleChoiceField(
        label=_("匹配的资源"),
        queryset=Resource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, resources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = resources  # type: ignore[attr-defined]


class FulfilForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("本部门编目的资源"), queryset=Resource.objects.none())

    def __init__(self, *args: Any, resources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]


class DisputeForm(forms.Form):
    item_code = forms.ChoiceField(label=_("信息项"), choices=())
    record_reference = forms.CharField(
        label=_("记录标识"),
        max_length=120,
        required=False,
        help_text=_("如姓名或编号（不要填写完整证件号码）。"),
    )
    description = forms.CharField(
        label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, version: ResourceVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item_code = self.fields["item_code"]
        assert isinstance(item_code, forms.ChoiceField)
        item_code.choices = [(item.code, item.name) for item in version.items.all()]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("核校结论"), choices=DisputeOutcome.choices)
    answer = forms.CharField(
        label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveIssueForm(forms.Form):
    resolution = forms.CharField(label=_("整改说明"), max_length=300)
