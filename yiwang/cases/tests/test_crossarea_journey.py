"""跨域通办, the whole 代收 path through the pages: a hall clerk in county A, the clerks of
the implementing department in county B, and a clerk of county C who must see nothing at any
step (case page 404, API 404, every queue empty), the hall's late-forwarding warning included.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from conftest import client_for
from yiwang.cases.models import Case, CaseHandoff
from yiwang.cases.queries import QUEUES
from yiwang.cases.tasks import run_tick
from yiwang.cases.tests import test_crossarea as base
from yiwang.cases.tests import test_crossarea_web as web
from yiwang.cases.tests.test_crossarea import Sides

pytestmark = pytest.mark.django_db
sides = base.sides
version_b = base.version_b


def _listed(client: Any, queue: str, project_no: str) -> bool:
    page = client.get(f"/cases/workbench/?queue={queue}").content.decode()
    return project_no in page


def _sees_nothing(sides: Sides, case: Case) -> None:
    """County C's clerk: 404 on page, files and API, and the case in none of their queues."""
    outsider = client_for(sides.clerk_c)
    assert outsider.get(f"/cases/{case.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/cases/{case.pk}").status_code == 404
    refused = outsider.post(f"/cases/{case.pk}/act/receive/", {"row_version": "1"})
    assert refused.status_code == 404
    for queue in QUEUES:
        assert not _listed(outsider, queue, case.project_no), queue
        listed = outsider.get("/api/v1/cases/", {"queue": queue}).json()
        assert listed["count"] == 0, queue


def _act(user: Any, case: Case, name: str, **fields: Any) -> None:
    answer = web._act(client_for(user), case.pk, name, **fields)
    assert answer.status_code == 302, (name, answer.status_code)


def test_the_whole_proxy_path_through_the_pages_with_three_counties(
    sides: Sides, version_b: Any
) -> None:
    hall, clerk_b = client_for(sides.clerk_a), client_for(sides.clerk_b)
    # 1. 代收收件 at county A's hall.
    form = hall.get(f"/cases/hall/{version_b.pk}/").content.decode()
    key = re.search(r'name="submission_key" value="(\w+)"', form).group(1)
    body = web._hall_body(version_b, key, web._id_number(sides.citizen))
    assert hall.post(f"/cases/hall/{version_b.pk}/", body).status_code == 302
    case = Case.objects.get()
    no = case.project_no
    assert _listed(hall, "proxy", no) and not _listed(clerk_b, "receive", no)
    _sees_nothing(sides, case)

    # 2. The hall lets the 转递 limit pass: the tick turns the case red for the hall only.
    run_tick(timezone.now() + dt.timedelta(days=21))
    case.refresh_from_db()
    assert case.warning_level == "red"
    assert _listed(hall, "overdue", no) and _listed(hall, "proxy", no)
    assert "红牌" in hall.get(f"/cases/{case.pk}/").content.decode()
    assert not _listed(clerk_b, "overdue", no)
    assert case.escalations.get().department == case.accepting_department
    _sees_nothing(sides, case)

    # 3. 形式审查 and 电子流转 on the case page; the hall's warning gives way to B's clock.
    _act(sides.clerk_a, case, "proxy_check")
    _act(sides.clerk_a, case, "proxy_forward", channel="electronic")
    run_tick()
    case.refresh_from_db()
    assert case.warning_level == ""
    assert not _listed(hall, "overdue", no) and not _listed(hall, "proxy", no)
    assert _listed(clerk_b, "receive", no)
    _sees_nothing(sides, case)

    # 4. County B receives, accepts, reviews and decides; the result goes back to the hall.
    _act(sides.clerk_b, case, "receive")
    _act(sides.clerk_b, case, "accept", mode="normal")
    assert _listed(client_for(sides.reviewer_b), "review", no)
    _sees_nothing(sides, case)
    _act(sides.reviewer_b, case, "review", opinion="agree")
    _act(sides.approver_b, case, "decide", granted="1")
    _act(sides.approver_b, case, "issue_result")
    _act(sides.clerk_b, case, "return_result")
    assert _listed(hall, "proxy", no)
    _sees_nothing(sides, case)

    # 5. The hall hands the result over; both sides and the applicant read one timeline.
    _act(sides.clerk_a, case, "hall_handover")
    case.refresh_from_db()
    assert case.status == "completed"
    assert CaseHandoff.objects.get(case=case).stage == "delivered"
    for user in (sides.clerk_a, sides.clerk_b, sides.citizen):
        page = client_for(user).get(f"/cases/{case.pk}/").content.decode()
        assert "东湖区行政审批局" in page and "西湖区行政审批局" in page
    _sees_nothing(sides, case)
