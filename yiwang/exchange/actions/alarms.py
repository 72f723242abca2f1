"""Overdue alarms: raised by a periodic, retry-safe task on working days only.

A stage due on day D is overdue from the first working day after D; the task raises at most
one alarm per (subject, stage deadline), however often it runs, and raises nothing on a rest
day (it catches up on the next working day). An alarm is resolved when its subject moves on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, models, transaction

from yiwang.core import audit
from yiwang.core.actors import SYSTEM
from yiwang.core.workdays import get_calendar
from yiwang.exchange import clock
from yiwang.exchange.choices import (
    OPEN_SHARING_STATES,
    AlarmKind,
    DemandStatus,
    DisputeStatus,
    SharingStatus,
)
from yiwang.exchange.models import DataDemand, DataDispute, ExchangeAlarm, SharingRequest
from yiwang.regions.models import Department

_REQUEST_KINDS = {
    SharingStatus.COMPLIANCE_REVIEW: AlarmKind.COMPLIANCE_OVERDUE,
    SharingStatus.PROVIDER_REVIEW: AlarmKind.PROVIDER_OVERDUE,
    SharingStatus.NEGOTIATION: AlarmKind.NEGOTIATION_OVERDUE,
    SharingStatus.COORDINATION: AlarmKind.COORDINATION_OVERDUE,
}


def resolve_alarms(subject: models.Model) -> None:
    """Close the open alarms of a subject that has moved on (inside the caller's action)."""
    ExchangeAlarm.objects.filter(
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        resolved_at__isnull=True,
    ).update(resolved_at=clock.now())


def _raise(
    kind: str, subject: Any, label: str, department: Department, due: dt.date, today: dt.date
) -> ExchangeAlarm | None:
    values = {
        "kind": kind,
        "subject_type": subject._meta.label_lower,
        "subject_id": str(subject.pk),
        "due_date": due,
    }
    if ExchangeAlarm.objects.filter(**values).exists():
        return None
    try:
        with transaction.atomic():
            alarm = ExchangeAlarm.objects.create(
                **values, subject_label=label, department=department, raised_on=today
            )
            audit.record(
                "exchange.alarm_raised",
                actor=SYSTEM,
                subject=alarm,
                after={"kind": kind, "subject": label, "due_date": due.isoformat()},
            )
    except IntegrityError:
        # Another worker raised it first: the task is retry-safe by this unique constraint.
        return None
    return alarm


def raise_overdue_alarms(*, today: dt.date | None = None) -> list[ExchangeAlarm]:
    """Raise an alarm for every stage past its working-day deadline (run daily or hourly)."""
    today = today or clock.today()
    if not get_calendar().is_workday(today):
        return []
    raised: list[ExchangeAlarm] = []
    requests = SharingRequest.objects.filter(
        status__in=OPEN_SHARING_STATES, due_date__lt=today
    ).select_related("requester_department", "provider_department")
    for request in requests:
        kind = _REQUEST_KINDS[SharingStatus(request.status)]
        department = (
            request.provider_department
            if kind in {AlarmKind.PROVIDER_OVERDUE, AlarmKind.NEGOTIATION_OVERDUE}
            else request.requester_department
        )
        assert request.due_date is not None  # filtered above
        alarm = _raise(kind, request, request.number, department, request.due_date, today)
        if alarm:
            raised.append(alarm)
    disputes = DataDispute.objects.filter(
        status=DisputeStatus.OPEN, due_date__lt=today
    ).select_related("source_department")
    for dispute in disputes:
        alarm = _raise(
            AlarmKind.DISPUTE_OVERDUE,
            dispute,
            dispute.number,
            dispute.source_department,
            dispute.due_date,
            today,
        )
        if alarm:
            raised.append(alarm)
    demands = DataDemand.objects.filter(
        status=DemandStatus.ASSIGNED, due_date__lt=today, assigned_department__isnull=False
    ).select_related("assigned_department")
    for demand in demands:
        assert demand.assigned_department is not None and demand.due_date is not None
        alarm = _raise(
            AlarmKind.DEMAND_OVERDUE,
            demand,
            demand.number,
            demand.assigned_department,
            demand.due_date,
            today,
        )
        if alarm:
            raised.append(alarm)
    return raised
