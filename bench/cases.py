"""Issue 4: case submissions per second (three small uploads each) against the bare INSERT
rate, and the work-queue page's p95 with BENCH_CASES generated cases (default 1,000,000)
against a bare indexed SELECT, both measured in the same run on the same database.

PostgreSQL only (BENCH_DATABASE_URL=postgres://…; the database is wiped first). The cases
are generated with PostgreSQL COPY straight into the table, not through the actions: the
point is the size of the table the queue has to search, not how it got there. Everything
runs in process (Django's test client, no HTTP server), so the page figure is the
framework + query cost without network.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from typing import Any

from bench.common import Figure, report, setup_django_in_process

BENCH_PASSWORD = "Bench@2026-x"  # noqa: S105 - a throw-away database
SUBMIT_SECONDS = 6.0
PAGE_REQUESTS = 150
INSERT_SECONDS = 2.0


def _world() -> dict[str, Any]:
    """A city, 27 county departments, a clerk, a citizen and a published item (3 materials)."""
    from yiwang.catalog.tests.conftest import FOOD_LICENCE_FIELDS, make_published_task
    from yiwang.core.actors import SYSTEM
    from yiwang.identity import actions as identity_actions
    from yiwang.portal.demo.city import COUNTIES, resident_id_for, uscc_for
    from yiwang.regions import actions as region_actions
    from yiwang.regions.choices import Role

    city = region_actions.create_region(actor=SYSTEM, code="360100000000", name="南昌市")
    departments = []
    counties = []
    for index, (code, name) in enumerate(COUNTIES):
        county = region_actions.create_region(actor=SYSTEM, code=code, name=name)
        counties.append(county)
        for kind in range(3):
            departments.append(
                region_actions.create_department(
                    actor=SYSTEM,
                    name=f"{name}部门{kind}",
                    uscc=uscc_for(f"11{code[:6]}", 50_000 + index * 10 + kind),
                    region=county,
                )
            )

    class Shape:  # what make_published_task expects of the test city
        dept_a2 = departments[1]
        county_a = counties[0]

    version = make_published_task(Shape, code_suffix="0001", **{
        k: v for k, v in FOOD_LICENCE_FIELDS.items() if k == "task_name"
    })  # fmt: skip
    from yiwang.catalog import actions as catalog_actions

    draft = catalog_actions.new_draft_version(actor=SYSTEM, task=version.task)
    catalog_actions.update_draft(
        actor=SYSTEM,
        version=draft,
        fields={},
        children={
            "materials": [
                {"material_name": "申请书"},
                {"material_name": "场所平面图"},
                {"material_name": "健康证明"},
            ]
        },
    )
    for step in (catalog_actions.submit_version, catalog_actions.approve_version):
        step(actor=SYSTEM, version=draft)
    version = catalog_actions.publish_version(actor=SYSTEM, version=draft)
    clerk = region_actions.create_staff(
        actor=SYSTEM, username="bench.clerk", display_name="bench", password=BENCH_PASSWORD,
        department=departments[1], roles=[Role.WINDOW_CLERK],
    ).user  # fmt: skip
    citizen = identity_actions.register_citizen(
        actor=SYSTEM, name="压测", document_type="111",
        document_number=resident_id_for("360102", dt.date(1990, 1, 1), 7), phone="13999999999",
        password=BENCH_PASSWORD, region=counties[0],
    )  # fmt: skip
    return {
        "city": city,
        "departments": departments,
        "version": version,
        "clerk": clerk,
        "citizen": citizen,
    }


def bare_insert_rate() -> float:
    """Committed single-row INSERTs per second (autocommit), the database's raw write pace."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_insert (id bigserial primary key, body text)")
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < INSERT_SECONDS:
            cursor.execute("INSERT INTO bench_insert (body) VALUES (%s)", ["x" * 64])
            count += 1
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_insert")
    return count / elapsed


def submission_rate(world: dict[str, Any]) -> tuple[float, int]:
    """submit_case per second, each with three ~2 KB PDF uploads checked and stored."""
    from yiwang.cases import actions
    from yiwang.cases.uploads import check_upload

    version = world["version"]
    materials = list(version.materials.values_list("pk", flat=True))
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < SUBMIT_SECONDS:
        uploads = {
            pk: check_upload(f"{pk}.pdf", b"%PDF-1.4\n" + os.urandom(2048) + b"\n%%EOF")
            for pk in materials
        }
        actions.submit_case(actor=world["citizen"], version_id=version.pk, uploads=uploads)
        count += 1
    return count / (time.perf_counter() - start), count


STATUSES = (
    ["completed"] * 86 + ["submitted"] * 3 + ["received"] * 2 + ["accepted"] * 2
    + ["in_review"] * 3 + ["decided", "delivering", "returned", "withdrawn"]
)  # fmt: skip


def generate_cases(world: dict[str, Any], total: int) -> float:
    """COPY `total` cases into cases_case; returns rows per second."""
    from django.db import connection

    from yiwang.cases.models import Case

    version = world["version"]
    person = world["citizen"].person
    departments = [d.pk for d in world["departments"]]
    skip = {"id"}
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in skip]
    base = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    constant: dict[str, Any] = {
        "task_version_id": version.pk, "task_code": version.task.task_code,
        "task_handle_item": "", "task_name": version.task_name, "catalog_code": "000201001000",
        "project_type": "2", "apply_type": "1", "row_version": 3,
        "applicant_person_id": person.pk, "applicant_legal_person_id": None,
        "applicant_user_id": world["citizen"].pk, "applyer_type": "1",
        "applyer_name": person.name, "applyer_page_type": "111",
        "applyer_page_code": person.document_masked, "legal": "", "contact_name": person.name,
        "contact_mobile": "13999999999", "address": "", "zip_code": "", "form_data": "{}",
        "handle_user_name": "", "accept_doc_no": "", "acceptance_mode": "", "is_joint": False,
        "correction_requested_at": None, "extension_days": 0, "extension_reason": "",
        "post_verification_due": None, "warning_level": "", "closing_reason": "",
        "correction_items": "[]", "received_at": None, "accept_date": None,
        "promise_date": None, "decided_at": None, "closed_at": None,
        "bundle_case_id": None, "bundle_stage": None,
    }  # fmt: skip
    rng = random.Random(4)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with (
            raw.cursor() as pg,
            pg.copy(f"COPY cases_case ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for i in range(total):
                created = base + dt.timedelta(minutes=i // 3)
                status = STATUSES[rng.randrange(len(STATUSES))]
                department = departments[i % len(departments)]
                row = dict(constant)
                row.update(
                    uuid=uuid.uuid4(), project_no=f"BENCH{i:014d}", project_name=f"压测办件{i}",
                    status=status, accepting_department_id=department,
                    implementing_department_id=department, created_at=created,
                    apply_date=created,
                    due_date=(created + dt.timedelta(days=14)).date() if status != "completed"
                    else None,
                )  # fmt: skip
                copy.write_row([row[c] for c in columns])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return total / (time.perf_counter() - start)


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def bare_select_p95(total: int) -> tuple[float, float]:
    """p95 (ms) and rate of a SELECT by primary key on the same table."""
    from django.db import connection

    rng = random.Random(7)
    samples = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM cases_case")
        low, high = cursor.fetchone()
        for _ in range(2000):
            key = rng.randint(low, high)
            began = time.perf_counter()
            cursor.execute("SELECT id, status, due_date FROM cases_case WHERE id = %s", [key])
            cursor.fetchall()
            samples.append((time.perf_counter() - began) * 1000)
    return _p95(samples), 1000 / statistics.mean(samples)


def queue_page_p95(world: dict[str, Any]) -> tuple[float, float]:
    """p95 (ms) and mean rate of GET /cases/workbench/?queue=receive for a window clerk."""
    from django.test import Client

    client = Client()
    client.force_login(world["clerk"])
    for _ in range(3):
        assert client.get("/cases/workbench/?queue=receive").status_code == 200
    samples = []
    for index in range(PAGE_REQUESTS):
        page = 1 + index % 4
        began = time.perf_counter()
        answer = client.get(f"/cases/workbench/?queue=receive&page={page}")
        samples.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"queue page answered {answer.status_code}")
    return _p95(samples), 1000 / statistics.mean(samples)


def run() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("\n== cases: skipped (set BENCH_DATABASE_URL=postgres://…; it is wiped) ==")
        return
    total = int(os.environ.get("BENCH_CASES", "1000000"))
    with tempfile.TemporaryDirectory(prefix="yiwang-bench-media-") as media:
        setup_django_in_process(url, media, flush=True)
        world = _world()
        inserts = bare_insert_rate()
        submits, submitted = submission_rate(world)
        report(
            "cases: submissions (PostgreSQL, in process)",
            [
                Figure("bare INSERT, autocommit", inserts, "rows/s"),
                Figure(
                    "submit_case with 3 uploads",
                    submits,
                    "cases/s",
                    "bare INSERT",
                    inserts,
                    f"{submitted} cases; number, 3 files, audit, outbox, process in one tx",
                ),
            ],
        )
        copy_rate = generate_cases(world, total)
        select_p95, select_rate = bare_select_p95(total)
        page_p95, page_rate = queue_page_p95(world)
        report(
            f"cases: work-queue page with {total:,} generated cases",
            [
                Figure("COPY into cases_case", copy_rate, "rows/s", note="generation only"),
                Figure(
                    "bare SELECT by id", select_rate, "queries/s", note=f"p95 {select_p95:.2f} ms"
                ),
                Figure(
                    "queue page p95",
                    page_p95,
                    "ms",
                    "bare SELECT p95",
                    select_p95,
                    f"{page_rate:.1f} pages/s mean; 25 rows, paginated, clerk's receive queue",
                ),
            ],
        )
