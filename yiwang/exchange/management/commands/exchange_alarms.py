"""Raise overdue alarms of the exchange (for cron or a systemd timer); safe to repeat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.exchange.actions import raise_overdue_alarms


class Command(BaseCommand):
    help = "Raise alarms for sharing reviews, disputes and demands past their working-day limit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="run as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        raised = raise_overdue_alarms(today=day)
        self.stdout.write(f"{len(raised)} alarm(s) raised")
