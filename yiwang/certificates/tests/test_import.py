"""Importing certificates issued before: all rows or none, each refused row named."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from yiwang.certificates import actions
from yiwang.certificates.importing import parse_import_file
from yiwang.certificates.models import Certificate
from yiwang.certificates.vc.identifier import make_identifier
from yiwang.certificates.verification import verify_certificate
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied


def _row(setup, **changes):
    row = {
        "type_code": setup.food_licence.type_code,
        "holder_code_type": "001",
        "holder_code": setup.company.uscc,
        "holder_name": setup.company.name,
        "certificate_number": "JY13601020012345",
        "issue_date": "2021-03-01",
        "valid_until": "2026-02-28",
        "face": {"operator": "赣香", "premises": "八一大道", "items": "热食类"},
    }
    row.update(changes)
    return row


def test_import_signs_old_certificates_keeping_their_identifier(setup):
    old_identifier = make_identifier(
        setup.food_licence.type_code, setup.city.dept_a2.uscc, "2021000123", 1
    )
    imported = actions.import_certificates(
        actor=setup.approver_a2,
        issuer=setup.city.dept_a2,
        rows=[
            _row(setup, identifier=old_identifier, valid_until="2099-02-28"),
            _row(setup, certificate_number="JY2", issue_date="2020-01-01", valid_until=""),
        ],
    )
    assert [c.identifier for c in imported][0] == old_identifier
    first = imported[0]
    assert first.imported and first.issue_date.isoformat() == "2021-03-01"
    assert verify_certificate(first).verified
    assert imported[1].valid_until.isoformat() == "2024-12-31"  # 5 years from 2020-01-01
    # Already past its validity: kept for the record, as expired.
    assert imported[1].status == "expired"
    assert list(imported[1].events.values_list("operation", flat=True)) == ["99", "04"]


def test_one_bad_row_imports_nothing_and_names_every_bad_row(setup):
    rows = [
        _row(setup),
        _row(setup, holder_name="别的公司"),
        _row(setup, type_code="11100000000013127D777"),
        _row(setup, issue_date="2021-13-01"),
        _row(setup, holder_code="91360102000399999X"),
        "not an object",
    ]
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_certificates(actor=SYSTEM, issuer=setup.city.dept_a2, rows=rows)
    assert [(r.row, r.code) for r in refused.value.rows] == [
        (2, "holder_name_mismatch"),
        (3, "type_unknown"),
        (4, "date_invalid"),
        (5, "uscc_checksum"),
        (6, "row_invalid"),
    ]
    assert refused.value.as_dict()["rows"][0]["row"] == 2
    assert not Certificate.objects.exists()


def test_import_needs_the_right_to_issue(setup):
    with pytest.raises(PermissionDenied):
        actions.import_certificates(
            actor=setup.personas.clerk_b, issuer=setup.city.dept_a2, rows=[_row(setup)]
        )
    with pytest.raises(DomainError):
        actions.import_certificates(actor=SYSTEM, issuer=setup.city.dept_a2, rows=[])


def test_excel_and_json_files_and_the_command(setup, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    header = [
        "type_code",
        "holder_code_type",
        "holder_code",
        "holder_name",
        "certificate_number",
        "issue_date",
        "valid_until",
        "face.operator",
        "face.premises",
        "face.items",
    ]
    sheet.append(header)
    sheet.append(
        [
            setup.food_licence.type_code,
            "001",
            setup.company.uscc,
            setup.company.name,
            "JY3",
            "2022-05-01",
            "2027-04-30",
            "赣香",
            "八一大道",
            "热食类",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse_import_file("old.xlsx", buffer.getvalue())
    assert rows[0]["face"] == {"operator": "赣香", "premises": "八一大道", "items": "热食类"}
    path = tmp_path / "old.xlsx"
    path.write_bytes(buffer.getvalue())
    out = io.StringIO()
    call_command("import_certificates", "--issuer", setup.city.dept_a2.uscc, str(path), stdout=out)
    assert "imported 1" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([_row(setup, holder_name="x")]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_certificates",
            "--issuer",
            setup.city.dept_a2.uscc,
            str(bad),
            stderr=io.StringIO(),
        )
    for name, data in (
        ("x.csv", b"a"),
        ("x.json", b"{"),
        ("x.xlsx", b"not a zip"),
        ("x.json", b'{"a": 1}'),
    ):
        with pytest.raises(DomainError):
            parse_import_file(name, data)
    assert Certificate.objects.count() == 1
