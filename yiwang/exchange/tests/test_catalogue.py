"""一本账: codes per classification, immutable published versions, 一数一源, disputes."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import AuditEntry
from yiwang.exchange import actions, clock
from yiwang.exchange.choices import DisputeStatus, VersionStatus
from yiwang.exchange.models import DataCopy, Resource, ResourceVersion
from yiwang.exchange.tests.conftest import POPULATION_ITEMS, make_departments


def _draft(provider, **fields):
    return actions.create_resource(
        actor=SYSTEM,
        provider=provider,
        category=fields.pop("category", "1"),
        subject_code=fields.pop("subject_code", "01"),
        section_code=fields.pop("section_code", "001"),
        detail_code=fields.pop("detail_code", ""),
        fields={"name": "测试资源", "sharing_type": "1", "sharing_methods": ["api"], **fields},
        items=[{"code": "xm", "name": "姓名"}],
    )


@pytest.mark.django_db
def test_codes_are_classification_plus_six_digit_order_per_prefix(city) -> None:
    police, _bureau = make_departments(city)
    first = _draft(police)
    second = _draft(police)
    other_prefix = _draft(
        police, category="2", subject_code="03", section_code="010", detail_code="01"
    )
    assert first.resource.code == "101001000001"
    assert second.resource.code == "101001000002"
    assert other_prefix.resource.code == "20301001000001"
    assert other_prefix.resource.classification_code == "20301001"


@pytest.mark.django_db
def test_a_refused_resource_uses_no_number(city) -> None:
    police, _bureau = make_departments(city)
    _draft(police)
    with pytest.raises(DomainError):
        _draft(police, sharing_type="9")
    assert _draft(police).resource.code == "101001000002"  # gap-free: 1 then 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "subject", "section", "detail", "code"),
    [
        ("4", "01", "001", "", "category_invalid"),
        ("1", "09", "001", "", "subject_invalid"),  # 基础 has 项 01–05 only
        ("2", "13", "001", "", "subject_invalid"),
        ("1", "01", "01", "", "section_invalid"),
        ("1", "01", "001", "1234567", "detail_invalid"),
        ("1", "01", "001", "1a", "detail_invalid"),
    ],
)
def test_bad_classification_is_refused(city, category, subject, section, detail, code) -> None:
    police, _bureau = make_departments(city)
    with pytest.raises(DomainError) as caught:
        _draft(
            police,
            category=category,
            subject_code=subject,
            section_code=section,
            detail_code=detail,
        )
    assert caught.value.code == code
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_published_version_never_changes_and_new_one_retires_it(world) -> None:
    published = world.population
    assert published.status == VersionStatus.PUBLISHED
    with pytest.raises(DomainError) as caught:
        actions.update_resource_draft(
            actor=world.data_admin, version=published, fields={"name": "x"}
        )
    assert caught.value.code == "status_invalid"
    draft = actions.new_resource_draft(actor=world.police_officer, resource=published.resource)
    assert draft.version == 2 and draft.items.count() == len(POPULATION_ITEMS)
    actions.update_resource_draft(
        actor=world.police_officer, version=draft, fields={"summary": "新增说明"}
    )
    actions.publish_resource_version(actor=world.data_admin, version=draft)
    old = ResourceVersion.objects.get(pk=published.pk)
    assert old.status == VersionStatus.RETIRED and old.summary != "新增说明"
    resource = Resource.objects.get(pk=published.resource_id)
    assert resource.current_version_id == draft.pk


@pytest.mark.django_db
def test_only_the_data_administrator_publishes(world) -> None:
    draft = actions.new_resource_draft(
        actor=world.police_officer, resource=world.population.resource
    )
    with pytest.raises(PermissionDenied):
        actions.publish_resource_version(actor=world.police_officer, version=draft)
    with pytest.raises(PermissionDenied):
        actions.update_resource_draft(actor=world.officer_b, version=draft, fields={"summary": "x"})


@pytest.mark.django_db
def test_publishing_checks_conditions_and_basis(city) -> None:
    police, _bureau = make_departments(city)
    conditional = _draft(police, sharing_type="2")
    with pytest.raises(DomainError) as caught:
        actions.publish_resource_version(actor=SYSTEM, version=conditional)
    assert caught.value.code == "condition_required"
    not_shared = _draft(police, sharing_type="3", sharing_methods=[])
    with pytest.raises(DomainError) as caught:
        actions.publish_resource_version(actor=SYSTEM, version=not_shared)
    assert caught.value.code == "basis_required"


@pytest.mark.django_db
def test_one_source_per_element_and_copies_keep_lineage(world) -> None:
    element = actions.register_data_element(
        actor=world.data_admin,
        code="de0001",
        name="公民身份号码",
        data_type="C",
        source_department=world.police,
        source_system="人口信息管理系统",
    )
    # Another department's resource carries the element: it may not claim to be its source.
    with pytest.raises(DomainError) as caught:
        actions.create_resource(
            actor=world.data_admin,
            provider=world.city.dept_a2,
            category="3",
            subject_code="12",
            section_code="001",
            fields={"name": "个体工商户登记信息", "sharing_type": "1", "sharing_methods": ["api"]},
            items=[
                {
                    "code": "jyzsfzh",
                    "name": "经营者身份证号",
                    "element": "DE0001",
                    "source_department_id": world.city.dept_a2.pk,
                }
            ],  # fmt: skip
        )
    assert caught.value.code == "source_conflict"
    draft = actions.create_resource(
        actor=world.data_admin,
        provider=world.city.dept_a2,
        category="3",
        subject_code="12",
        section_code="001",
        fields={
            "name": "个体工商户登记信息",
            "sharing_type": "1",
            "sharing_methods": ["api"],
            "provider_system": "市场主体登记系统",
        },  # fmt: skip
        items=[
            {"code": "zch", "name": "注册号"},
            {"code": "jyzsfzh", "name": "经营者身份证号", "element": "DE0001"},
        ],
    )
    item = draft.items.get(code="jyzsfzh")
    assert item.source_department == world.police and item.source_system == "人口信息管理系统"
    actions.publish_resource_version(actor=world.data_admin, version=draft)
    copy = DataCopy.objects.get()
    assert copy.item == item and copy.element == element
    assert copy.holder_department == world.city.dept_a2
    assert copy.source_department == world.police
    assert draft.items.get(code="zch").copies.count() == 0  # its own datum: no copy


@pytest.mark.django_db
def test_dispute_goes_to_the_source_with_a_working_day_deadline(world, monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 30))
    actions.register_data_element(
        actor=world.data_admin, code="DE0003", name="出生日期", data_type="D",
        source_department=world.police, source_system="人口信息管理系统",
    )  # fmt: skip
    copy_holder = actions.create_resource(
        actor=world.data_admin,
        provider=world.city.dept_a2,
        category="3",
        subject_code="12",
        section_code="002",
        fields={"name": "从业人员信息", "sharing_type": "1", "sharing_methods": ["api"]},
        items=[{"code": "csrq", "name": "出生日期", "element": "DE0003"}],
    )
    actions.publish_resource_version(actor=world.data_admin, version=copy_holder)
    dispute = actions.raise_dispute(
        actor=world.officer_b,
        resource=copy_holder.resource,
        item_code="csrq",
        description="王芳的出生日期与户口簿不一致",
        record_reference="王芳",
    )
    # Raised against the copy, it goes to the authoritative source.
    assert dispute.source_department == world.police
    # 5 WD after Wed 30 Sep 2026: 8, 9, 10 (调休 Saturday), 12, 13 October.
    assert dispute.due_date == dt.date(2026, 10, 13)
    with pytest.raises(PermissionDenied):
        actions.answer_dispute(
            actor=world.consumer_officer, dispute=dispute, outcome="confirmed", answer="x"
        )
    answered = actions.answer_dispute(
        actor=world.police_officer, dispute=dispute, outcome="corrected", answer="已按户籍底册更正"
    )
    assert answered.status == DisputeStatus.ANSWERED and answered.outcome == "corrected"
    assert AuditEntry.objects.filter(action="exchange.dispute_answered").exists()
