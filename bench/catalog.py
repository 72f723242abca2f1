"""Issue 3: catalogue search over 150,000 implementation rows, against a plain substring scan
of the same rows in the same run; Excel import rows/s against a bare bulk insert.

The 150,000 rows are bulk-loaded directly (multi-row INSERT on SQLite, COPY on PostgreSQL;
not through the actions: that would take an hour and is not what is measured); they are then
indexed with the same index builder the publish action uses, and ANALYZEd. Runs in a child
process so it gets its own database and Django setup.
SQLite by default; PostgreSQL when BENCH_DATABASE_URL is set (the database is flushed).
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import subprocess
import time
from typing import Any

from bench.common import PYTHON, ROOT, Figure, bench_env, manage, report, scratch_database

ROWS = int(os.environ.get("BENCH_CATALOG_ROWS", "150000"))
IMPORT_ROWS = 1000
SEARCHES_PER_QUERY = 8
QUERIES = [
    "我要开餐馆", "开饭店", "营业执照", "我要开公司", "社保卡丢了", "出生医学证明", "生孩子",
    "身份证到期了怎么办", "看病报销", "退休领养老金", "农村建房", "结婚登记", "二手房过户",
    "开药店", "卖酒", "食品经营许可变更", "公共场所卫生许可", "失业了", "办护照",
    "建设工程规划许可", "怎么办理残疾人证", "法律援助", "开网店", "开旅行社",
]  # fmt: skip
SITUATIONS = ["新办", "变更", "延续", "注销", "补办", "首次申请", "迁入", "迁出"]


def run() -> None:
    with scratch_database() as (url, _folder):
        env = bench_env(url)
        manage(env, "migrate", "--noinput")
        if os.environ.get("BENCH_DATABASE_URL"):
            manage(env, "flush", "--noinput")
        subprocess.run(
            [PYTHON, "-c", "import bench.catalog as b; b.main()"],
            env=env,
            cwd=ROOT,
            check=True,
        )


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = call()
    return (time.perf_counter() - start) * 1000, value


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    generated = _generate()
    print(
        f"generated {ROWS:,} implementation rows by bulk loading them directly (multi-row "
        f"INSERT on SQLite, COPY on PostgreSQL; NOT through the actions) in "
        f"{generated['seconds']:.1f} s; indexed them with the publish action's index builder: "
        f"{generated['tokens']:,} tokens in {generated['index_seconds']:.1f} s"
    )
    figures = _search_figures()
    import_figure = _import_figure(generated["rows_per_second"])
    report(f"catalog: search over {ROWS:,} rows, {vendor}", figures)
    report(f"catalog: Excel import, {vendor}", import_figure)


def _generate() -> dict[str, float]:
    from django.db import transaction
    from django.db.models import F

    from yiwang.catalog import search
    from yiwang.catalog.models import CatalogItem, HandlingItem, Task, TaskVersion
    from yiwang.core.actors import SYSTEM
    from yiwang.portal.demo import catalog as demo
    from yiwang.portal.demo import city as demo_city
    from yiwang.regions.models import Department, Region

    random.seed(3)
    with transaction.atomic():
        city, counties = demo_city.load_regions()
        demo_city.load_departments(city, counties)
    search.understand("预热")  # load jieba's dictionary outside the timings
    from yiwang.catalog import actions

    for term, words in demo.SYNONYMS.items():
        actions.set_synonym(actor=SYSTEM, term=term, words=words)
    departments = list(Department.objects.select_related("region"))
    county_departments = [d for d in departments if d.region.level == 2]
    regions_below: dict[int, list[Region]] = {}
    for department in county_departments:
        regions_below[department.pk] = list(
            Region.objects.filter(prefix__startswith=department.region.prefix)
        )
    start = time.perf_counter()
    items = []
    for index, spec in enumerate(demo.ITEMS):
        for sub, situation in enumerate(SITUATIONS):
            items.append(
                CatalogItem(
                    catalog_code=f"{spec.task_type}{index + 1:04d}{sub + 1:03d}000",
                    name=f"{spec.name}（{situation}）",
                    task_type=spec.task_type,
                )
            )
    CatalogItem.objects.bulk_create(items, batch_size=2000)
    catalogue = list(CatalogItem.objects.order_by("pk"))
    spec_of = {item.pk: demo.ITEMS[int(item.catalog_code[2:6]) - 1] for item in catalogue}
    # Explicit ids, so that version i belongs to task i and current_version is one UPDATE.
    first = (TaskVersion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first = max(first, (Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1)
    for offset in range(0, ROWS, 10_000):
        with transaction.atomic():  # one commit per 10,000 rows, as a loader would
            numbers = range(offset, min(ROWS, offset + 10_000))
            task_rows, version_rows, situation_rows = [], [], []
            for n in numbers:
                item = catalogue[n % len(catalogue)]
                spec = spec_of[item.pk]
                department = county_departments[n % len(county_departments)]
                region = random.choice(regions_below[department.pk])
                pk = first + n
                task_rows.append({
                    "id": pk, "task_code": f"{department.uscc}{n:018d}",
                    "catalog_item_id": item.pk, "department_id": department.pk,
                    "dept_code": department.uscc, "region_id": region.pk,
                })  # fmt: skip
                version_rows.append({
                    "id": pk, "task_id": pk, "version": 1, "status": "published",
                    "task_name": item.name, "task_type": spec.task_type,
                    "aliases": spec.aliases, "use_level": "4",
                    "anticipate_day": spec.anticipate, "promise_day": spec.promise,
                    "online_handle_depth": spec.depth, "handle_area": spec.area,
                    "user_topic_type": list(spec.person), "corp_topic_type": list(spec.corp),
                })  # fmt: skip
                if n % 3 == 0:
                    situation_rows.append(
                        {"version_id": pk, "task_handle_item": "01", "name": item.name}
                    )
            _insert(Task, task_rows)
            _insert(TaskVersion, version_rows)
            _insert(HandlingItem, situation_rows)
    Task.objects.filter(pk__gte=first).update(current_version_id=F("pk"))
    _reset_sequences(Task, TaskVersion, HandlingItem)
    seconds = time.perf_counter() - start
    index_start = time.perf_counter()
    tokens = 0
    fields = ("task_name", "aliases", "status", "task_type", "user_topic_type", "corp_topic_type")
    ids = list(TaskVersion.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), 5000):
        with transaction.atomic():
            chunk = TaskVersion.objects.filter(pk__in=ids[offset : offset + 5000]).only(*fields)
            tokens += search.index_versions(list(chunk))
    index_seconds = time.perf_counter() - index_start
    # After a bulk load the planner needs fresh statistics, as autovacuum (PostgreSQL) or an
    # operator's ANALYZE (SQLite) would give it; without them PostgreSQL picks nested loops.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "seconds": seconds,
        "rows_per_second": ROWS / seconds,
        "tokens": tokens,
        "index_seconds": index_seconds,
    }


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT rows with every column (defaults filled in): the bench's bare bulk load.

    PostgreSQL gets COPY (its bulk-load path), SQLite multi-row INSERTs.
    """
    from django.db import connection
    from django.db.models import JSONField

    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in rows[0])]
    copy = connection.vendor == "postgresql"
    now = django_now()

    def prepare(f: Any, value: Any) -> Any:
        if value is None and getattr(f, "auto_now_add", False):
            value = now
        if isinstance(f, JSONField):
            return (
                json.dumps(value, ensure_ascii=False)
                if copy
                else f.get_db_prep_save(value, connection)
            )
        return f.get_db_prep_save(value, connection)

    prepared = {f.attname: prepare(f, f.get_default()) for f in fields}
    given = [f for f in fields if f.attname in rows[0]]
    values: list[list[Any]] = []
    for row in rows:
        merged = dict(prepared)
        for f in given:
            value = row[f.attname]
            merged[f.attname] = prepare(f, value) if isinstance(f, JSONField) else value
        values.append([merged[f.attname] for f in fields])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns})"  # noqa: S608
    with connection.cursor() as cursor:
        if copy:
            sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as stream:
                for line in values:
                    stream.write_row(line)
            return
        marks = ", ".join(["%s"] * len(fields))
        per_statement = max(1, 30000 // len(fields))
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            sql = f"{head} VALUES " + ", ".join([f"({marks})"] * len(chunk))
            cursor.execute(sql, [value for record in chunk for value in record])


def django_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def _search_figures() -> list[Figure]:
    from yiwang.catalog import search
    from yiwang.catalog.models import TaskVersion

    def substring(query: str) -> tuple[int, list[int]]:
        matches = TaskVersion.objects.filter(status="published", task_name__contains=query)
        return matches.count(), list(matches.order_by("pk").values_list("pk", flat=True)[:20])

    names = list(TaskVersion.objects.values_list("pk", "task_name"))

    def python_scan(query: str) -> list[int]:
        return [pk for pk, name in names if query in name]

    ours: list[float] = []
    per_query: dict[str, list[float]] = {}
    scan: list[float] = []
    in_memory: list[float] = []
    found_ours = found_scan = 0
    for query in QUERIES:
        search.search(query)  # warm: the first call per query fills the segmentation cache
        for _ in range(SEARCHES_PER_QUERY):
            elapsed, result = _timed(lambda q=query: search.search(q, limit=20))
            ours.append(elapsed)
            per_query.setdefault(query, []).append(elapsed)
            elapsed, (count, _ids) = _timed(lambda q=query: substring(q))
            scan.append(elapsed)
            elapsed, _hits = _timed(lambda q=query: python_scan(q))
            in_memory.append(elapsed)
        found_ours += result.total > 0
        found_scan += count > 0
    p50, p95 = _percentile(ours, 0.5), _percentile(ours, 0.95)
    s50, s95 = _percentile(scan, 0.5), _percentile(scan, 0.95)
    m50 = statistics.median(in_memory)
    n = len(QUERIES)
    slowest = sorted(per_query, key=lambda q: -statistics.median(per_query[q]))[:3]
    print(
        "slowest queries (median): "
        + ", ".join(f"{q} {statistics.median(per_query[q]):.0f} ms" for q in slowest)
    )
    return [
        Figure("substring scan task_name__contains p50", s50, "ms", note=f"p95 {s95:.1f} ms"),
        Figure("Python `in` over the same names p50", m50, "ms"),
        Figure("search (jieba + index + synonyms) p50", p50, "ms", "substring scan p50", s50),
        Figure("search (jieba + index + synonyms) p95", p95, "ms", "substring scan p95", s95),
        Figure(
            "queries answered (of plain-language set)",
            float(found_ours),
            "queries",
            "substring scan",
            float(found_scan),
            f"{n} queries such as 我要开餐馆; substring finds {found_scan}/{n}",
        ),
    ]


def _import_figure(bulk_rows_per_second: float) -> list[Figure]:
    from openpyxl import Workbook

    from yiwang.catalog import excel
    from yiwang.core.actors import SYSTEM
    from yiwang.regions.models import Department

    department = Department.objects.filter(region__level=2).order_by("pk").first()
    assert department is not None
    book = Workbook()
    sheet = book.active
    sheet.title = excel.TASK_SHEET
    columns = ["task_code", "catalog_code", "dept_code", "region_code", "task_name",
               "task_type", "use_level", "anticipate_day", "promise_day", "aliases"]  # fmt: skip
    sheet.append(columns)
    steps = book.create_sheet(excel.CHILD_SHEETS["steps"])
    steps.append(["task_code", "name", "role", "limit_days"])
    materials = book.create_sheet(excel.CHILD_SHEETS["materials"])
    materials.append(["task_code", "material_name", "is_need", "source_type"])
    for n in range(IMPORT_ROWS):
        code = f"{department.uscc}9{n:017d}"
        sheet.append([code, f"99{n:06d}0000", department.uscc, department.region.code,
                      f"导入事项{n}", "01", "4", 20, 10, "测试"])  # fmt: skip
        steps.append([code, "受理", "window_clerk", 1])
        steps.append([code, "决定", "approver", 2])
        materials.append([code, "申请书", 1, "1"])
    buffer = io.BytesIO()
    book.save(buffer)
    elapsed, summary = _timed(lambda: excel.import_workbook(actor=SYSTEM, data=buffer.getvalue()))
    assert summary.rows == IMPORT_ROWS
    rate = IMPORT_ROWS / (elapsed / 1000)
    return [
        Figure("bare bulk load of task + version rows", bulk_rows_per_second, "rows/s"),
        Figure(
            "Excel import through the actions (all checked, audited)",
            rate,
            "rows/s",
            "bare bulk load",
            bulk_rows_per_second,
            f"{IMPORT_ROWS} rows, each with 2 steps and 1 material",
        ),
    ]


if __name__ == "__main__":
    main()
