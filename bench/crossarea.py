"""Issue 8 (跨域通办): the hand-off actions against the bare submission rate, and the clerk's
work-queue page with cross-area cases in the table against the same page without them.

Rates: `submit_case` (three ~2 KB uploads) is the baseline; `receive_on_behalf` does the same
work plus the hand-off row, then `proxy_check` and `proxy_forward` run over those cases.
Queue: BENCH_CROSSAREA_CASES background cases (default 50,000; bulk-inserted, NOT through
the actions) spread over 27 county departments; the implementing clerk's receive queue and
the hall clerk's 代收 queue are read first with no hand-offs, then again after 10% of the
cases were turned into 代收 cases of another county's hall (their accepting department
changed and a CaseHandoff row added, in every hand-off stage).
SQLite by default; PostgreSQL when BENCH_DATABASE_URL is set (the database is flushed).
Runs in a child process with its own database and Django setup.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from typing import Any

from bench.common import PYTHON, ROOT, Figure, bench_env, manage, report, scratch_database

RATE_SECONDS = 4.0
PAGE_REQUESTS = 120
TOTAL = int(os.environ.get("BENCH_CROSSAREA_CASES", "50000"))


def run() -> None:
    with scratch_database() as (url, _folder):
        env = bench_env(url)
        env["YIWANG_ALLOWED_HOSTS"] = "testserver"
        env["YIWANG_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="yiwang-bench-media-", dir=_folder)
        manage(env, "migrate", "--noinput")
        if os.environ.get("BENCH_DATABASE_URL"):
            manage(env, "flush", "--noinput")
        subprocess.run(
            [PYTHON, "-c", "import bench.crossarea as b; b.main()"], env=env, cwd=ROOT, check=True
        )


def _uploads(version: Any) -> dict[int, Any]:
    from yiwang.cases.uploads import check_upload

    return {
        pk: check_upload(f"{pk}.pdf", b"%PDF-1.4\n" + os.urandom(2048) + b"\n%%EOF")
        for pk in version.materials.values_list("pk", flat=True)
    }


def _rate(step: Any, items: list[Any] | None = None) -> tuple[float, list[Any]]:
    """Calls per second of `step` for RATE_SECONDS (or once per item of `items`)."""
    done: list[Any] = []
    start = time.perf_counter()
    if items is None:
        while time.perf_counter() - start < RATE_SECONDS:
            done.append(step(None))
    else:
        for item in items:
            done.append(step(item))
    return len(done) / (time.perf_counter() - start), done


def _rates(world: dict[str, Any]) -> list[Figure]:
    from yiwang.cases import actions

    version, citizen, hall = world["version"], world["citizen"], world["hall"]
    person = citizen.person
    submits, _cases = _rate(
        lambda _: actions.submit_case(
            actor=citizen, version_id=version.pk, uploads=_uploads(version)
        )
    )
    registrations, received = _rate(
        lambda _: actions.receive_on_behalf(
            actor=hall, version_id=version.pk, person=person, uploads=_uploads(version)
        )
    )
    checks, checked = _rate(lambda case: actions.proxy_check(actor=hall, case=case), received)
    forwards, _sent = _rate(
        lambda case: actions.proxy_forward(actor=hall, case=case, channel="electronic"), checked
    )
    note = f"{len(received)} cases"
    return [
        Figure("submit_case, 3 uploads", submits, "cases/s", note="baseline"),
        Figure("receive_on_behalf, 3 uploads", registrations, "cases/s", "submit_case",
               submits, note),
        Figure("proxy_check", checks, "actions/s", "submit_case", submits, note),
        Figure("proxy_forward (electronic)", forwards, "actions/s", "submit_case", submits, note),
    ]  # fmt: skip


def _generate(world: dict[str, Any], total: int) -> float:
    """Bulk-insert `total` open and closed cases over the 27 departments; rows per second."""
    import datetime as dt
    import uuid

    from yiwang.cases.models import Case

    version, citizen = world["version"], world["citizen"]
    person = citizen.person
    departments = world["departments"]
    statuses = ["completed"] * 80 + ["submitted"] * 8 + ["received"] * 4 + ["in_review"] * 8
    base = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    start = time.perf_counter()
    batch: list[Case] = []
    for i in range(total):
        department = departments[i % len(departments)]
        created = base + dt.timedelta(minutes=i)
        status = statuses[(i * 7) % len(statuses)]
        batch.append(
            Case(
                uuid=uuid.uuid4(), project_no=f"XA{i:014d}", task_version=version,
                task_code=version.task.task_code, task_name=version.task_name,
                catalog_code="000201001000", project_name=f"压测{i}", project_type="2",
                status=status, applicant_person=person, applicant_user=citizen,
                applyer_type="1", applyer_name=person.name, applyer_page_type="111",
                applyer_page_code=person.document_masked, accepting_department=department,
                implementing_department=department, created_at=created, apply_date=created,
                due_date=(created + dt.timedelta(days=14)).date(),
            )
        )  # fmt: skip
        if len(batch) == 2000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    return total / (time.perf_counter() - start)


def _cross(world: dict[str, Any]) -> int:
    """Turn every tenth generated case into a 代收 case of a hall in another county."""
    from django.db import transaction

    from yiwang.cases.choices import HandoffMode, HandoffStage
    from yiwang.cases.models import Case, CaseHandoff

    departments = world["departments"]
    stages = [HandoffStage.RECEIVED, HandoffStage.CHECKED, HandoffStage.FORWARDED,
              HandoffStage.ARRIVED, HandoffStage.DELIVERED]  # fmt: skip
    rows = list(
        Case.objects.filter(project_no__startswith="XA")
        .values_list("pk", "implementing_department_id", "created_at")
        .order_by("pk")[::10]
    )
    by_pk = {d.pk: index for index, d in enumerate(departments)}
    handoffs = []
    with transaction.atomic():
        for n, (pk, implementing, created) in enumerate(rows):
            hall = departments[(by_pk[implementing] + 3) % len(departments)]  # next county
            Case.objects.filter(pk=pk).update(accepting_department=hall)
            handoffs.append(
                CaseHandoff(
                    case_id=pk, mode=HandoffMode.PROXY, stage=stages[n % len(stages)],
                    from_department=hall, to_department_id=implementing, received_at=created,
                )
            )  # fmt: skip
        CaseHandoff.objects.bulk_create(handoffs, batch_size=2000)
    return len(handoffs)


def _p95(client: Any, path: str) -> tuple[float, float]:
    for _ in range(3):
        assert client.get(path).status_code == 200
    samples = []
    for index in range(PAGE_REQUESTS):
        began = time.perf_counter()
        answer = client.get(f"{path}&page={1 + index % 3}")
        samples.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
    return statistics.quantiles(samples, n=20)[-1], 1000 / statistics.mean(samples)


def _queues(world: dict[str, Any], label: str) -> dict[str, tuple[float, float]]:
    from django.test import Client

    out = {}
    for name, user, path in (
        ("receive", world["clerk"], "/cases/workbench/?queue=receive"),
        ("proxy", world["hall"], "/cases/workbench/?queue=proxy"),
    ):
        client = Client()
        client.force_login(user)
        out[name] = _p95(client, path)
    return out


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from bench.cases import BENCH_PASSWORD, _world
    from yiwang.core.actors import SYSTEM
    from yiwang.regions import actions as region_actions
    from yiwang.regions.choices import Role

    world = _world()
    world["hall"] = region_actions.create_staff(
        actor=SYSTEM, username="bench.hall", display_name="hall", password=BENCH_PASSWORD,
        department=world["departments"][4], roles=[Role.WINDOW_CLERK],
    ).user  # fmt: skip
    vendor = connection.vendor
    report(f"crossarea: hand-off actions, {vendor}, in process", _rates(world))
    insert_rate = _generate(world, TOTAL)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    before = _queues(world, "without")
    crossed = _cross(world)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    after = _queues(world, "with")
    figures = [Figure("bulk insert of background cases", insert_rate, "rows/s", note="generation")]
    for name, label in (("receive", "implementing clerk's receive queue"),
                        ("proxy", "hall clerk's 代收 queue")):  # fmt: skip
        figures.append(
            Figure(f"{label} p95, no hand-offs", before[name][0], "ms",
                   note=f"{before[name][1]:.1f} pages/s mean")
        )  # fmt: skip
        figures.append(
            Figure(f"{label} p95, {crossed:,} hand-offs", after[name][0], "ms",
                   "no hand-offs", before[name][0], f"{after[name][1]:.1f} pages/s mean")
        )  # fmt: skip
    report(f"crossarea: work-queue pages over {TOTAL:,} cases, {vendor}", figures)
