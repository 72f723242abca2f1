"""Reads of the catalogue: what applicants may see and apply for, what staff may manage."""

from __future__ import annotations

from typing import Any

from django.db import models

from yiwang.catalog import errors
from yiwang.catalog.choices import APPLICABLE_TASK_TYPES, VersionStatus
from yiwang.catalog.models import Task, TaskVersion
from yiwang.core.errors import NotFound
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
        TaskVersion.objects.select_for_update()
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
