"""Reads of the catalogue: what applicants may see and apply for, what staff may manage."""

from __future__ import annotations

from typing import Any

from django.db import models

from yiwang.catalog import errors
from yiwang.catalog.choices import APPLICABLE_TASK_TYPES, VersionStatus
from yiwang.catalog.models import BaselineSnapshot, Bundle, Synonym, Task, TaskVersion
from yiwang.catalog.permissions import can_manage_catalog, can_view_metrics
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.regions.models import Department
from yiwang.regions.queries import scope_for_staff


def published_versions() -> models.QuerySet[TaskVersion]:
    """Versions the public sees: published, of a type citizens apply for."""
    return TaskVersion.objects.filter(
        status=VersionStatus.PUBLISHED, task_type__in=APPLICABLE_TASK_TYPES
    ).select_related("task__department", "task__region")


def get_published_version(pk: int) -> TaskVersion:
    """A version an applicant may read; 404 otherwise (drafts are not public)."""
    version = published_versions().filter(pk=pk).first()
    if version is None:
        raise NotFound()
    return version


def version_for_application(pk: int) -> TaskVersion:
    """Lock and return a version a case may be accepted under, or refuse.

    Called inside the case action's transaction: the row lock means a version cannot be
    retired between this check and the case's insert.
    """
    version = (
        TaskVersion.objects.select_for_update(of=("self",))
        .select_related("task__department", "task__region")
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise NotFound()
    if version.status != VersionStatus.PUBLISHED or version.task_type not in APPLICABLE_TASK_TYPES:
        raise errors.not_applicable()
    return version


def tasks_for_admin(user: Any) -> models.QuerySet[Task]:
    """Tasks a catalogue administrator may manage (their jurisdiction)."""
    return scope_for_staff(
        Task.objects.select_related("catalog_item", "department", "region", "current_version"),
        user,
    )


def get_published_by_task_code(task_code: str) -> TaskVersion:
    """The version of a task the public sees now (its current published version), or 404."""
    version = (
        published_versions()
        .filter(task__task_code=task_code.strip().upper()[:36], task__current_version__isnull=False)
        .filter(task__current_version=models.F("pk"))
        .first()
    )
    if version is None:
        raise NotFound()
    return version


def guide_children(version: TaskVersion) -> dict[str, Any]:
    """Everything a service guide lists under a version, fetched once each."""
    return {
        "handling_items": list(version.handling_items.all()),
        "materials": list(version.materials.prefetch_related("handling_items")),
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
        "questions": list(version.questions.all()),
    }


def departments_with_items() -> models.QuerySet[Department]:
    """Departments that have at least one published item, with how many."""
    return (
        Department.objects.filter(
            tasks__current_version__status=VersionStatus.PUBLISHED,
            tasks__current_version__task_type__in=APPLICABLE_TASK_TYPES,
        )
        .select_related("region")
        .annotate(item_count=models.Count("tasks", distinct=True))
        .order_by("region__code", "name")
    )


def require_manager(user: Any) -> None:
    """Refuse anyone who may not manage the catalogue (403, before anything is looked up)."""
    if not can_manage_catalog(user):
        raise PermissionDenied()


def require_metrics_reader(user: Any) -> None:
    if not can_view_metrics(user):
        raise PermissionDenied()


def get_task_for_admin(user: Any, pk: int) -> Task:
    """One task in the administrator's jurisdiction, or 404."""
    require_manager(user)
    task = tasks_for_admin(user).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def get_task_by_code_for_admin(user: Any, task_code: str) -> Task:
    require_manager(user)
    task = tasks_for_admin(user).filter(task_code=task_code.strip().upper()[:36]).first()
    if task is None:
        raise NotFound()
    return task


def versions_for_admin(user: Any) -> models.QuerySet[TaskVersion]:
    """Versions of every task in the administrator's jurisdiction."""
    return TaskVersion.objects.filter(task__in=tasks_for_admin(user)).select_related(
        "task__department", "task__region", "task__catalog_item", "created_by"
    )


def get_version_for_admin(user: Any, pk: int) -> TaskVersion:
    """One version of a task in the administrator's jurisdiction, or 404."""
    require_manager(user)
    version = versions_for_admin(user).filter(pk=pk).first()
    if version is None:
        raise NotFound()
    return version


def history(task: Task) -> models.QuerySet[TaskVersion]:
    """Every version of a task, newest first."""
    return task.versions.select_related("created_by").order_by("-version")


def synonyms() -> models.QuerySet[Synonym]:
    return Synonym.objects.select_related("updated_by").order_by("term")


def get_snapshot(pk: int | None) -> BaselineSnapshot | None:
    """A baseline by id, the newest one when no id is given; 404 for an unknown id."""
    if pk is None:
        return BaselineSnapshot.objects.order_by("-taken_at", "-id").first()
    snapshot = BaselineSnapshot.objects.filter(pk=pk).first()
    if snapshot is None:
        raise NotFound()
    return snapshot


def metrics_tasks(user: Any) -> models.QuerySet[Task]:
    """Tasks whose metrics the user may read (their jurisdiction)."""
    require_metrics_reader(user)
    return scope_for_staff(Task.objects.all(), user)


def bundles_for_admin(user: Any) -> models.QuerySet[Bundle]:
    """Bundles (any status) in a catalogue administrator's jurisdiction."""
    require_manager(user)
    return scope_for_staff(
        Bundle.objects.select_related("region", "lead_department").order_by("code"), user
    )


def get_bundle_for_admin(user: Any, code: str) -> Bundle:
    bundle = bundles_for_admin(user).filter(code=str(code)[:40]).first()
    if bundle is None:
        raise NotFound()
    return bundle
