"""The demo loader anchors the departments once and seals them; running it again adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from yiwang.ledger.models import LedgerEntry
from yiwang.portal.demo import ledger as demo_ledger

pytestmark = pytest.mark.django_db


def test_demo_ledger_is_idempotent_and_sealed(city, no_task) -> None:
    assert demo_ledger.load() == 4
    assert demo_ledger.load() == 0
    assert LedgerEntry.objects.count() == 4
    assert not LedgerEntry.objects.filter(index__isnull=True).exists()
    assert set(LedgerEntry.objects.values_list("subject", flat=True)) == {
        d.uscc for d in (city.city_dept, city.dept_a, city.dept_a2, city.dept_b)
    }
    call_command("ledger_audit")
