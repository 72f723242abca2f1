"""The write path of 一件事 bundles: catalogue administrators define, publish and retire them.

A bundle case keeps a snapshot of the plan it was applied under (member task codes, versions
and stages), so editing a published bundle never changes an application already made; each
save of a published bundle, and each publication, bumps its version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.actions import require_catalog_admin
from yiwang.catalog.bundles import load_bundle
from yiwang.catalog.choices import (
    ENTERPRISE_THEMES,
    PERSON_THEMES,
    BundleStatus,
    BundleTheme,
    LifeCycle,
)
from yiwang.catalog.models import (
    Bundle,
    BundleMember,
    SituationOption,
    SituationQuestion,
    Task,
)
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.regions.models import Department, Region

MAX_MEMBERS = 30
MAX_STAGES = 9
CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _invalid(error_code: str, message: Any, field: str, **params: Any) -> DomainError:
    return DomainError(error_code, message, field=field, params=params or None)


def _slug(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 40 or not set(text.lower()) <= CODE_CHARS:
        raise _invalid(
            "bundle_code_invalid", _("标识只能由字母、数字、连字符组成，最长 40 位。"), field
        )
    return text


def _check_theme(life_cycle: str, theme: str) -> None:
    if life_cycle not in LifeCycle.values:
        raise _invalid("bundle_life_cycle_invalid", _("生命周期不正确。"), "life_cycle")
    allowed = PERSON_THEMES if life_cycle == LifeCycle.PERSON else ENTERPRISE_THEMES
    if theme not in BundleTheme.values or theme not in allowed:
        raise _invalid("bundle_theme_invalid", _("主题与生命周期不符。"), "theme")


def _check_members(members: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = [dict(m) for m in members]
    if not rows:
        raise _invalid("bundle_members_required", _("一件事至少包含一个事项。"), "members")
    if len(rows) > MAX_MEMBERS:
        raise _invalid("bundle_members_too_many", _("一件事包含的事项过多。"), "members")
    codes = [str(r.get("task_code", "")) for r in rows]
    tasks = Task.objects.in_bulk(codes, field_name="task_code")
    seen: set[str] = set()
    for index, (row, code) in enumerate(zip(rows, codes, strict=True), start=1):
        if code not in tasks:
            raise _invalid(
                "bundle_task_unknown",
                _("没有实施编码为 %(code)s 的事项。"),
                f"members.{index}.task_code",
                code=code[:40],
            )
        if code in seen:
            raise _invalid(
                "bundle_member_repeated",
                _("事项 %(code)s 重复。"),
                f"members.{index}.task_code",
                code=code,
            )
        seen.add(code)
        stage = row.get("stage", 1)
        if not isinstance(stage, int) or isinstance(stage, bool) or not 1 <= stage <= MAX_STAGES:
            raise _invalid("bundle_stage_invalid", _("阶段应为 1 到 9。"), f"members.{index}.stage")
        row["task"] = tasks[code]
        row["stage"] = stage
        row["always"] = bool(row.get("always", True))
        row["task_handle_item"] = str(row.get("task_handle_item", ""))[:50]
    if not any(r["always"] for r in rows):
        raise _invalid("bundle_members_required", _("一件事至少要有一个必办事项。"), "members")
    return rows


def _check_questions(
    questions: Iterable[Mapping[str, Any]], members: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    conditional = {m["task_code"] for m in members if not m["always"]}
    added: set[str] = set()
    rows, codes = [], set()
    for index, question in enumerate(questions, start=1):
        code = _slug(question.get("code"), f"questions.{index}.code")
        text = str(question.get("text", "")).strip()
        if not text or code in codes:
            raise _invalid(
                "situation_question_invalid",
                _("情形问题 %(code)s 缺少内容或重复。"),
                f"questions.{index}",
                code=code,
            )
        codes.add(code)
        options = []
        option_codes: set[str] = set()
        for number, option in enumerate(question.get("options") or [], start=1):
            where = f"questions.{index}.options.{number}"
            option_code = _slug(option.get("code"), where)
            label = str(option.get("label", "")).strip()
            if not label or option_code in option_codes:
                raise _invalid("situation_option_invalid", _("选项缺少内容或重复。"), where)
            option_codes.add(option_code)
            adds = [str(c) for c in option.get("adds") or []]
            wrong = [c for c in adds if c not in conditional]
            if wrong:
                raise _invalid(
                    "situation_adds_invalid",
                    _("选项只能增加本一件事的非必办事项：%(codes)s"),
                    where,
                    codes="、".join(wrong),
                )
            added.update(adds)
            options.append({"code": option_code, "label": label[:100], "adds": adds})
        if len(options) < 2:
            raise _invalid(
                "situation_question_invalid",
                _("情形问题 %(code)s 缺少内容或重复。"),
                f"questions.{index}",
                code=code,
            )
        rows.append(
            {
                "code": code,
                "text": text[:200],
                "help_text": str(question.get("help_text", ""))[:300],
                "multiple": bool(question.get("multiple", False)),
                "options": options,
            }
        )
    orphan = sorted(conditional - added)
    if orphan:
        raise _invalid(
            "situation_member_unreachable",
            _("非必办事项没有任何情形选项增加：%(codes)s"),
            "questions",
            codes="、".join(orphan),
        )
    return rows


@transaction.atomic
def save_bundle(
    *,
    actor: Any,
    code: str,
    name: str,
    life_cycle: str,
    theme: str,
    region: Region,
    lead_department: Department,
    members: Iterable[Mapping[str, Any]],
    questions: Iterable[Mapping[str, Any]] = (),
    description: str = "",
    new: bool = False,
) -> Bundle:
    """Create or replace a bundle's definition (members, stages, situation questions).

    With `new` (the console's 新建 form) an existing code is refused instead of replaced.
    """
    require_catalog_admin(actor, region)
    code = _slug(code, "code")
    name = (name or "").strip()
    if not name:
        raise _invalid("field_required", _("请填写「%(label)s」。"), "name", label=_("一件事名称"))
    _check_theme(life_cycle, theme)
    member_rows = _check_members(members)
    question_rows = _check_questions(questions, member_rows)
    bundle = Bundle.objects.select_for_update().filter(code=code).first()
    before = None
    if bundle is not None and new:
        raise Conflict(
            "bundle_code_taken",
            _("一件事编码 %(code)s 已被使用。"),
            field="code",
            params={"code": code},
        )
    if bundle is None:
        bundle = Bundle(code=code)
    else:
        require_catalog_admin(actor, bundle.region)
        before = {"name": bundle.name, "status": bundle.status, "version": bundle.version}
    bundle.name = name[:100]
    bundle.life_cycle = life_cycle
    bundle.theme = theme
    bundle.region = region
    bundle.lead_department = lead_department
    bundle.description = description
    if bundle.status == BundleStatus.PUBLISHED:
        bundle.version += 1
    bundle.save()
    SituationQuestion.objects.filter(bundle=bundle).delete()
    BundleMember.objects.filter(bundle=bundle).delete()
    by_code = {}
    for order, row in enumerate(member_rows):
        by_code[row["task_code"]] = BundleMember.objects.create(
            bundle=bundle,
            task=row["task"],
            task_handle_item=row["task_handle_item"],
            stage=row["stage"],
            always=row["always"],
            order_num=order,
        )
    for order, row in enumerate(question_rows):
        question = SituationQuestion.objects.create(
            bundle=bundle,
            code=row["code"],
            text=row["text"],
            help_text=row["help_text"],
            multiple=row["multiple"],
            order_num=order,
        )
        for number, option_row in enumerate(row["options"]):
            option = SituationOption.objects.create(
                question=question,
                code=option_row["code"],
                label=option_row["label"],
                order_num=number,
            )
            option.adds.set([by_code[c] for c in option_row["adds"]])
    audit.record(
        "catalog.bundle_saved",
        actor=actor,
        subject=bundle,
        before=before,
        after={
            "name": bundle.name,
            "version": bundle.version,
            "members": [r["task_code"] for r in member_rows],
        },
    )
    return bundle


def _lock(bundle: Bundle) -> Bundle:
    return Bundle.objects.select_for_update(of=("self",)).select_related("region").get(pk=bundle.pk)


@transaction.atomic
def publish_bundle(*, actor: Any, bundle: Bundle) -> Bundle:
    """发布: offer the bundle to applicants; every member item must be published now."""
    locked = _lock(bundle)
    require_catalog_admin(actor, locked.region)
    if locked.status == BundleStatus.PUBLISHED:
        raise Conflict("bundle_already_published", _("该一件事已发布。"))
    data = load_bundle(locked)
    if data.unavailable:
        raise Conflict(
            "bundle_member_unpublished",
            _("以下成员事项没有现行版本，不能发布：%(codes)s"),
            params={"codes": "、".join(data.unavailable)},
        )
    if not data.members:
        raise _invalid("bundle_members_required", _("一件事至少包含一个事项。"), "members")
    before = locked.status
    locked.status = BundleStatus.PUBLISHED
    locked.version += 1
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "version", "published_at", "updated_at"])
    audit.record(
        "catalog.bundle_published",
        actor=actor,
        subject=locked,
        before={"status": before},
        after={"status": locked.status, "version": locked.version},
    )
    return locked


@transaction.atomic
def retire_bundle(*, actor: Any, bundle: Bundle) -> Bundle:
    """停用: applicants no longer see it; bundle cases already made carry on."""
    locked = _lock(bundle)
    require_catalog_admin(actor, locked.region)
    if locked.status != BundleStatus.PUBLISHED:
        raise Conflict("bundle_not_published", _("该一件事未发布。"))
    locked.status = BundleStatus.RETIRED
    locked.save(update_fields=["status", "updated_at"])
    audit.record(
        "catalog.bundle_retired",
        actor=actor,
        subject=locked,
        before={"status": BundleStatus.PUBLISHED},
        after={"status": locked.status},
    )
    return locked
