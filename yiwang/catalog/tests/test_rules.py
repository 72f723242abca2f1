"""Rules the actions refuse with a clear message, and the database refuses too."""

from __future__ import annotations

import pytest
from django.db import DataError, IntegrityError, transaction

from yiwang.catalog import actions
from yiwang.catalog.models import CatalogItem, Task, TaskVersion
from yiwang.catalog.tests.conftest import make_task
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied


@pytest.mark.django_db
def test_database_refuses_a_basic_code_that_is_not_12_characters(published_task) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogItem.objects.filter(pk=published_task.task.catalog_item_id).update(
            catalog_code="00020100100"
        )
    # Too long: PostgreSQL's varchar(12) refuses it first (DataError), SQLite the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        CatalogItem.objects.create(catalog_code="0002010010001", name="x", task_type="01")


@pytest.mark.django_db
def test_database_refuses_an_implementation_code_without_the_uscc(city, published_task) -> None:
    task = published_task.task
    assert task.dept_code == city.dept_a2.uscc
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(task_code="X" + task.task_code[1:])
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(task_code=task.dept_code)  # nothing after it


@pytest.mark.parametrize(
    "code", ["00020100100", "0002010010001", "0002010-1000", "基本编码基本编码基本编码", ""]
)
@pytest.mark.django_db
def test_malformed_basic_codes_are_refused(city, code) -> None:
    with pytest.raises(DomainError) as caught:
        actions.create_catalog_item(actor=SYSTEM, catalog_code=code, name="x", task_type="01")
    assert caught.value.code == "catalog_code_format"
    assert "12 位" in caught.value.message


@pytest.mark.django_db
def test_malformed_implementation_codes_are_refused(city) -> None:
    item = actions.create_catalog_item(
        actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
    )
    uscc = city.dept_a2.uscc
    for code in (uscc, f"{uscc}{'1' * 19}", f"{uscc}-0001", f"{city.dept_a.uscc}0001"):
        with pytest.raises(DomainError) as caught:
            actions.create_task(
                actor=SYSTEM,
                catalog_item=item,
                department=city.dept_a2,
                region=city.county_a,
                task_code=code,
                fields={"use_level": "4"},
            )
        assert caught.value.code == "task_code_format", code
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_department_must_belong_to_the_region(city) -> None:
    with pytest.raises(DomainError) as caught:
        make_task(
            catalog_code="000201001000", name="食品经营许可", department=city.dept_a2,
            region=city.county_b,
        )  # fmt: skip
    assert caught.value.code == "task_region_mismatch"
    # A county department may implement a township or village row of its own county.
    village = make_task(
        catalog_code="000201001000", name="食品经营许可", department=city.dept_a2,
        region=city.village_a, suffix="02",
    )  # fmt: skip
    assert village.task.region == city.village_a


@pytest.mark.django_db
def test_bad_choice_or_length_is_refused_with_the_field(city, published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    for fields, field in (
        ({"handle_area": "9"}, "handle_area"),
        ({"online_handle_depth": "x"}, "online_handle_depth"),
        ({"task_name": ""}, "task_name"),
        ({"task_name": "名" * 201}, "task_name"),
        ({"user_topic_type": ["nope"]}, "user_topic_type"),
        ({"server_type": "1"}, "server_type"),
    ):
        with pytest.raises(DomainError) as caught:
            actions.update_draft(actor=SYSTEM, version=draft, fields=fields)
        assert caught.value.field == field
    draft.refresh_from_db()
    assert draft.task_name == published_task.task_name


@pytest.mark.django_db
def test_child_rows_are_checked_before_anything_is_written(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    bad = [
        {"materials": [{"material_name": "申请书", "source_type": "7"}]},
        {"materials": [{"material_name": ""}]},
        {"materials": [{"material_name": "申请书", "colour": "red"}]},
        {"materials": [{"material_name": "申请书", "handling_item_codes": ["99"]}]},
        {"steps": [{"name": "审查", "role": "reviewer", "limit_days": -1}]},
        {"fees": [{"fee_name": "工本费"}]},
        {"answers": []},
    ]
    for children in bad:
        with pytest.raises(DomainError):
            actions.update_draft(actor=SYSTEM, version=draft, fields={}, children=children)
    assert draft.materials.count() == 2 and draft.steps.count() == 3


@pytest.mark.django_db
def test_materials_may_apply_to_some_situations(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    actions.update_draft(
        actor=SYSTEM,
        version=draft,
        fields={},
        children={
            "handling_items": [
                {"task_handle_item": "01", "name": "新办"},
                {"task_handle_item": "02", "name": "变更"},
            ],
            "materials": [
                {"material_name": "申请书"},
                {"material_name": "变更说明", "handling_item_codes": ["02"]},
            ],
        },
    )
    change = draft.materials.get(material_name="变更说明")
    assert [h.name for h in change.handling_items.all()] == ["变更"]
    copy = actions.new_draft_version  # a later draft keeps the link
    actions.submit_version(actor=SYSTEM, version=draft)
    actions.approve_version(actor=SYSTEM, version=draft)
    actions.publish_version(actor=SYSTEM, version=draft)
    third = copy(actor=SYSTEM, task=draft.task)
    assert [
        h.task_handle_item
        for h in third.materials.get(material_name="变更说明").handling_items.all()
    ] == ["02"]


@pytest.mark.django_db
def test_county_admin_cannot_manage_another_county(city, published_task) -> None:
    from conftest import make_staff
    from yiwang.regions.choices import Role

    admin_b = make_staff("catalog.b", city.dept_b, [Role.CATALOG_ADMIN], department_only=False)
    with pytest.raises(PermissionDenied) as caught:
        actions.new_draft_version(actor=admin_b, task=published_task.task)
    assert caught.value.code == "outside_jurisdiction"
    assert TaskVersion.objects.filter(task=published_task.task).count() == 1
