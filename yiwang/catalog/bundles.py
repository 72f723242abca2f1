"""一件事一次办: from a bundle and the applicant's situation answers to one plan.

`resolve(data, answers)` is a pure function (no queries): given a bundle loaded by
`load_bundle` and the answers to its situation questions (情形引导), it returns the chosen
member items in their orchestration stages, one merged form (fields united by key, required
when any member requires them, with the map key → the task codes that use it) and one merged
material list de-duplicated by material identity. The guide page, the apply page, the API,
the submission action and the streamlining metrics all call it.

Material identity (what makes two members' materials "the same paper"):
1. the GB/T 36904 certificate type code of its source (``cert:<code>``), else
2. the data resource code of its source (``data:<code>``), else
3. its name, normalised (NFKC, without spaces, brackets' content or punctuation): ``name:…``.
A name-keyed material whose normalised name is also the name of a coded material in the same
plan folds into the coded one (营业执照 typed in by hand by one department and linked to the
licence type by another is the same licence).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.actions import in_working_days
from yiwang.catalog.choices import (
    REUSABLE_SOURCES,
    BundleStatus,
    MaterialSource,
    ProjectType,
    VersionStatus,
)
from yiwang.catalog.models import (
    Bundle,
    BundleMember,
    FormField,
    Material,
    SituationOption,
    SituationQuestion,
    TaskVersion,
)
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.workdays import add_workdays

MAX_ANSWERS = 50


# --- loaded data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    """A member item with the version applicants see now."""

    member_id: int
    stage: int
    always: bool
    version: TaskVersion
    materials: tuple[Material, ...]
    form_fields: tuple[FormField, ...]

    @property
    def task_code(self) -> str:
        return self.version.task.task_code

    @property
    def days(self) -> int:
        """The promised limit in working days (statutory when none is promised; 0 即办)."""
        return limit_days(self.version)


@dataclass(frozen=True)
class OptionData:
    code: str
    label: str
    adds: frozenset[int]


@dataclass(frozen=True)
class QuestionData:
    code: str
    text: str
    help_text: str
    multiple: bool
    options: tuple[OptionData, ...]


@dataclass(frozen=True)
class BundleData:
    """A bundle with every member's current version, materials and form fields loaded."""

    bundle: Bundle
    members: tuple[MemberData, ...]
    questions: tuple[QuestionData, ...]
    # Members whose item has no published version now: the bundle cannot be applied for.
    unavailable: tuple[str, ...] = ()


def _versions_prefetch() -> list[Any]:
    return [
        Prefetch("materials", queryset=Material.objects.order_by("order_num", "id")),
        Prefetch("form_fields", queryset=FormField.objects.order_by("order_num", "id")),
    ]


def load_bundle(bundle: Bundle) -> BundleData:
    """Read a bundle's members, questions and the member items' current versions."""
    members = list(
        BundleMember.objects.filter(bundle=bundle)
        .select_related("task__current_version", "task__department")
        .order_by("stage", "order_num", "id")
    )
    version_ids = [m.task.current_version_id for m in members if m.task.current_version_id]
    versions = (
        TaskVersion.objects.select_related("task__department", "task__region")
        .prefetch_related(*_versions_prefetch())
        .in_bulk(version_ids)
    )
    loaded, unavailable = [], []
    for member in members:
        version = versions.get(member.task.current_version_id or 0)
        if version is None or version.status != VersionStatus.PUBLISHED:
            unavailable.append(member.task.task_code)
            continue
        loaded.append(
            MemberData(
                member_id=member.pk,
                stage=member.stage,
                always=member.always,
                version=version,
                materials=tuple(version.materials.all()),
                form_fields=tuple(version.form_fields.all()),
            )
        )
    questions = []
    for question in SituationQuestion.objects.filter(bundle=bundle).prefetch_related(
        Prefetch(
            "options",
            queryset=SituationOption.objects.order_by("order_num", "id").prefetch_related("adds"),
        )
    ):
        questions.append(
            QuestionData(
                code=question.code,
                text=question.text,
                help_text=question.help_text,
                multiple=question.multiple,
                options=tuple(
                    OptionData(o.code, o.label, frozenset(m.pk for m in o.adds.all()))
                    for o in question.options.all()
                ),
            )
        )
    return BundleData(bundle, tuple(loaded), tuple(questions), tuple(unavailable))


def published_bundles() -> QuerySet[Bundle]:
    return (
        Bundle.objects.filter(status=BundleStatus.PUBLISHED)
        .select_related("lead_department", "region")
        .order_by("life_cycle", "theme", "code")
    )


def get_published_bundle(code: str) -> Bundle:
    """A published bundle by its code; 404 for drafts, retired or unknown ones."""
    bundle = published_bundles().filter(code=str(code)[:40]).first()
    if bundle is None:
        raise NotFound()
    return bundle


# --- the plan ------------------------------------------------------------------------------


@dataclass
class MergedField:
    """One field of the merged form and the member items that ask for it."""

    key: str
    label: str
    field_type: str
    required: bool
    prefill: str
    choices: list[str]
    help_text: str
    task_codes: list[str] = field(default_factory=list)


@dataclass
class MergedMaterial:
    """One material of the merged list and, per member, the catalogue material it stands for."""

    identity: str
    name: str
    required: bool
    # Every member's material comes from a certificate or shared data: 免提交 when found.
    reusable: bool
    # The material is the result certificate of an earlier-stage member: not asked for.
    produced_by: str = ""
    materials: list[Material] = field(default_factory=list)
    task_codes: list[str] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        """Shown as an upload on the apply page."""
        return not self.produced_by and not all(
            m.source_type == MaterialSource.GOVERNMENT_ISSUED for m in self.materials
        )

    @property
    def slug(self) -> str:
        """A form-field-safe name for the identity."""
        return "m_" + hashlib.sha1(self.identity.encode(), usedforsecurity=False).hexdigest()[:12]


@dataclass
class Plan:
    """What a bundle asks of one applicant with these answers."""

    data: BundleData
    answers: dict[str, list[str]]
    members: list[MemberData]
    fields: list[MergedField]
    materials: list[MergedMaterial]
    unanswered: list[str]

    @property
    def bundle(self) -> Bundle:
        return self.data.bundle

    @property
    def stages(self) -> list[list[MemberData]]:
        numbers = sorted({m.stage for m in self.members})
        return [[m for m in self.members if m.stage == n] for n in numbers]

    @property
    def dedup_map(self) -> dict[str, list[str]]:
        return {f.key: list(f.task_codes) for f in self.fields}

    def material_for(self, identity: str) -> MergedMaterial | None:
        return next((m for m in self.materials if m.identity == identity), None)

    def estimate(self, start: dt.date) -> tuple[dict[int, dt.date], dt.date]:
        """Each member's estimated end and the bundle's promise date, stages chained."""
        return chain_dates(start, [[(m.member_id, None, m.days) for m in s] for s in self.stages])

    @property
    def orchestrated_days(self) -> int:
        """Working days from start to the last stage's end (the sum of each stage's longest)."""
        return sum(max((m.days for m in stage), default=0) for stage in self.stages)


def normalize_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    return re.sub(r"[\s\W_]+", "", text).lower()


def material_identity(material: Material) -> str:
    """The identity by which two members' materials count as one (see the module doc)."""
    if material.source_certificate_type_code:
        return f"cert:{material.source_certificate_type_code}"
    if material.source_data_resource_code:
        return f"data:{material.source_data_resource_code}"
    return f"name:{normalize_name(material.material_name)}"


def bad_answers(error_code: str, message: Any, **params: Any) -> DomainError:
    return DomainError(error_code, message, params=params or None, field="answers")


def clean_answers(
    data: BundleData, answers: Mapping[str, Any] | None
) -> tuple[dict[str, list[str]], list[str]]:
    """Answers as {question code: [option codes]} checked against the questions.

    Returns the cleaned answers and the codes of the questions left unanswered.
    """
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping) or len(answers) > MAX_ANSWERS:
        raise bad_answers("situation_answers_invalid", _("情形答案格式不正确。"))
    by_code = {q.code: q for q in data.questions}
    cleaned: dict[str, list[str]] = {}
    for code, value in answers.items():
        question = by_code.get(str(code))
        if question is None:
            raise bad_answers(
                "situation_question_unknown",
                _("没有这个情形问题：%(question)s"),
                question=str(code)[:40],
            )
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(v) for v in values if v not in (None, "")]
        if not values:
            continue
        if len(values) > 1 and not question.multiple:
            raise bad_answers(
                "situation_answer_invalid", _("“%(question)s”只能选一项。"), question=question.text
            )
        known = {o.code for o in question.options}
        for chosen in values:
            if chosen not in known:
                raise bad_answers(
                    "situation_option_unknown",
                    _("“%(question)s”没有这个选项：%(option)s"),
                    question=question.text,
                    option=chosen[:40],
                )
        cleaned[question.code] = sorted(set(values), key=values.index)
    unanswered = [q.code for q in data.questions if q.code not in cleaned]
    return cleaned, unanswered


def resolve(data: BundleData, answers: Mapping[str, Any] | None) -> Plan:
    """Answers → chosen members → merged form and merged materials (no queries)."""
    cleaned, unanswered = clean_answers(data, answers)
    added: set[int] = set()
    for question in data.questions:
        for option in question.options:
            if option.code in cleaned.get(question.code, []):
                added |= option.adds
    members = [m for m in data.members if m.always or m.member_id in added]
    return Plan(
        data=data,
        answers=cleaned,
        members=members,
        fields=merge_fields(members),
        materials=merge_materials(members),
        unanswered=unanswered,
    )


def merge_fields(members: Sequence[MemberData]) -> list[MergedField]:
    """The union of the members' form fields by key; required when any member requires it."""
    merged: dict[str, MergedField] = {}
    for member in members:
        for form_field in member.form_fields:
            existing = merged.get(form_field.key)
            if existing is None:
                merged[form_field.key] = MergedField(
                    key=form_field.key,
                    label=form_field.label,
                    field_type=form_field.field_type,
                    required=form_field.required,
                    prefill=form_field.prefill,
                    choices=list(form_field.choices or []),
                    help_text=form_field.help_text,
                    task_codes=[member.task_code],
                )
                continue
            existing.required = existing.required or form_field.required
            existing.prefill = existing.prefill or form_field.prefill
            for choice in form_field.choices or []:
                if choice not in existing.choices:
                    existing.choices.append(choice)
            if member.task_code not in existing.task_codes:
                existing.task_codes.append(member.task_code)
    return list(merged.values())


def merge_materials(members: Sequence[MemberData]) -> list[MergedMaterial]:
    """The members' materials de-duplicated by identity, in the order first met."""
    merged: dict[str, MergedMaterial] = {}
    coded_names: dict[str, str] = {}
    for member in members:
        for material in member.materials:
            identity = material_identity(material)
            if not identity.startswith("name:"):
                coded_names.setdefault(normalize_name(material.material_name), identity)
    for member in members:
        for material in member.materials:
            identity = material_identity(material)
            if identity.startswith("name:"):
                identity = coded_names.get(identity[5:], identity)
            row = merged.get(identity)
            if row is None:
                row = merged[identity] = MergedMaterial(
                    identity=identity,
                    name=material.material_name,
                    required=False,
                    reusable=True,
                )
            row.required = row.required or material.is_need
            row.reusable = row.reusable and material.source_type in REUSABLE_SOURCES
            row.materials.append(material)
            if member.task_code not in row.task_codes:
                row.task_codes.append(member.task_code)
    # A licence the bundle itself issues in an earlier stage is not asked for.
    for row in merged.values():
        if not row.identity.startswith("cert:"):
            continue
        code = row.identity[5:]
        users = [m for m in members if m.task_code in row.task_codes]
        first_use = min((m.stage for m in users), default=0)
        producer = next(
            (
                m
                for m in members
                if m.version.result_certificate_type_code == code and m.stage < first_use
            ),
            None,
        )
        if producer is not None:
            row.produced_by = producer.version.task_name
    return list(merged.values())


# --- orchestration -------------------------------------------------------------------------

StageMember = tuple[int, dt.date | None, int]  # (member or case id, known end, days)


def chain_dates(
    start: dt.date, stages: Iterable[Sequence[StageMember]]
) -> tuple[dict[int, dt.date], dt.date]:
    """Ends of each member and of the whole, stages run one after another.

    A member with a known end (its real 承诺办结时间 or decision date) keeps it; the others
    end `days` working days after their stage starts. A stage starts when the previous one
    ends (its latest member); members of one stage run in parallel.
    """
    ends: dict[int, dt.date] = {}
    stage_start = start
    for stage in stages:
        stage_end = stage_start
        for key, known, days in stage:
            end = known if known is not None else add_workdays(stage_start, days)
            ends[key] = end
            stage_end = max(stage_end, end)
        stage_start = stage_end
    return ends, stage_start


# --- streamlining --------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleSavings:
    """What applying for a bundle once saves against applying item by item."""

    members: int
    forms_before: int
    forms_after: int
    materials_before: int
    materials_after: int
    visits_before: int
    visits_after: int
    days_before: int
    days_after: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def required_count(materials: Iterable[Material]) -> int:
    return sum(1 for m in materials if m.is_need and m.source_type not in REUSABLE_SOURCES)


def savings(plan: Plan) -> BundleSavings:
    """Forms N → 1; required materials summed vs merged (免提交 and in-bundle results removed);
    visits summed vs the most any member needs; promised days summed vs orchestrated."""
    members = plan.members
    merged_required = sum(
        1
        for row in plan.materials
        if row.required
        and not row.reusable
        and not row.produced_by
        and any(m.source_type != MaterialSource.GOVERNMENT_ISSUED for m in row.materials)
    )
    return BundleSavings(
        members=len(members),
        forms_before=len(members),
        forms_after=1 if members else 0,
        materials_before=sum(required_count(m.materials) for m in members),
        materials_after=merged_required,
        visits_before=sum(m.version.limit_scene_num for m in members),
        visits_after=max((m.version.limit_scene_num for m in members), default=0),
        days_before=sum(m.days for m in members),
        days_after=plan.orchestrated_days,
    )


def full_plan(data: BundleData) -> Plan:
    """Every member, as if every situation applied (the metrics' population)."""
    answers: dict[str, list[str]] = {}
    for question in data.questions:
        codes = [o.code for o in question.options if o.adds]
        if codes:
            answers[question.code] = codes if question.multiple else codes[:1]
    plan = resolve(data, answers)
    chosen = {m.member_id for m in plan.members}
    missing = [m for m in data.members if m.member_id not in chosen]
    if missing:  # options of single-choice questions that exclude each other: take them all
        members = list(data.members)
        plan = Plan(data, answers, members, merge_fields(members), merge_materials(members), [])
    return plan


# --- form values ---------------------------------------------------------------------------


def clean_form_values(fields: Sequence[Any], data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check values against form fields (FormField or MergedField): required ones present,
    dates ISO, numbers numeric, choices among the allowed; unknown keys refused."""
    data = dict(data or {})
    by_key = {f.key: f for f in fields}
    unknown = [str(k)[:40] for k in data if k not in by_key]
    if unknown:
        raise DomainError(
            "form_field_unknown",
            _("申请表没有这些字段：%(keys)s"),
            params={"keys": "、".join(unknown)},
            field="form_data",
        )
    cleaned: dict[str, Any] = {}
    for form_field in fields:
        value = data.get(form_field.key)
        text = "" if value is None else str(value).strip()
        where = f"form_data.{form_field.key}"
        if not text:
            if form_field.required:
                raise DomainError(
                    "form_field_required",
                    _("请填写「%(label)s」。"),
                    params={"label": form_field.label},
                    field=where,
                )
            continue
        if len(text) > 500:
            raise DomainError(
                "form_field_invalid",
                _("「%(label)s」填写不正确。"),
                params={"label": form_field.label},
                field=where,
            )
        if form_field.field_type == "date":
            try:
                text = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise DomainError(
                    "form_field_invalid",
                    _("「%(label)s」填写不正确。"),
                    params={"label": form_field.label},
                    field=where,
                ) from None
        elif form_field.field_type == "number":
            if not re.fullmatch(r"-?\d{1,15}(\.\d{1,6})?", text):
                raise DomainError(
                    "form_field_invalid",
                    _("「%(label)s」填写不正确。"),
                    params={"label": form_field.label},
                    field=where,
                )
        elif (
            form_field.field_type == "choice"
            and form_field.choices
            and text not in form_field.choices
        ):
            raise DomainError(
                "form_field_invalid",
                _("「%(label)s」填写不正确。"),
                params={"label": form_field.label},
                field=where,
            )
        cleaned[form_field.key] = text
    return cleaned


def limit_days(version: TaskVersion) -> int:
    """A version's decision limit in whole working days (promised, else statutory; 即办 0)."""
    if version.project_type == ProjectType.IMMEDIATE:
        return 0
    if version.promise_day is not None:
        days = in_working_days(version.promise_day, version.promise_type)
    else:
        days = in_working_days(version.anticipate_day, version.anticipate_type)
    return 0 if days is None else math.ceil(days)


ANSWER_PREFIX = "q_"


def answers_from(params: Any, data: BundleData) -> dict[str, list[str]]:
    """Answers from a GET or POST QueryDict: ``q_<question code>`` fields (one or more)."""
    answers: dict[str, list[str]] = {}
    for question in data.questions:
        values = [v for v in params.getlist(ANSWER_PREFIX + question.code) if v]
        if values:
            answers[question.code] = values[:MAX_ANSWERS]
    return answers


def answers_query(answers: Mapping[str, Sequence[str]]) -> str:
    """The answers as a query string (to carry them from the guide to the apply page)."""
    from urllib.parse import urlencode

    return urlencode([(ANSWER_PREFIX + k, v) for k, values in answers.items() for v in values])
