from __future__ import annotations

import pytest

from yiwang.notifications.backends import LocmemSmsBackend


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> None:
    LocmemSmsBackend.outbox.clear()
