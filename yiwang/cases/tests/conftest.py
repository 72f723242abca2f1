"""Case fixtures: staff of the item's department (东湖区市场监督管理局), files, a submitted case."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import make_staff
from yiwang.cases import actions
from yiwang.cases.models import Case
from yiwang.cases.uploads import CheckedFile, check_upload
from yiwang.catalog.models import TaskVersion
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.core.workdays import SHANGHAI
from yiwang.identity.models import User
from yiwang.regions.choices import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def ofd_bytes(with_root: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml" if with_root else "other.xml", "<ofd:OFD/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def pdf(name: str = "申请书.pdf", extra: bytes = b"") -> CheckedFile:
    return check_upload(name, PDF + extra)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """An aware moment in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class CaseStaff:
    """Staff of the item's department (dept_a2, county A) and of a joint department."""

    clerk: User
    reviewer: User
    approver: User
    head: User
    joint_reviewer: User  # reviewer of dept_a (东湖区行政审批局) for 联办


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _chinese_first() -> Any:
    """Messages are asserted in Chinese; a page test in English must not leak into the next."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture
def staff(city: Any) -> CaseStaff:
    return CaseStaff(
        clerk=make_staff("clerk.a2", city.dept_a2, [Role.WINDOW_CLERK]),
        reviewer=make_staff("reviewer.a2", city.dept_a2, [Role.REVIEWER]),
        approver=make_staff("approver.a2", city.dept_a2, [Role.APPROVER]),
        head=make_staff("head.a2", city.dept_a2, [Role.DEPARTMENT_ADMIN]),
        joint_reviewer=make_staff("reviewer.a", city.dept_a, [Role.REVIEWER]),
    )


@pytest.fixture
def version(city: Any) -> TaskVersion:
    return make_published_task(city)


def materials_of(version: TaskVersion) -> dict[str, int]:
    return {m.material_name: m.pk for m in version.materials.all()}


def full_uploads(version: TaskVersion) -> dict[int, CheckedFile]:
    return {pk: pdf(f"{name}.pdf", name.encode()) for name, pk in materials_of(version).items()}


def submit(user: User, version: TaskVersion, when: dt.datetime | None = None, **kw: Any) -> Case:
    return actions.submit_case(
        actor=user,
        version_id=version.pk,
        uploads=kw.pop("uploads", None) or full_uploads(version),
        now=when,
        **kw,
    )


@pytest.fixture
def submitted(personas: Any, version: TaskVersion) -> Case:
    return submit(personas.citizen, version)


def pytest_runtest_setup(item: Any) -> None:
    """Tests marked postgres need real row locks; SQLite serialises writers instead."""
    from django.db import connection

    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def accepted_case(
    user: User, version: TaskVersion, staff: CaseStaff, when: dt.datetime, **accept: Any
) -> Case:
    """Submitted, received and accepted at `when`."""
    case = submit(user, version, when)
    case = actions.receive_case(actor=staff.clerk, case=case, now=when)
    return actions.accept_case(actor=staff.clerk, case=case, now=when, **accept)
