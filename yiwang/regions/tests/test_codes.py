"""Division codes: 12 digits, a level, a parent that exists and is a prefix."""

from __future__ import annotations

import pytest

from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError
from yiwang.regions import actions, codes
from yiwang.regions.choices import RegionLevel
from yiwang.regions.models import Region


@pytest.mark.parametrize(
    ("code", "level", "parent", "prefix"),
    [
        ("360100000000", RegionLevel.CITY, None, "3601"),
        ("360102000000", RegionLevel.COUNTY, "360100000000", "360102"),
        ("360102001000", RegionLevel.TOWNSHIP, "360102000000", "360102001"),
        ("360102001001", RegionLevel.VILLAGE, "360102001000", "360102001001"),
    ],
)
def test_levels_and_parents(code, level, parent, prefix) -> None:
    assert codes.level_of(code) == level
    assert codes.parent_code(code) == parent
    assert codes.prefix_of(code) == prefix


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("36010200000", "region_code_format"),
        ("36010200000A", "region_code_format"),
        ("３６０１０２０００００１", "region_code_format"),  # full-width digits
        ("360000000000", "region_code_level"),  # a province: above what a city platform holds
        ("360100001000", "region_code_gap"),  # township with no county
    ],
)
def test_bad_codes(code, error) -> None:
    with pytest.raises(DomainError) as caught:
        codes.check_code(code)
    assert caught.value.code == error


@pytest.mark.django_db
def test_a_child_needs_its_parent(city) -> None:
    with pytest.raises(DomainError) as caught:
        actions.create_region(actor=SYSTEM, code="360104001000", name="无上级")
    assert caught.value.code == "region_parent_missing"
    assert not Region.objects.filter(code="360104001000").exists()


@pytest.mark.django_db
def test_only_one_city(city) -> None:
    with pytest.raises(DomainError) as caught:
        actions.create_region(actor=SYSTEM, code="360200000000", name="景德镇市")
    assert caught.value.code == "region_second_city"


@pytest.mark.django_db
def test_county_admin_cannot_create_regions_elsewhere(city, personas) -> None:
    from yiwang.core.errors import PermissionDenied

    actions.create_region(actor=personas.admin_a, code="360102002000", name="新街道")
    with pytest.raises(PermissionDenied):
        actions.create_region(actor=personas.admin_a, code="360103002000", name="越界街道")
    with pytest.raises(PermissionDenied):
        actions.create_region(actor=personas.clerk_a, code="360102003000", name="无权")


@pytest.mark.django_db
def test_department_needs_a_valid_uscc(city, personas) -> None:
    with pytest.raises(DomainError) as caught:
        actions.create_department(
            actor=personas.admin_a, name="测试局", uscc="11360102000000002X", region=city.county_a
        )
    assert caught.value.code.startswith("uscc_")
