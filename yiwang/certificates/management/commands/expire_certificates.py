"""Daily: mark certificates whose validity has ended as expired (过期失效)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.certificates import actions
from yiwang.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Expire certificates whose validity ended before today (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = actions.expire_due_certificates(actor=SYSTEM)
        self.stdout.write(f"expired {count} certificates")
