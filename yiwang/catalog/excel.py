"""Excel (xlsx) import and export of implementation lists, with the national column names.

A workbook has one sheet of tasks (实施清单) and child sheets (业务办理项, 申请材料, 收费项目,
办理环节, 常见问题, 申请表字段) keyed by task_code; a child sheet left out of the workbook
leaves those rows of the task as they are. Import checks every row of every sheet first and
writes nothing unless all are good; then it creates or re-drafts each task through the
catalogue actions in one transaction. Export writes each task's latest version.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from yiwang.catalog import actions
from yiwang.catalog.actions import CHILDREN, VERSION_FIELDS, child_fields, model_field
from yiwang.catalog.choices import VersionStatus
from yiwang.catalog.models import CatalogItem, Material, Task, TaskVersion
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.regions.models import Department, Region

TASK_SHEET = "实施清单"
CHILD_SHEETS = {
    "handling_items": "业务办理项",
    "materials": "申请材料",
    "fees": "收费项目",
    "steps": "办理环节",
    "questions": "常见问题",
    "form_fields": "申请表字段",
}
LEGEND_SHEET = "字段说明"
# Task-sheet columns that are not version fields.
TASK_IDENTITY = ["task_code", "catalog_code", "catalog_name", "dept_code", "dept_name"]
TASK_PLACE = ["region_code", "local_catalog_code", "local_task_code"]
# Written for people to read; ignored on import.
EXPORT_ONLY = {"dept_name", "task_version", "task_state"}
REQUIRED_TASK_COLUMNS = ["task_code", "catalog_code", "dept_code", "region_code", "use_level"]
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
TRUE_WORDS = {"1", "是", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "否", "false", "no", "n", "f", ""}


def _version_columns() -> list[str]:
    return [f.name for f in TaskVersion._meta.concrete_fields if f.name in VERSION_FIELDS]


def task_columns() -> list[str]:
    return [*TASK_IDENTITY, *TASK_PLACE, *_version_columns(), "task_version", "task_state"]


def child_columns(name: str) -> list[str]:
    model = CHILDREN[name]
    settable = child_fields(name)
    ordered = [f.name for f in model._meta.concrete_fields if f.name in settable]
    extra = ["handling_item_codes"] if name == "materials" else []
    return ["task_code", *ordered, *extra]


# ---------------------------------------------------------------- cell values


def _to_cell(column: models.Field[Any, Any] | None, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class CellError(Exception):
    """A cell that cannot be read as its column's type."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()


def _from_cell(column: models.Field[Any, Any], value: Any) -> Any:
    """A cell as the Python value of its model field, or CellError with a reason."""
    text = _text(value)
    if isinstance(column, models.BooleanField):
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise CellError(_("应填写 1/0 或 是/否。"))
    if isinstance(column, models.JSONField):
        for separator in "，、;；":
            text = text.replace(separator, ",")
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(column, models.IntegerField):
        if text == "":
            return None  # the column's default (or no limit, where it may be empty)
        try:
            number = int(text)
        except ValueError:
            raise CellError(_("应填写整数。")) from None
        return number
    if isinstance(column, models.DateField):
        if text == "":
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise CellError(_("应填写日期（如 2026-01-31）。")) from None
    if column.choices and text:
        codes = {str(code) for code, _label in column.flatchoices}
        if text in codes:
            return text
        labels = {str(label): str(code) for code, label in column.flatchoices}
        with translation.override("zh-hans"):  # the Chinese labels work in any language
            labels |= {str(label): str(code) for code, label in column.flatchoices}
        if text in labels:
            return labels[text]
        raise CellError(
            _("不是有效的代码（可选：%(codes)s）。") % {"codes": "、".join(sorted(codes))}
        )
    return text


# ---------------------------------------------------------------- export


def export_workbook(tasks: models.QuerySet[Task]) -> bytes:
    """The latest version of each task (with all child rows) as an xlsx workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(TASK_SHEET)
    columns = task_columns()
    sheet.append(columns)
    tasks = tasks.select_related("catalog_item", "department", "region").order_by("task_code")
    latest: dict[int, TaskVersion] = {}
    for version in (
        TaskVersion.objects.filter(task__in=tasks).order_by("task_id", "-version").iterator()
    ):
        latest.setdefault(version.task_id, version)
    version_cols = set(_version_columns())
    ordered: list[tuple[Task, TaskVersion]] = []
    for task in tasks:
        current = latest.get(task.pk)
        if current is None:
            continue
        version = current
        ordered.append((task, version))
        identity = {
            "task_code": task.task_code,
            "catalog_code": task.catalog_item.catalog_code,
            "catalog_name": task.catalog_item.name,
            "dept_code": task.dept_code,
            "dept_name": task.department.name,
            "region_code": task.region.code,
            "local_catalog_code": task.local_catalog_code,
            "local_task_code": task.local_task_code,
            "task_version": version.version,
            "task_state": version.status,
        }
        row = []
        for name in columns:
            if name in version_cols:
                row.append(_to_cell(model_field(TaskVersion, name), getattr(version, name)))
            else:
                row.append(identity[name])
        sheet.append(row)
    codes = {version.pk: task.task_code for task, version in ordered}
    for name, title in CHILD_SHEETS.items():
        child_sheet = book.create_sheet(title)
        cols = child_columns(name)
        child_sheet.append(cols)
        model = CHILDREN[name]
        queryset = model._default_manager.filter(version_id__in=list(codes)).order_by(
            "version_id", "order_num", "id"
        )
        if model is Material:
            queryset = queryset.prefetch_related("handling_items")
        rows: list[Any] = sorted(
            queryset, key=lambda obj: (codes[obj.version_id], obj.order_num, obj.pk)
        )
        for obj in rows:
            values = []
            for col in cols:
                if col == "task_code":
                    values.append(codes[obj.version_id])
                elif col == "handling_item_codes":
                    situations = sorted(h.task_handle_item for h in obj.handling_items.all())
                    values.append(",".join(situations))
                else:
                    values.append(_to_cell(model_field(model, col), getattr(obj, col)))
            child_sheet.append(values)
    legend = book.create_sheet(LEGEND_SHEET)
    legend.append(["sheet", "column", "label"])
    for name in columns:
        legend.append([TASK_SHEET, name, _label(TaskVersion, name)])
    for child, title in CHILD_SHEETS.items():
        for name in child_columns(child):
            legend.append([title, name, _label(CHILDREN[child], name)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_IDENTITY_LABELS = {
    "task_code": _("实施编码"),
    "catalog_code": _("基本编码"),
    "catalog_name": _("基本目录事项名称"),
    "dept_code": _("实施主体编码（统一社会信用代码）"),
    "dept_name": _("实施主体"),
    "region_code": _("区划代码"),
    "local_catalog_code": _("地方基本编码"),
    "local_task_code": _("地方实施编码"),
    "task_version": _("版本号（仅导出）"),
    "task_state": _("状态（仅导出）"),
    "handling_item_codes": _("适用的业务办理项编码（逗号分隔）"),
}


def _label(model: type[models.Model], name: str) -> str:
    if name in _IDENTITY_LABELS:
        return str(_IDENTITY_LABELS[name])
    return str(model_field(model, name).verbose_name)


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: where it is and why."""

    sheet: str
    row: int
    column: str
    message: str


class ImportRejected(DomainError):
    """The workbook has bad rows; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "import_rejected",
            _("导入未执行：%(count)s 处错误，请修改后重新导入。"),
            params={"count": len(problems)},
        )
        self.problems = problems

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["problems"] = [p.__dict__ for p in self.problems]
        return body


@dataclass
class ImportSummary:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    redrafted: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.redrafted)


@dataclass
class _TaskRow:
    row: int
    task_code: str
    catalog_code: str
    catalog_name: str
    department: Department
    region: Region
    local_catalog_code: str
    local_task_code: str
    fields: dict[str, Any]
    existing: Task | None
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    child_rows: dict[str, list[int]] = field(default_factory=dict)


def _open(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise DomainError("import_file_too_large", _("文件不能超过 10 MB。"), field="file")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise DomainError(
            "import_file_invalid", _("无法读取该文件：请上传 .xlsx 格式的工作簿。"), field="file"
        ) from None


def _rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, tuple(values)


def _header(
    sheet_title: str, header: tuple[Any, ...], known: list[str], problems: list[Problem]
) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _text(raw)
        if not name:
            continue
        if name not in known:
            problems.append(
                Problem(sheet_title, 1, name, str(_("未知的列名（请使用国家标准字段名）。")))
            )
        elif name in positions:
            problems.append(Problem(sheet_title, 1, name, str(_("列名重复。"))))
        else:
            positions[name] = index
    return positions


def _blank(values: tuple[Any, ...]) -> bool:
    return all(_text(v) == "" for v in values)


def _cell(values: tuple[Any, ...], positions: Mapping[str, int], name: str) -> Any:
    index = positions.get(name)
    return values[index] if index is not None and index < len(values) else None


def _problem_from_error(sheet: str, row: int, error: DomainError, default_column: str) -> Problem:
    column = (error.field or default_column).split(".")[-1]
    return Problem(sheet, row, column, error.message)


def read_workbook(*, actor: Any, data: bytes) -> list[_TaskRow]:
    """Parse and check every row; raise ImportRejected listing every problem found."""
    book = _open(data)
    problems: list[Problem] = []
    if TASK_SHEET not in book.sheetnames:
        raise DomainError(
            "import_sheet_missing",
            _("工作簿缺少「%(sheet)s」工作表。"),
            params={"sheet": TASK_SHEET},
            field="file",
        )
    tasks = _read_tasks(actor, book[TASK_SHEET], problems)
    by_code = {t.task_code: t for t in tasks}
    for name, title in CHILD_SHEETS.items():
        if title not in book.sheetnames:
            continue
        for task in tasks:
            task.children[name] = []
            task.child_rows[name] = []
        _read_children(name, title, book[title], by_code, problems)
    for task in tasks:
        try:
            actions.check_children(task.children)
        except DomainError as error:
            sheet, row = TASK_SHEET, task.row
            parts = (error.field or "").split(".")
            if len(parts) >= 2 and parts[0] in CHILD_SHEETS and parts[1].isdigit():
                sheet = CHILD_SHEETS[parts[0]]
                row = task.child_rows[parts[0]][int(parts[1]) - 1]
            problems.append(_problem_from_error(sheet, row, error, "task_code"))
    book.close()
    if problems:
        problems.sort(key=lambda p: (p.sheet != TASK_SHEET, p.sheet, p.row, p.column))
        raise ImportRejected(problems)
    return tasks


def _read_tasks(actor: Any, sheet: Any, problems: list[Problem]) -> list[_TaskRow]:
    rows = _rows(sheet)
    first = next(rows, None)
    if first is None:
        problems.append(Problem(TASK_SHEET, 1, "", str(_("工作表为空。"))))
        return []
    positions = _header(TASK_SHEET, first[1], task_columns(), problems)
    missing = [c for c in REQUIRED_TASK_COLUMNS if c not in positions]
    for name in missing:
        problems.append(Problem(TASK_SHEET, 1, name, str(_("缺少必填列。"))))
    if missing:
        return []
    version_cols = [c for c in _version_columns() if c in positions]
    departments = {d.uscc: d for d in Department.objects.select_related("region")}
    regions = {r.code: r for r in Region.objects.all()}
    tasks: list[_TaskRow] = []
    seen: dict[str, int] = {}
    count = 0
    for number, values in rows:
        if _blank(values):
            continue
        count += 1
        if count > MAX_ROWS:
            problems.append(Problem(TASK_SHEET, number, "", str(_("一次最多导入 20000 行。"))))
            break
        task = _read_task(
            actor, number, values, positions, version_cols, departments, regions, problems
        )
        if task is None:
            continue
        if task.task_code in seen:
            problems.append(
                Problem(
                    TASK_SHEET,
                    number,
                    "task_code",
                    str(_("与第 %(row)s 行的实施编码重复。") % {"row": seen[task.task_code]}),
                )
            )
            continue
        seen[task.task_code] = number
        tasks.append(task)
    return tasks


def _read_task(
    actor: Any,
    number: int,
    values: tuple[Any, ...],
    positions: Mapping[str, int],
    version_cols: Iterable[str],
    departments: Mapping[str, Department],
    regions: Mapping[str, Region],
    problems: list[Problem],
) -> _TaskRow | None:
    before = len(problems)

    def bad(column: str, message: Any) -> None:
        problems.append(Problem(TASK_SHEET, number, column, str(message)))

    fields: dict[str, Any] = {}
    for name in version_cols:
        column = model_field(TaskVersion, name)
        try:
            value = _from_cell(column, _cell(values, positions, name))
        except CellError as error:
            bad(name, error.message)
            continue
        if value is None and not column.null:
            continue  # empty: keep the default (new task) or the current value (existing)
        fields[name] = value
    department = departments.get(_text(_cell(values, positions, "dept_code")).upper())
    if department is None:
        bad("dept_code", _("未找到该统一社会信用代码的部门。"))
    region = regions.get(_text(_cell(values, positions, "region_code")))
    if region is None:
        bad("region_code", _("未找到该区划代码。"))
    catalog_code = _text(_cell(values, positions, "catalog_code"))
    task_code = _text(_cell(values, positions, "task_code")).upper()
    try:
        actions.check_catalog_code(catalog_code)
    except DomainError as error:
        bad("catalog_code", error.message)
    existing = None
    if department is not None and region is not None:
        checks = (
            ("task_code", lambda: actions.check_task_code(task_code, department)),
            ("region_code", lambda: actions.check_task_region(department, region)),
            ("region_code", lambda: actions.require_catalog_admin(actor, region)),
        )
        for where, check in checks:
            try:
                check()
            except DomainError as error:
                bad(where, error.message)
        existing = (
            Task.objects.select_related("department", "region").filter(task_code=task_code).first()
        )
        if existing is not None:
            _check_existing(existing, department, region, bad)
    catalog = CatalogItem.objects.filter(catalog_code=catalog_code).first()
    catalog_name = _text(_cell(values, positions, "catalog_name"))
    if catalog is None and not catalog_name and not fields.get("task_name"):
        bad("catalog_name", _("新的基本编码须填写基本目录事项名称。"))
    if catalog is not None and not fields.get("task_type"):
        fields["task_type"] = catalog.task_type
    if not fields.get("task_name"):
        fields["task_name"] = catalog.name if catalog else catalog_name
    if len(problems) == before:
        try:
            actions.check_version_fields(fields)
        except DomainError as error:
            bad(error.field or "task_code", error.message)
    if len(problems) > before or department is None or region is None:
        return None
    return _TaskRow(
        row=number,
        task_code=task_code,
        catalog_code=catalog_code,
        catalog_name=catalog_name or str(fields.get("task_name", "")),
        department=department,
        region=region,
        local_catalog_code=_text(_cell(values, positions, "local_catalog_code")),
        local_task_code=_text(_cell(values, positions, "local_task_code")),
        fields=fields,
        existing=existing,
    )


def _check_existing(existing: Task, department: Department, region: Region, bad: Any) -> None:
    if existing.department_id != department.pk:
        bad("dept_code", _("已有事项的实施主体不能通过导入更改。"))
    if existing.region_id != region.pk:
        bad("region_code", _("已有事项的区划不能通过导入更改。"))
    latest = existing.versions.order_by("-version").first()
    if latest is not None and latest.status in {VersionStatus.SUBMITTED, VersionStatus.APPROVED}:
        bad("task_code", _("该事项有版本正在审核，请审核完成后再导入。"))


def _read_children(
    name: str,
    title: str,
    sheet: Any,
    by_code: Mapping[str, _TaskRow],
    problems: list[Problem],
) -> None:
    rows = _rows(sheet)
    first = next(rows, None)
    if first is None:
        return
    columns = child_columns(name)
    positions = _header(title, first[1], columns, problems)
    if "task_code" not in positions:
        problems.append(Problem(title, 1, "task_code", str(_("缺少必填列。"))))
        return
    model = CHILDREN[name]
    count = 0
    for number, values in rows:
        if _blank(values):
            continue
        count += 1
        if count > MAX_ROWS:
            problems.append(Problem(title, number, "", str(_("一次最多导入 20000 行。"))))
            return
        code = _text(_cell(values, positions, "task_code")).upper()
        task = by_code.get(code)
        if task is None:
            reason = _("该实施编码不在「实施清单」工作表中，或该行有错误。")
            problems.append(Problem(title, number, "task_code", str(reason)))
            continue
        data: dict[str, Any] = {}
        ok = True
        for column in columns[1:]:
            if column not in positions:
                continue
            raw = _cell(values, positions, column)
            if column == "handling_item_codes":
                data[column] = [c for c in _from_cell(models.JSONField(), raw) if c]
                continue
            try:
                value = _from_cell(model_field(model, column), raw)
            except CellError as error:
                problems.append(Problem(title, number, column, str(error.message)))
                ok = False
                continue
            if value is None and not model_field(model, column).null:
                continue  # an empty optional number keeps its default
            data[column] = value
        if ok:
            task.children[name].append(data)
            task.child_rows[name].append(number)


@transaction.atomic
def import_workbook(*, actor: Any, data: bytes) -> ImportSummary:
    """Import an implementation list: all rows as drafts, or nothing (ImportRejected)."""
    actions.require_catalog_admin(actor)
    rows = read_workbook(actor=actor, data=data)
    summary = ImportSummary()
    problems: list[Problem] = []
    for row in rows:
        try:
            with transaction.atomic():
                _apply(actor, row, summary)
        except DomainError as error:
            problems.append(_problem_from_error(TASK_SHEET, row.row, error, "task_code"))
    if problems:
        raise ImportRejected(problems)
    audit.record(
        "catalog.imported",
        actor=actor,
        subject=("catalog.import", str(len(summary.created) + len(summary.redrafted))),
        after={"created": len(summary.created), "redrafted": len(summary.redrafted)},
    )
    return summary


def _apply(actor: Any, row: _TaskRow, summary: ImportSummary) -> None:
    catalog = CatalogItem.objects.filter(catalog_code=row.catalog_code).first()
    if catalog is None:
        catalog = actions.create_catalog_item(
            actor=actor,
            catalog_code=row.catalog_code,
            name=row.catalog_name,
            task_type=row.fields["task_type"],
        )
    if row.existing is None:
        actions.create_task(
            actor=actor,
            catalog_item=catalog,
            department=row.department,
            region=row.region,
            task_code=row.task_code,
            fields=row.fields,
            children=row.children,
            local_catalog_code=row.local_catalog_code,
            local_task_code=row.local_task_code,
        )
        summary.created.append(row.task_code)
        return
    latest = row.existing.versions.order_by("-version").first()
    if latest is None or latest.status in {VersionStatus.PUBLISHED, VersionStatus.RETIRED}:
        latest = actions.new_draft_version(actor=actor, task=row.existing)
    actions.update_draft(actor=actor, version=latest, fields=row.fields, children=row.children)
    summary.redrafted.append(row.task_code)
