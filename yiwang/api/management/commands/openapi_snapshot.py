"""Write the OpenAPI document to the committed snapshot (run after changing the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

SNAPSHOT = Path(__file__).resolve().parents[2] / "snapshots" / "openapi.json"


def current_schema() -> str:
    """The API's OpenAPI document as stable, pretty JSON."""
    from yiwang.api.main import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Update yiwang/api/snapshots/openapi.json from the live API definition."

    def handle(self, *args: Any, **options: Any) -> None:
        SNAPSHOT.write_text(current_schema(), encoding="utf-8")
        self.stdout.write(f"wrote {SNAPSHOT}")
