"""Issue 8: 一件事 submissions per second for 开办餐饮店 with liquor (a parent and three
sub-cases, seven uploads stored once each) against single `submit_case` per second of one of
its items, measured in the same run on the same database; and answers → plan per second
(with the bundle read from the database, and the pure merge alone).

In process (no HTTP server) on a scratch SQLite file (BENCH_DATABASE_URL overrides).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.common import Figure, report, scratch_database, setup_django_in_process

BENCH_PASSWORD = "Bench@2026-x"  # noqa: S105 - a throw-away database
SECONDS = 5.0


def _world() -> dict[str, Any]:
    """A county with one department, a citizen and the 开办餐饮店 bundle of the tests."""
    from yiwang.catalog.tests.bundle_fixtures import make_restaurant_bundle
    from yiwang.core.actors import SYSTEM
    from yiwang.identity import actions as identity_actions
    from yiwang.portal.demo.city import resident_id_for, uscc_for
    from yiwang.regions import actions as region_actions

    region_actions.create_region(actor=SYSTEM, code="360100000000", name="南昌市")
    county = region_actions.create_region(actor=SYSTEM, code="360102000000", name="东湖区")
    department = region_actions.create_department(
        actor=SYSTEM, name="东湖区市场监督管理局", uscc=uscc_for("11360102", 50_001), region=county
    )

    class Shape:  # what make_restaurant_bundle expects of the test city
        dept_a2 = department
        county_a = county

    restaurant = make_restaurant_bundle(Shape)
    citizen = identity_actions.register_citizen(
        actor=SYSTEM, name="压测", document_type="111",
        document_number=resident_id_for("360102", dt.date(1990, 1, 1), 7), phone="13999999999",
        password=BENCH_PASSWORD, region=county,
    )  # fmt: skip
    return {"restaurant": restaurant, "citizen": citizen}


def _rate(operation: Callable[[int], object], seconds: float = SECONDS) -> tuple[float, int]:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        operation(count)
        count += 1
    return count / (time.perf_counter() - start), count


def figures(world: dict[str, Any]) -> list[Figure]:
    from yiwang.cases.actions import submit_case
    from yiwang.cases.actions.bundles import submit_bundle
    from yiwang.cases.uploads import check_upload
    from yiwang.catalog.bundles import load_bundle, resolve

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    restaurant, citizen = world["restaurant"], world["citizen"]
    food = restaurant.food
    form = {"premises": "八一大道 1 号", "items": "热食类制售", "liquor_kinds": "啤酒"}

    def single(n: int) -> None:
        uploads = {
            m.pk: check_upload(f"{m.pk}.pdf", pdf + f"{n}-{m.pk}".encode())
            for m in food.materials.all()
        }
        submit_case(
            actor=citizen, version_id=food.pk, uploads=uploads,
            form_data={"items": "热食类制售"},
        )  # fmt: skip

    plan = resolve(load_bundle(restaurant.bundle), {"liquor": "yes"})
    asked = [row for row in plan.materials if row.asked]

    def bundle(n: int) -> None:
        uploads = {
            row.identity: check_upload(f"{i}.pdf", pdf + f"{n}-{i}".encode())
            for i, row in enumerate(asked)
        }
        submit_bundle(
            actor=citizen, bundle_code=restaurant.bundle.code, answers={"liquor": "yes"},
            form_data=form, uploads=uploads,
        )  # fmt: skip

    single_rate, _ = _rate(single)
    bundle_rate, _ = _rate(bundle)
    data = load_bundle(restaurant.bundle)
    load_rate, _ = _rate(lambda n: resolve(load_bundle(restaurant.bundle), {"liquor": "yes"}))
    pure_rate, _ = _rate(lambda n: resolve(data, {"liquor": "yes" if n % 2 else "no"}), 2.0)
    members = len(plan.members)
    return [
        Figure("submit_case (食品经营许可, 3 uploads)", single_rate, "cases/s"),
        Figure(
            f"submit_bundle (开办餐饮店 + 酒类: 1 parent + {members} sub-cases, "
            f"{len(asked)} uploads)",
            bundle_rate,
            "bundles/s",
            "submit_case",
            single_rate,
            f"{bundle_rate * members:,.1f} sub-cases/s",
        ),
        Figure("resolve answers → plan (read + merge)", load_rate, "plans/s"),
        Figure("resolve answers → plan (merge only)", pure_rate, "plans/s"),
    ]


def run() -> None:
    with scratch_database() as (url, _folder), tempfile.TemporaryDirectory() as media:
        setup_django_in_process(url, media)
        world = _world()
        report(f"bundles: 一件事 in process, {url.split(':', 1)[0]}", figures(world))
