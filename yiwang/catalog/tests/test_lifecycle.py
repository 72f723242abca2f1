"""Versions: draft → submitted → approved → published → retired; published never changes."""

from __future__ import annotations

import pytest

from yiwang.catalog import actions, queries
from yiwang.catalog.choices import VersionStatus
from yiwang.catalog.models import TaskVersion
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, NotFound, PermissionDenied


@pytest.mark.django_db
def test_publish_and_apply(published_task) -> None:
    assert published_task.status == VersionStatus.PUBLISHED
    assert published_task.task.current_version == published_task
    assert queries.version_for_application(published_task.pk) == published_task
    assert list(published_task.materials.values_list("material_name", flat=True)) == [
        "食品经营许可申请书",
        "营业执照",
    ]


@pytest.mark.django_db
def test_published_version_cannot_be_edited(published_task) -> None:
    with pytest.raises(DomainError) as caught:
        actions.update_draft(actor=SYSTEM, version=published_task, fields={"promise_day": 5})
    assert caught.value.code == "version_status_invalid"
    published_task.refresh_from_db()
    assert published_task.promise_day == 10


@pytest.mark.django_db
def test_new_version_replaces_and_retires_the_old(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    assert draft.version == 2 and draft.materials.count() == 2
    with pytest.raises(DomainError):
        queries.version_for_application(draft.pk)
    actions.update_draft(actor=SYSTEM, version=draft, fields={"promise_day": 5})
    for step in (actions.submit_version, actions.approve_version, actions.publish_version):
        step(actor=SYSTEM, version=draft)
    old = TaskVersion.objects.get(pk=published_task.pk)
    assert old.status == VersionStatus.RETIRED and old.promise_day == 10
    with pytest.raises(DomainError) as caught:
        queries.version_for_application(old.pk)
    assert caught.value.code == "task_not_published"


@pytest.mark.django_db
def test_promise_above_statutory_is_refused(city) -> None:
    from yiwang.catalog.tests.conftest import make_published_task

    with pytest.raises(DomainError) as caught:
        make_published_task(city, promise_day=25)
    assert caught.value.code == "promise_exceeds_statutory"
    assert "不能超过法定办结时限" in caught.value.message
    assert not TaskVersion.objects.exists()


@pytest.mark.django_db
def test_database_refuses_promise_above_statutory_too(published_task) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TaskVersion.objects.filter(pk=published_task.pk).update(promise_day=30)


@pytest.mark.django_db
def test_task_code_must_start_with_the_department_uscc(city) -> None:
    item = actions.create_catalog_item(
        actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
    )
    with pytest.raises(DomainError) as caught:
        actions.create_task(
            actor=SYSTEM,
            catalog_item=item,
            department=city.dept_a2,
            region=city.county_a,
            task_code="91110000600037341L400020100",
            fields={"use_level": "4"},
        )
    assert caught.value.code == "task_code_format"
    with pytest.raises(DomainError) as caught:
        actions.create_catalog_item(actor=SYSTEM, catalog_code="0002", name="x", task_type="01")
    assert caught.value.code == "catalog_code_format"


@pytest.mark.django_db
def test_only_catalog_admins_manage(personas, published_task) -> None:
    with pytest.raises(PermissionDenied):
        actions.new_draft_version(actor=personas.clerk_a, task=published_task.task)
    draft = actions.new_draft_version(actor=personas.catalog_admin, task=published_task.task)
    assert draft.created_by == personas.catalog_admin


@pytest.mark.django_db
def test_drafts_are_not_public(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    with pytest.raises(NotFound):
        queries.get_published_version(draft.pk)
    assert queries.get_published_version(published_task.pk) == published_task
