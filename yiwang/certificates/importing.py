"""Reading an import file of certificates issued before the platform: JSON or Excel (.xlsx).

JSON: a list of objects with the keys below. Excel: the first sheet, a header row with the
same keys; face fields as columns named `face.<field name>`. Keys:
type_code, holder_code_type (111 resident ID, 001 USCC), holder_code, holder_name,
certificate_number, issue_date (YYYY-MM-DD), valid_until (optional), identifier (optional: the
existing GB/T 36904 identifier, kept), case_project_no (optional), face (JSON only).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.certificates import actions
from yiwang.certificates.choices import Operation
from yiwang.certificates.models import Certificate, CertificateType
from yiwang.certificates.permissions import may_issue
from yiwang.certificates.vc.identifier import IdentifierError, parse_identifier
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.regions.models import Department

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


# --- import of certificates issued before -------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One refused row of an import (rows count from 1, as people number them)."""

    row: int
    code: str
    message: str


class ImportRefused(DomainError):
    """An import with at least one bad row: nothing was imported; `rows` says what to fix."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(
            "import_rows_invalid",
            _("有 %(count)d 行数据有误，未导入任何证照。"),
            params={"count": len(rows)},
        )
        self.rows = rows

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["rows"] = [{"row": r.row, "code": r.code, "message": r.message} for r in self.rows]
        return body


def _parse_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("date_invalid", _("日期须为 YYYY-MM-DD 格式。"), field=field) from None


def _import_row(actor: Any, issuer: Department, row: Mapping[str, Any]) -> Certificate:
    if not isinstance(row, Mapping):
        raise DomainError("row_invalid", _("每行须为一个对象。"))
    type_code = actions.clean_type_code(str(row.get("type_code", "")))
    certificate_type = CertificateType.objects.filter(type_code=type_code).first()
    if certificate_type is None:
        raise DomainError("type_unknown", _("未知的证照类型代码。"), field="type_code")
    holder = actions.find_holder(
        str(row.get("holder_code_type", "")), str(row.get("holder_code", ""))
    )
    if holder is None:
        raise DomainError("holder_unknown", _("持证主体尚未在平台登记。"), field="holder_code")
    if str(row.get("holder_name", "")).strip() != holder.name:
        raise DomainError(
            "holder_name_mismatch",
            _("持证主体名称与登记的名称不一致。"),
            field="holder_name",
        )
    number = str(row.get("certificate_number", "")).strip()
    if not number:
        raise DomainError(
            "certificate_number_required", _("请填写证照编号。"), field="certificate_number"
        )
    issue_date = _parse_date(row.get("issue_date"), "issue_date")
    if issue_date is None or issue_date > timezone.localdate():
        raise DomainError(
            "issue_date_invalid", _("发证日期须为今天或以前的日期。"), field="issue_date"
        )
    serial: str | None = None
    version = 1
    old_identifier = str(row.get("identifier", "") or "").strip()
    if old_identifier:
        try:
            parsed = parse_identifier(old_identifier)
        except IdentifierError as exc:
            raise DomainError(
                f"identifier_{exc.code}", _("原证照标识不正确。"), field="identifier"
            ) from exc
        if parsed.type_code != type_code or parsed.issuer_uscc != issuer.uscc:
            raise DomainError(
                "identifier_mismatch",
                _("原证照标识的类型代码或颁发机构与本行不一致。"),
                field="identifier",
            )
        serial, version = parsed.serial, parsed.version
    face = row.get("face") or {}
    if not isinstance(face, Mapping):
        raise DomainError("face_field_invalid", _("照面信息须为对象。"), field="face")
    return actions.issue_in_transaction(
        actor=actor,
        certificate_type=certificate_type,
        holder=holder,
        issuer=issuer,
        face=face,
        case_project_no=str(row.get("case_project_no", "") or ""),
        valid_until=_parse_date(row.get("valid_until"), "valid_until"),
        issue_date=issue_date,
        certificate_number=number,
        serial=serial,
        version=version,
        operation=Operation.IMPORT,
        imported=True,
    )


@transaction.atomic
def import_certificates(
    *, actor: Any, issuer: Department, rows: Sequence[Mapping[str, Any]]
) -> list[Certificate]:
    """存量证照导入: sign certificates issued before the platform; all rows or none."""
    if not may_issue(actor, issuer):
        raise PermissionDenied()
    if not rows:
        raise DomainError("import_empty", _("导入文件中没有数据。"))
    imported: list[Certificate] = []
    refused: list[RowError] = []
    for number, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                imported.append(_import_row(actor, issuer, row))
        except DomainError as exc:
            refused.append(RowError(number, exc.code, exc.message))
    if refused:
        raise ImportRefused(refused)
    today = timezone.localdate()
    for index, certificate in enumerate(imported):
        if certificate.valid_until is not None and certificate.valid_until < today:
            imported[index] = actions.transition_in_transaction(
                certificate, "expire", actor=actor, reason=str(_("有效期届满")), check=False
            )
    return imported
