"""The demo 跨域通办 cases: both named districts' clerks find them, in every hand-off step."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.cases import queries
from yiwang.cases.models import CaseHandoff, CaseProcess
from yiwang.catalog.models import Task
from yiwang.core.workdays import SHANGHAI
from yiwang.identity.models import User
from yiwang.portal.demo import cases, tongban


@pytest.mark.django_db
def test_demo_cross_area_cases_reach_both_districts(personas, city, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    now = dt.datetime(2026, 11, 27, 15, tzinfo=SHANGHAI)
    cases.load(now=now, county_codes=[city.county_a.code, city.county_b.code])
    assert tongban.load(now=now) == 8
    named = Task.objects.filter(current_version__task_name=tongban.NAMED_ITEM)
    assert {t.current_version.handle_area for t in named} == {"2"}
    stages = set(CaseHandoff.objects.values_list("stage", flat=True))
    assert {"received", "checked", "forwarded", "arrived", "returning", "delivered"} <= stages
    donghu = User.objects.get(username="donghu.clerk")
    xihu = User.objects.get(username="xihu.clerk")
    assert queries.queue_for_user(donghu, "proxy").count() >= 2
    assert queries.queue_for_user(xihu, "proxy").count() >= 1
    forwarded = CaseHandoff.objects.filter(stage="forwarded").values_list("case_id", flat=True)
    received_by = {
        c.implementing_department.name
        for c in queries.queue_for_user(xihu, "receive").filter(pk__in=list(forwarded))
    }
    assert received_by == {"西湖区行政审批局"}
    # Both sides wrote process records; none lies in the future.
    departments = set(CaseProcess.objects.values_list("handle_department__name", flat=True))
    assert {"东湖区行政审批局", "西湖区行政审批局"} <= departments
    assert not CaseProcess.objects.filter(event_end_time__gt=now).exists()
    assert tongban.load(now=now) == 8  # idempotent
