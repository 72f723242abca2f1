"""Streamlining metrics (DOMAIN §3.1.5): the catalogue now against a baseline snapshot.

- 环节压缩率 = 1 − Σ steps now / Σ steps at the baseline
- 材料压缩率 = 1 − Σ required materials now / Σ at the baseline, where a material an applicant
  no longer hands in because a certificate or shared data covers it counts as removed
- 时限压缩率 = 1 − Σ promised days / Σ statutory days (承诺 vs 法定), over tasks with both
- and, for reference, 承诺时限较基线压缩率 = 1 − Σ promised days now / Σ promised at the baseline

The population is every task that was published at the baseline and is published now (its
current version): a task abolished since, or one added since, has nothing to compare. Rates
are exact fractions; natural-day limits count as 5/7 working days each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import models

from yiwang.catalog.actions import in_working_days, required_material_count
from yiwang.catalog.bundles import BundleSavings, full_plan, load_bundle, published_bundles, savings
from yiwang.catalog.models import BaselineEntry, BaselineSnapshot, Bundle, Task, TaskVersion
from yiwang.regions.models import Department
from yiwang.regions.queries import scope_for_staff


def _exact(value: float) -> Fraction:
    return Fraction(value).limit_denominator(7000)


def _cut(now: Fraction, base: Fraction) -> Fraction | None:
    return None if base == 0 else 1 - now / base


@dataclass
class Tally:
    """Sums over a set of tasks, and the rates they give."""

    tasks: int = 0
    steps_base: int = 0
    steps_now: int = 0
    materials_base: int = 0
    materials_now: int = 0
    # Over tasks with both limits now (the DOMAIN's time rate).
    anticipate_now: Fraction = Fraction(0)
    promise_now: Fraction = Fraction(0)
    # Over tasks with a promised limit at the baseline and now.
    promise_base: Fraction = Fraction(0)
    promise_now_vs_base: Fraction = Fraction(0)

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def step_rate(self) -> Fraction | None:
        return _cut(Fraction(self.steps_now), Fraction(self.steps_base))

    @property
    def material_rate(self) -> Fraction | None:
        return _cut(Fraction(self.materials_now), Fraction(self.materials_base))

    @property
    def time_rate(self) -> Fraction | None:
        return _cut(self.promise_now, self.anticipate_now)

    @property
    def promise_rate(self) -> Fraction | None:
        return _cut(self.promise_now_vs_base, self.promise_base)

    def as_dict(self) -> dict[str, Any]:
        def ratio(value: Fraction | None) -> float | None:
            return None if value is None else round(float(value), 4)

        return {
            "tasks": self.tasks,
            "steps_base": self.steps_base,
            "steps_now": self.steps_now,
            "materials_base": self.materials_base,
            "materials_now": self.materials_now,
            "anticipate_days_now": float(self.anticipate_now),
            "promise_days_now": float(self.promise_now),
            "step_rate": ratio(self.step_rate),
            "material_rate": ratio(self.material_rate),
            "time_rate": ratio(self.time_rate),
            "promise_rate_vs_baseline": ratio(self.promise_rate),
        }


@dataclass
class TaskRow:
    """One task's baseline entry, its version now, and their tally."""

    task: Task
    version: TaskVersion
    entry: BaselineEntry
    tally: Tally


@dataclass
class Report:
    """Streamlining against one snapshot, for the city (or jurisdiction), departments, tasks."""

    snapshot: BaselineSnapshot
    total: Tally
    departments: list[tuple[Department, Tally]] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    left_out: int = 0  # baseline tasks in scope with no published version now


def tally_task(entry: BaselineEntry, version: TaskVersion) -> Tally:
    """The counts of one task at the baseline and now."""
    tally = Tally(
        tasks=1,
        steps_base=entry.steps,
        steps_now=len(version.steps.all()),
        materials_base=entry.required_materials,
        materials_now=required_material_count(version.materials.all()),
    )
    anticipate = in_working_days(version.anticipate_day, version.anticipate_type)
    promise = in_working_days(version.promise_day, version.promise_type)
    if anticipate is not None and promise is not None:
        tally.anticipate_now = _exact(anticipate)
        tally.promise_now = _exact(promise)
    if entry.promise_days is not None and promise is not None:
        tally.promise_base = _exact(entry.promise_days)
        tally.promise_now_vs_base = _exact(promise)
    return tally


def streamlining(snapshot: BaselineSnapshot, tasks: models.QuerySet[Task]) -> Report:
    """Compare `tasks` (already scoped to the viewer) now with `snapshot`."""
    entries = (
        BaselineEntry.objects.filter(snapshot=snapshot, task__in=tasks)
        .select_related("task__department", "task__region")
        .order_by("task__task_code")
    )
    entry_list = list(entries)
    current_ids = [e.task.current_version_id for e in entry_list if e.task.current_version_id]
    versions = TaskVersion.objects.prefetch_related("steps", "materials").in_bulk(current_ids)
    report = Report(snapshot=snapshot, total=Tally())
    by_department: dict[int, tuple[Department, Tally]] = {}
    for entry in entry_list:
        version = versions.get(entry.task.current_version_id or 0)
        if version is None:
            report.left_out += 1
            continue
        tally = tally_task(entry, version)
        report.tasks.append(TaskRow(entry.task, version, entry, tally))
        report.total.add(tally)
        department = entry.task.department
        by_department.setdefault(department.pk, (department, Tally()))[1].add(tally)
    report.departments = sorted(by_department.values(), key=lambda pair: pair[0].name)
    return report


def percent(value: Fraction | None) -> str:
    """A rate as a percentage with two decimals (—  when undefined)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.2f}%"


def latest_snapshot() -> BaselineSnapshot | None:
    return BaselineSnapshot.objects.order_by("-taken_at", "-id").first()


def snapshots() -> Iterable[BaselineSnapshot]:
    return BaselineSnapshot.objects.order_by("-taken_at", "-id")


# --- 一件事: what applying once saves against applying item by item ------------------------


@dataclass
class BundleRow:
    """One published bundle and its savings (every member counted, as if every situation
    applied)."""

    bundle: Bundle
    savings: BundleSavings


def bundle_streamlining(bundles: Iterable[Bundle]) -> tuple[list[BundleRow], dict[str, int]]:
    """Per bundle and in total: forms N→1, required materials summed vs de-duplicated (免提交
    and the bundle's own results removed), visits summed vs the most, promised days summed vs
    orchestrated (stages chained, parallel members overlapping)."""
    rows = [BundleRow(b, savings(full_plan(load_bundle(b)))) for b in bundles]
    total: dict[str, int] = {}
    for row in rows:
        for key, value in row.savings.as_dict().items():
            total[key] = total.get(key, 0) + value
    return rows, total


def bundles_for(user: Any) -> models.QuerySet[Bundle]:
    """Published bundles in the reader's jurisdiction."""
    return scope_for_staff(published_bundles(), user)
