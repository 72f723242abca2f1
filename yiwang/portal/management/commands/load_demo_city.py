"""Load the demo city; safe to run again (it only adds what is missing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from yiwang.portal.demo import city
from yiwang.regions.models import Region


class Command(BaseCommand):
    help = "Load the demo city (regions, departments, staff, citizens, enterprises)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if a city is already loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Region.objects.exists():
            return
        self.stdout.write("正在载入演示城市 / loading the demo city …")
        with transaction.atomic():
            city.load_city()
        self.stdout.write(self.style.SUCCESS("演示城市已就绪 / demo city ready"))
