"""Run the periodic case work once: deemed acceptance, warnings, escalations, outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.cases.tasks import run_tick


class Command(BaseCommand):
    help = "Deemed acceptance after 5 working days, yellow/red warnings, escalations, outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="act as of this ISO date-time (replays, tests)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["at"]:
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError("--at must be an ISO date-time with a time zone") from None
            if now.tzinfo is None:
                raise CommandError("--at must carry a time zone, e.g. 2026-11-27T09:00+08:00")
        report = run_tick(now)
        self.stdout.write(
            f"deemed accepted: {report['deemed_accepted']}; warnings: {report['warnings']}; "
            f"delivered: {report['delivered']}"
        )
