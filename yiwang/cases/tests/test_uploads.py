"""Uploads are judged by content: PDF, JPG, PNG, OFD; size limit; SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from yiwang.cases.tests.conftest import JPG, PDF, PNG, ofd_bytes
from yiwang.cases.uploads import check_upload, sniff
from yiwang.core.errors import DomainError


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPG, "image/jpeg"),
     (ofd_bytes(), "application/ofd")],
)  # fmt: skip
def test_accepted_formats_by_magic(content: bytes, expected: str) -> None:
    checked = check_upload("whatever.bin", content)
    assert checked.content_type == expected
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 an exe renamed to .pdf", b"<html>", ofd_bytes(with_root=False),
     b"PK\x03\x04 not really a zip"],
)  # fmt: skip
def test_other_content_is_refused_whatever_the_name(content: bytes) -> None:
    with pytest.raises(DomainError) as refused:
        check_upload("申请书.pdf", content)
    assert refused.value.code == "upload_type_invalid" and "申请书.pdf" in refused.value.message


def test_empty_and_oversized_files(settings) -> None:
    settings.YIWANG_CASE_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DomainError) as empty:
        check_upload("a.pdf", b"")
    assert empty.value.code == "upload_empty"
    with pytest.raises(DomainError) as big:
        check_upload("a.pdf", PDF + b"0" * 2000)
    assert big.value.code == "upload_too_large"


def test_names_are_cleaned() -> None:
    assert check_upload("../../etc/passwd.pdf", PDF).name == "passwd.pdf"
    assert sniff(b"") is None
