"""The console's 一件事 editor: plain forms and formsets, no JavaScript needed.

The forms only turn posted text into the shapes `bundle_actions.save_bundle` takes; every
rule (known items, stages, codes, who an option may add, the name) is the action's, so the
page and `PUT /api/v1/catalog/bundles/{code}` refuse the same input with the same codes.
Options sit under their question: question i has its own option formset with the prefix
``questions-<i>-options``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.choices import ENTERPRISE_THEMES, PERSON_THEMES, LifeCycle
from yiwang.catalog.models import Bundle, BundleMember, SituationQuestion
from yiwang.regions.models import Department, Region

MEMBER_EXTRA = 3
QUESTION_EXTRA = 1
OPTION_EXTRA = 2


def split_codes(text: Any) -> list[str]:
    """Codes typed in one box: commas (either width), 、, semicolons or spaces separate them."""
    text = str(text or "")
    for separator in "，、;；\n\t ":
        text = text.replace(separator, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


class BundleForm(forms.Form):
    """The bundle itself. Name, life cycle and theme are checked by the action, not here."""

    code = forms.CharField(
        label=_("一件事编码"),
        max_length=60,
        required=False,
        help_text=_("字母、数字、连字符，最长 40 位，如 newborn；保存后不能修改。"),
    )
    name = forms.CharField(label=_("一件事名称"), max_length=200, required=False)
    life_cycle = forms.ChoiceField(label=_("生命周期"), choices=LifeCycle.choices)
    theme = forms.ChoiceField(
        label=_("主题"),
        choices=[
            (LifeCycle.PERSON.label, [(t.value, t.label) for t in PERSON_THEMES]),
            (LifeCycle.ENTERPRISE.label, [(t.value, t.label) for t in ENTERPRISE_THEMES]),
        ],
    )
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none())
    lead_department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.none()
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )

    def __init__(
        self, *args: Any, regions: Any, departments: Any, editing: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["lead_department"].queryset = departments  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]

    @staticmethod
    def initial_for(bundle: Bundle) -> dict[str, Any]:
        return {
            "name": bundle.name,
            "life_cycle": bundle.life_cycle,
            "theme": bundle.theme,
            "region": bundle.region_id,
            "lead_department": bundle.lead_department_id,
            "description": bundle.description,
        }


class _Row(forms.Form):
    """A formset row that is always cleaned: a row equal to its initial values is still kept
    (every box is optional here; a blank row is dropped by `BundleEditor.cleaned`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_permitted = False


class MemberForm(_Row):
    task_code = forms.CharField(label=_("实施编码"), max_length=60, required=False)
    task_handle_item = forms.CharField(
        label=_("业务办理项编码"),
        max_length=50,
        required=False,
        help_text=_("可留空；只办该事项的某一情形时填写。"),
    )
    stage = forms.IntegerField(
        label=_("阶段"),
        initial=1,
        required=False,
        help_text=_("同一阶段的事项并联办理；后一阶段在前面阶段办结出证后开始。"),
    )
    always = forms.BooleanField(
        label=_("必办"),
        initial=True,
        required=False,
        help_text=_("不勾选表示按情形办理：由情形问题的选项增加。"),
    )


class QuestionForm(_Row):
    code = forms.CharField(label=_("问题标识"), max_length=60, required=False)
    text = forms.CharField(label=_("问题"), max_length=300, required=False)
    help_text = forms.CharField(label=_("说明"), max_length=300, required=False)
    multiple = forms.BooleanField(label=_("可多选"), required=False)


class OptionForm(_Row):
    code = forms.CharField(label=_("选项标识"), max_length=60, required=False)
    label = forms.CharField(label=_("选项"), max_length=200, required=False)
    adds = forms.CharField(
        label=_("增加的事项"),
        max_length=2000,
        required=False,
        help_text=_("填写本一件事中按情形办理的事项的实施编码，多个用逗号分隔；可留空。"),
    )


MemberFormSet = forms.formset_factory(MemberForm, extra=MEMBER_EXTRA, can_delete=True)
QuestionFormSet = forms.formset_factory(QuestionForm, extra=QUESTION_EXTRA, can_delete=True)
OptionFormSet = forms.formset_factory(OptionForm, extra=OPTION_EXTRA, can_delete=True)


def with_more_rows(data: QueryDict) -> QueryDict:
    """The posted editor with blank rows added (the 增加空行 button: no JavaScript needed).

    Three more member rows, one more question, two more options under every question.
    """
    more = data.copy()

    def count(prefix: str) -> int:
        try:
            return max(0, min(int(more.get(f"{prefix}-TOTAL_FORMS", "0")), 200))
        except ValueError:
            return 0

    more["members-TOTAL_FORMS"] = str(count("members") + MEMBER_EXTRA)
    questions = count("questions")
    more["questions-TOTAL_FORMS"] = str(questions + QUESTION_EXTRA)
    for index in range(questions + QUESTION_EXTRA):
        prefix = f"questions-{index}-options"
        more[f"{prefix}-TOTAL_FORMS"] = str(count(prefix) + OPTION_EXTRA)
        more.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return more


def _filled(form: forms.Form, keys: tuple[str, ...]) -> bool:
    data = getattr(form, "cleaned_data", None) or {}
    return not data.get("DELETE") and any(str(data.get(k) or "").strip() for k in keys)


class BundleEditor:
    """The whole page: the bundle form, its members, its questions and their options."""

    def __init__(
        self,
        data: QueryDict | None,
        *,
        bundle: Bundle | None,
        regions: Any,
        departments: Any,
    ) -> None:
        editing = bundle is not None
        self.form = BundleForm(
            data,
            initial=BundleForm.initial_for(bundle) if bundle else {"life_cycle": LifeCycle.PERSON},
            regions=regions,
            departments=departments,
            editing=editing,
        )
        member_initial: list[dict[str, Any]] = []
        question_initial: list[dict[str, Any]] = []
        option_initial: list[list[dict[str, Any]]] = []
        self.names: dict[str, str] = {}
        if bundle is not None:
            members = BundleMember.objects.filter(bundle=bundle).select_related(
                "task__current_version"
            )
            for member in members:
                current = member.task.current_version
                self.names[member.task.task_code] = current.task_name if current else ""
                member_initial.append(
                    {
                        "task_code": member.task.task_code,
                        "task_handle_item": member.task_handle_item,
                        "stage": member.stage,
                        "always": member.always,
                    }
                )
            questions = SituationQuestion.objects.filter(bundle=bundle).prefetch_related(
                "options__adds__task"
            )
            for question in questions.order_by("order_num", "id"):
                question_initial.append(
                    {
                        "code": question.code,
                        "text": question.text,
                        "help_text": question.help_text,
                        "multiple": question.multiple,
                    }
                )
                option_initial.append(
                    [
                        {
                            "code": option.code,
                            "label": option.label,
                            "adds": "，".join(m.task.task_code for m in option.adds.all()),
                        }
                        for option in question.options.all()
                    ]
                )
        self.members = MemberFormSet(data, prefix="members", initial=member_initial)
        self.questions = QuestionFormSet(data, prefix="questions", initial=question_initial)
        self.options = [
            OptionFormSet(
                data,
                prefix=f"questions-{index}-options",
                initial=option_initial[index] if index < len(option_initial) else [],
            )
            for index in range(self.questions.total_form_count())
        ]
        self._kept_members: list[Any] = []
        self._kept_questions: list[tuple[Any, list[Any]]] = []

    def is_valid(self) -> bool:
        valid = self.form.is_valid() & self.members.is_valid() & self.questions.is_valid()
        options = [formset.is_valid() for formset in self.options]  # every one, for its errors
        return valid and all(options)

    def cleaned(self) -> dict[str, Any]:
        """The keyword arguments of `save_bundle` (after `is_valid`); blank rows dropped."""
        data = self.form.cleaned_data
        members = []
        self._kept_members = []
        for member in self.members.forms:
            form: Any = member
            if not _filled(form, ("task_code",)):
                continue
            row = form.cleaned_data
            self._kept_members.append(form)
            stage = row.get("stage")
            members.append(
                {
                    "task_code": row["task_code"].strip(),
                    "task_handle_item": row.get("task_handle_item", "").strip(),
                    "stage": 1 if stage is None else stage,
                    "always": bool(row.get("always")),
                }
            )
        questions = []
        self._kept_questions = []
        for question, options in zip(self.questions.forms, self.options, strict=True):
            form = question
            if not _filled(form, ("code", "text")):
                continue
            kept_options = [o for o in options.forms if _filled(o, ("code", "label", "adds"))]
            self._kept_questions.append((form, kept_options))
            row = form.cleaned_data
            questions.append(
                {
                    "code": row["code"].strip(),
                    "text": row["text"].strip(),
                    "help_text": row.get("help_text", "").strip(),
                    "multiple": bool(row.get("multiple")),
                    "options": [
                        {
                            "code": o.cleaned_data["code"].strip(),
                            "label": o.cleaned_data["label"].strip(),
                            "adds": split_codes(o.cleaned_data.get("adds")),
                        }
                        for o in kept_options
                    ],
                }
            )
        result = {
            "name": data.get("name", ""),
            "life_cycle": data["life_cycle"],
            "theme": data["theme"],
            "region": data["region"],
            "lead_department": data["lead_department"],
            "description": data.get("description", ""),
            "members": members,
            "questions": questions,
        }
        if "code" in self.form.fields:
            result["code"] = data.get("code", "").strip()
        return result

    def add_error(self, field: str | None, message: Any) -> None:
        """Show an action's refusal next to the row and box it names (`members.2.stage`)."""
        parts = (field or "").split(".")
        target: Any = self.form
        name: str | None = None
        try:
            if parts[0] == "members" and len(parts) >= 2:
                target = self._kept_members[int(parts[1]) - 1]
                name = parts[2] if len(parts) > 2 else None
            elif parts[0] == "questions" and len(parts) >= 2:
                question, options = self._kept_questions[int(parts[1]) - 1]
                target, name = question, parts[2] if len(parts) > 2 else None
                if name == "options" and len(parts) > 3:
                    target, name = options[int(parts[3]) - 1], None
                elif name == "options":
                    name = None
            elif parts[0] in self.form.fields:
                name = parts[0]
        except (IndexError, ValueError):
            target, name = self.form, None
        if name is not None and name not in target.fields:
            name = None
        target.add_error(name, message)

    def member_rows(self) -> list[tuple[Any, str]]:
        """Each member row with the item's name, so a clerk sees more than a long code."""
        rows = []
        for form in self.members.forms:
            code = str(form.initial.get("task_code", ""))
            rows.append((form, self.names.get(code, "")))
        return rows

    def sections(self) -> list[tuple[forms.Form, forms.BaseFormSet[Any]]]:
        return list(zip(self.questions.forms, self.options, strict=True))
