"""Import certificates issued before the platform (JSON or .xlsx); all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.certificates import actions
from yiwang.certificates.importing import parse_import_file
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.regions.models import Department


class Command(BaseCommand):
    help = "Import certificates issued before (JSON list or Excel); nothing is kept if a row fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--issuer", required=True, help="USCC of the issuing department")
        parser.add_argument("file", help="a .json or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(uscc=options["issuer"]).first()
        if department is None:
            raise CommandError(f"no department with USCC {options['issuer']}")
        path = Path(options["file"])
        try:
            rows = parse_import_file(path.name, path.read_bytes())
            imported = actions.import_certificates(actor=SYSTEM, issuer=department, rows=rows)
        except actions.ImportRefused as refused:
            for row in refused.rows:
                self.stderr.write(f"row {row.row}: {row.code}: {row.message}")
            raise CommandError(refused.message) from None
        except (DomainError, OSError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from None
        self.stdout.write(f"imported {len(imported)} certificates")
