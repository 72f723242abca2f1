"""Excel import and export: every row checked, all or nothing, and a faithful round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from yiwang.catalog import actions, excel
from yiwang.catalog.actions import CHILDREN, VERSION_FIELDS, child_fields
from yiwang.catalog.models import (
    CatalogItem,
    Material,
    SearchToken,
    Task,
    TaskVersion,
)
from yiwang.catalog.tests.conftest import make_task
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied


def dump() -> dict[str, Any]:
    """The catalogue as data: each task's identity, latest version fields and child rows."""
    out: dict[str, Any] = {}
    for task in Task.objects.select_related("catalog_item", "department", "region"):
        version = task.versions.order_by("-version").first()
        children: dict[str, list] = {}
        for name, model in CHILDREN.items():
            rows = []
            for obj in model._default_manager.filter(version=version).order_by("order_num", "pk"):
                row = {f: getattr(obj, f) for f in sorted(child_fields(name))}
                if isinstance(obj, Material):
                    row["situations"] = sorted(h.task_handle_item for h in obj.handling_items.all())
                rows.append(row)
            children[name] = rows
        out[task.task_code] = {
            "catalog": (task.catalog_item.catalog_code, task.catalog_item.name),
            "department": task.department.uscc,
            "region": task.region.code,
            "local": (task.local_catalog_code, task.local_task_code),
            "fields": {name: getattr(version, name) for name in sorted(VERSION_FIELDS)},
            "children": children,
        }
    return out


def wipe_catalogue() -> None:
    SearchToken.objects.all().delete()
    Task.objects.update(current_version=None)
    TaskVersion.objects.all().delete()
    Task.objects.all().delete()
    CatalogItem.objects.all().delete()


@pytest.fixture
def rich_catalogue(city, search_catalogue):
    make_task(
        catalog_code="000201001000",
        name="食品经营许可",
        department=city.dept_a2,
        region=city.village_a,
        suffix="09",
        fields={
            "task_name": "食品经营许可（村级代办）",
            "use_level": "6",
            "anticipate_day": 20,
            "anticipate_type": "2",
            "promise_day": 7,
            "server_type": ["1", "2"],
            "is_fee": True,
            "fee_basis": "《行政事业性收费标准》",
            "accept_condition": "有与经营相适应的场所；\n有食品安全管理制度。",
            "user_topic_type": ["employment"],
            "corp_topic_type": ["business_start", "business_operation"],
            "plan_effective_date": __import__("datetime").date(2026, 3, 1),
            "is_schedule": True,
            "handle_area": "4",
        },
        children={
            "handling_items": [
                {"task_handle_item": "01", "name": "新办", "description": "首次申请"},
                {"task_handle_item": "02", "name": "变更"},
            ],
            "materials": [
                {"material_name": "申请书", "page_num": 2, "form_file": "/media/forms/a.docx"},
                {
                    "material_name": "营业执照",
                    "source_type": "4",
                    "source_certificate_type_code": "11100000000013127D001",
                    "handling_item_codes": ["01", "02"],
                },
                {"material_name": "变更说明", "is_need": False, "handling_item_codes": ["02"]},
            ],
            "fees": [{"fee_name": "工本费", "fee_stand": "每证 10 元", "amount_fen": 1000}],
            "steps": [
                {"name": "受理", "role": "window_clerk", "limit_days": 1},
                {"name": "决定", "role": "approver", "limit_days": 3},
            ],
            "questions": [{"question": "要几天？", "answer": "承诺 7 个自然日。"}],
            "form_fields": [
                {"key": "operator", "label": "经营者姓名", "prefill": "profile:name"},
                {
                    "key": "shop_kind",
                    "label": "经营类别",
                    "field_type": "choice",
                    "choices": ["热食类", "冷食类", "饮品"],
                    "required": False,
                    "help_text": "可多选时请联系窗口",
                },
                {"key": "opening", "label": "开业日期", "field_type": "date"},
            ],
        },
    )
    return dump()


@pytest.mark.django_db
def test_export_then_import_gives_the_same_catalogue(rich_catalogue) -> None:
    data = excel.export_workbook(Task.objects.all())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:6] == [
        "实施清单",
        "业务办理项",
        "申请材料",
        "收费项目",
        "办理环节",
        "常见问题",
    ]
    assert "申请表字段" in book.sheetnames
    assert [c.value for c in book["申请表字段"][1]][:3] == ["task_code", "key", "label"]
    header = [c.value for c in book["实施清单"][1]]
    assert header[:4] == ["task_code", "catalog_code", "catalog_name", "dept_code"]
    for national in ("anticipate_day", "promise_type", "handle_area", "online_handle_depth"):
        assert national in header
    wipe_catalogue()
    summary = excel.import_workbook(actor=SYSTEM, data=data)
    assert len(summary.created) == len(rich_catalogue) == 9
    assert dump() == rich_catalogue
    assert set(TaskVersion.objects.values_list("status", flat=True)) == {"draft"}


def task_book(rows: list[dict[str, Any]], children: dict[str, list[dict]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "实施清单"
    columns = ["task_code", "catalog_code", "catalog_name", "dept_code", "region_code",
               "task_name", "task_type", "use_level", "anticipate_day", "promise_day",
               "handle_area"]  # fmt: skip
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    for name, child_rows in (children or {}).items():
        child = book.create_sheet(excel.CHILD_SHEETS[name])
        cols = list(child_rows[0])
        child.append(cols)
        for row in child_rows:
            child.append([row.get(c) for c in cols])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(city, n: int, **overrides) -> dict[str, Any]:
    row = {
        "task_code": f"{city.dept_a2.uscc}400020100{n:04d}",
        "catalog_code": f"0002010{n:05d}",
        "catalog_name": f"测试事项{n}",
        "dept_code": city.dept_a2.uscc,
        "region_code": city.county_a.code,
        "task_name": f"测试事项{n}",
        "task_type": "01",
        "use_level": "县级",  # a label is accepted as well as the code
        "anticipate_day": 20,
        "promise_day": 5,
        "handle_area": "1",
    }
    row.update(overrides)
    return row


@pytest.mark.django_db
def test_three_bad_rows_import_nothing_and_are_named(city) -> None:
    rows = [good_row(city, n) for n in range(1, 8)]
    rows[1]["promise_day"] = 30  # sheet row 3: promised above statutory
    rows[3]["task_code"] = f"{city.dept_a.uscc}4000201000004"  # row 5: not the dept's USCC
    rows[4]["region_code"] = "360199999999"  # row 6: no such region
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(actor=SYSTEM, data=task_book(rows))
    problems = caught.value.problems
    assert sorted({p.row for p in problems}) == [3, 5, 6]
    assert {(p.row, p.column) for p in problems} == {
        (3, "promise_day"),
        (5, "task_code"),
        (6, "region_code"),
    }
    assert "不能超过法定办结时限" in next(p.message for p in problems if p.row == 3)
    assert not Task.objects.exists() and not CatalogItem.objects.exists()
    assert caught.value.as_dict()["code"] == "import_rejected"


@pytest.mark.django_db
def test_the_reasons_are_translated(city) -> None:
    from django.utils import translation

    rows = [good_row(city, 1, promise_day=30)]
    with translation.override("en"), pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(actor=SYSTEM, data=task_book(rows))
    assert "statutory" in caught.value.problems[0].message


@pytest.mark.django_db
def test_cell_types_and_child_rows_are_checked(city) -> None:
    rows = [
        good_row(city, 1, anticipate_day="二十"),
        good_row(city, 2, handle_area="9"),
        good_row(city, 3),
        good_row(city, 3),
    ]
    children = {
        "materials": [
            {"task_code": rows[2]["task_code"], "material_name": "申请书", "is_need": "也许"},
            {"task_code": rows[2]["task_code"], "material_name": "", "is_need": 1},
            {"task_code": "NOPE", "material_name": "x", "is_need": 1},
        ]
    }
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(actor=SYSTEM, data=task_book(rows, children))
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("实施清单", 2, "anticipate_day"),
        ("实施清单", 3, "handle_area"),
        ("实施清单", 5, "task_code"),
        ("申请材料", 2, "is_need"),
        ("申请材料", 3, "material_name"),
        ("申请材料", 4, "task_code"),
    }
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_importing_an_existing_task_makes_a_new_draft(city, published_task) -> None:
    row = good_row(
        city,
        1,
        task_code=published_task.task.task_code,
        catalog_code="000201001000",
        task_name="食品经营许可（新办）",
        promise_day=3,
    )
    summary = excel.import_workbook(actor=SYSTEM, data=task_book([row]))
    assert summary.redrafted == [published_task.task.task_code]
    draft = published_task.task.versions.order_by("-version").first()
    assert draft.version == 2 and draft.status == "draft" and draft.promise_day == 3
    assert draft.materials.count() == 2  # no materials sheet: materials unchanged
    published_task.refresh_from_db()
    assert published_task.promise_day == 10  # the published version never changes


@pytest.mark.django_db
def test_unreadable_files_are_refused(city) -> None:
    with pytest.raises(DomainError) as caught:
        excel.import_workbook(actor=SYSTEM, data=b"not a workbook")
    assert caught.value.code == "import_file_invalid"
    book = Workbook()
    book.active.title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(DomainError) as caught:
        excel.import_workbook(actor=SYSTEM, data=buffer.getvalue())
    assert caught.value.code == "import_sheet_missing"


@pytest.mark.django_db
def test_only_catalogue_admins_import_and_only_in_their_jurisdiction(city, personas) -> None:
    from conftest import make_staff
    from yiwang.regions.choices import Role

    with pytest.raises(PermissionDenied):
        excel.import_workbook(actor=personas.clerk_a, data=task_book([good_row(city, 1)]))
    admin_b = make_staff("catalog.b", city.dept_b, [Role.CATALOG_ADMIN], department_only=False)
    with pytest.raises(excel.ImportRejected) as caught:
        excel.import_workbook(actor=admin_b, data=task_book([good_row(city, 1)]))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "region_code")]
    summary = excel.import_workbook(
        actor=personas.catalog_admin, data=task_book([good_row(city, 1)])
    )
    assert summary.rows == 1
    assert actions  # the import goes through the actions (audited)


@pytest.mark.django_db
def test_a_workbook_without_the_form_sheet_keeps_the_form(rich_catalogue) -> None:
    """Workbooks made before the 申请表字段 sheet existed leave an item's form as it is."""
    book = load_workbook(io.BytesIO(excel.export_workbook(Task.objects.all())))
    del book["申请表字段"]
    stream = io.BytesIO()
    book.save(stream)
    excel.import_workbook(actor=SYSTEM, data=stream.getvalue())
    after = dump()
    assert any(row["children"]["form_fields"] for row in after.values())
    for code, row in after.items():
        assert row["children"]["form_fields"] == rich_catalogue[code]["children"]["form_fields"]
