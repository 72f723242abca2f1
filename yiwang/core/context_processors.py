"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext


def _city_name() -> str:
    from yiwang.regions.choices import RegionLevel
    from yiwang.regions.models import Region

    name = Region.objects.filter(level=RegionLevel.CITY).values_list("name", flat=True).first()
    return name or gettext("一网通办")


def preferences(request: HttpRequest) -> dict[str, Any]:
    """Elder-friendly mode, and the city's name from the region tree (queried only if shown)."""
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "city_name": SimpleLazyObject(_city_name),
    }
