"""The periodic work around a case, for cron or a systemd timer (every minute is fine).

Each job is retry-safe, so overlapping runs or a run after a pause do no harm:
expire unpaid orders, reconcile yesterday's payment statements (once a day, after 06:00),
generate two weeks of appointment slots, mark no-shows, send booking reminders, give the
default rating to touchpoints left unrated, and deliver due notifications.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from yiwang.appointments import actions as appointments
from yiwang.appointments.models import Hall
from yiwang.core.actors import SYSTEM
from yiwang.notifications import actions as notifications
from yiwang.payments import actions as payments
from yiwang.payments.models import ReconciliationRun
from yiwang.ratings import actions as ratings

RECONCILE_AFTER_HOUR = 6


class Command(BaseCommand):
    help = "Run the periodic jobs of payments, appointments, ratings and notifications once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=14, help="slot horizon in days")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        done: dict[str, int] = {
            "orders_expired": payments.expire_orders(actor=SYSTEM, now=now),
            "slots_created": self._slots(options["days"]),
            "no_shows": appointments.mark_no_shows(now=now),
            "reminders": appointments.send_reminders(now=now),
            "default_ratings": ratings.apply_default_ratings(now=now),
            "reconciliation_mismatches": self._reconcile(now),
            "notifications_sent": notifications.deliver_due(),
        }
        self.stdout.write(" ".join(f"{key}={value}" for key, value in done.items()))

    def _slots(self, days: int) -> int:
        today = timezone.localdate()
        return sum(
            appointments.generate_slots(actor=SYSTEM, hall=hall, start=today, days=days)
            for hall in Hall.objects.filter(is_active=True)
        )

    def _reconcile(self, now: dt.datetime) -> int:
        if timezone.localtime(now).hour < RECONCILE_AFTER_HOUR:
            return 0
        yesterday = timezone.localdate(now) - dt.timedelta(days=1)
        mismatches = 0
        for provider in settings.YIWANG_PAYMENT_PROVIDERS:
            if ReconciliationRun.objects.filter(
                provider=provider, statement_date=yesterday
            ).exists():
                continue
            run = payments.reconcile(actor=SYSTEM, provider_code=provider, day=yesterday)
            mismatches += run.mismatch_count
        return mismatches
