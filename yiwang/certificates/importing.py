"""Reading an import file of certificates issued before the platform: JSON or Excel (.xlsx).

JSON: a list of objects with the keys below. Excel: the first sheet, a header row with the
same keys; face fields as columns named `face.<field name>`. Keys:
type_code, holder_code_type (111 resident ID, 001 USCC), holder_code, holder_name,
certificate_number, issue_date (YYYY-MM-DD), valid_until (optional), identifier (optional: the
existing GB/T 36904 identifier, kept), case_project_no (optional), face (JSON only).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError

MAX_ROWS = 5000


def _refuse() -> DomainError:
    return DomainError(
        "import_file_invalid",
        _("无法读取导入文件：请使用 JSON 数组或 Excel（.xlsx）模板。"),
        field="file",
    )


def parse_import_file(name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an import file; refuses what it cannot read, never guesses."""
    if name.lower().endswith(".json"):
        try:
            rows = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise _refuse() from None
        if not isinstance(rows, list):
            raise _refuse()
    elif name.lower().endswith(".xlsx"):
        rows = _excel_rows(data)
    else:
        raise _refuse()
    if len(rows) > MAX_ROWS:
        raise DomainError(
            "import_too_large",
            _("一次最多导入 %(max)d 行。"),
            params={"max": MAX_ROWS},
            field="file",
        )
    # Rows that are not objects are refused row by row by the import action, with their number.
    return cast(list[dict[str, Any]], rows)


def _excel_rows(data: bytes) -> list[dict[str, Any]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refuse() from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(lines, ())]
    rows: list[dict[str, Any]] = []
    for line in lines:
        if all(cell in (None, "") for cell in line):
            continue
        row: dict[str, Any] = {"face": {}}
        for key, cell in zip(header, line, strict=False):
            if not key or cell in (None, ""):
                continue
            if key.startswith("face."):
                row["face"][key[5:]] = cell
            else:
                row[key] = str(cell).strip() if not hasattr(cell, "year") else cell
        rows.append(row)
        if len(rows) > MAX_ROWS:
            break
    book.close()
    return rows
