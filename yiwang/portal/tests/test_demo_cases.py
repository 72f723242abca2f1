"""The demo cases: every state of the machine, created through the actions, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, CaseEscalation, CaseProcess, OutboxEvent
from yiwang.core.models import AuditEntry
from yiwang.core.workdays import SHANGHAI
from yiwang.portal.demo import cases


@pytest.mark.django_db
def test_demo_cases_cover_every_state_and_are_audited(personas, city, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    now = dt.datetime(2026, 11, 27, 15, tzinfo=SHANGHAI)
    created = cases.load(now=now, county_codes=[city.county_a.code])
    assert created == len(cases.SCENARIOS)
    states = set(Case.objects.values_list("status", flat=True))
    assert states == set(CaseStatus.values)
    # The named demo clerks of 东湖区 work at its 行政审批局: their intake queue is not empty.
    approvals = Case.objects.filter(task_version__task__department__name="东湖区行政审批局")
    assert approvals.filter(status__in=["submitted", "received"]).count() >= 2
    warnings = dict(Case.objects.values_list("warning_level").annotate(n=Count("id")))
    assert warnings.get("red", 0) >= 2 and warnings.get("yellow", 0) >= 1
    assert CaseEscalation.objects.exists()
    assert Case.objects.filter(acceptance_mode="deemed").count() == 1
    # Every process record is back-dated, never in the future, and each one was audited.
    assert not CaseProcess.objects.filter(event_end_time__gt=now).exists()
    transitions = AuditEntry.objects.filter(subject_type="cases.case").exclude(
        action="cases.case_created"
    )
    assert transitions.count() >= CaseProcess.objects.exclude(event_name="21").count()
    assert OutboxEvent.objects.count() >= CaseProcess.objects.count()
    assert cases.load(now=now, county_codes=[city.county_a.code]) == created  # idempotent
