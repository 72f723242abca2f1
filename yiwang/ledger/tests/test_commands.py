"""The sequencer loop's batching rule, its clean stop, `ledger_init`, and the system checks."""

from __future__ import annotations

import datetime as dt
import signal
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from yiwang.ledger import checks, queries
from yiwang.ledger.management.commands.ledger_sequencer import Command as SequencerCommand
from yiwang.ledger.models import LedgerEntry, LogState, SigningKey
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tests.test_crash import sequencer_process

WAIT = dt.timedelta(milliseconds=250)


@pytest.mark.django_db
def test_loop_waits_for_a_young_small_batch_then_seals_it(no_task) -> None:
    command = SequencerCommand()
    anchor_many(3)
    pause = command._step(256, WAIT)
    assert 0 < pause <= 0.25
    assert LogState.objects.filter(size__gt=0).count() == 0
    LedgerEntry.objects.update(created_at=timezone.now() - dt.timedelta(seconds=1))
    assert command._step(256, WAIT) == 0.0
    assert LogState.objects.get().size == 3


@pytest.mark.django_db
def test_loop_seals_a_full_batch_at_once_and_idles_when_empty(no_task) -> None:
    command = SequencerCommand()
    assert command._step(4, WAIT) == 0.5  # nothing pending: idle poll
    anchor_many(5)
    assert command._step(4, WAIT) == 0.0  # 4 waiting entries fill a batch: no waiting
    assert LogState.objects.get().size == 4


@pytest.mark.django_db(transaction=True)
def test_the_loop_runs_as_a_service_and_stops_cleanly_on_sigterm(settings) -> None:
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = False
    process = sequencer_process(once=False)
    try:
        anchor_many(10)
        deadline = time.monotonic() + 30
        while queries.published().size < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queries.published().size == 10
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "ledger sequencer stopped" in out


@pytest.mark.django_db
def test_ledger_init_creates_the_key_once_and_prints_it() -> None:
    out = StringIO()
    call_command("ledger_init", stdout=out)
    call_command("ledger_init", stdout=out)
    assert SigningKey.objects.count() == 1
    assert out.getvalue().count(SigningKey.objects.get().vkey) == 2


def test_system_checks(settings) -> None:
    assert checks.check_ledger_settings() == []
    assert [m.id for m in checks.check_ledger_origin_for_deploy()] == ["ledger.W001"]
    settings.YIWANG_LEDGER_ORIGIN = "city log with spaces"
    assert [m.id for m in checks.check_ledger_settings()] == ["ledger.E001"]
    settings.YIWANG_LEDGER_ORIGIN = "ledger.nanchang.gov.cn/360100/log"
    assert checks.check_ledger_origin_for_deploy() == []
    settings.YIWANG_LEDGER_BATCH_SIZE = 0
    assert [m.id for m in checks.check_ledger_settings()] == ["ledger.E002"]
