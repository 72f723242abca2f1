"""Ledger fixtures: anchoring helpers, a witness key, a system account with a token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yiwang.core.actors import SYSTEM
from yiwang.identity import actions as identity_actions
from yiwang.identity.choices import AccountKind
from yiwang.identity.models import User
from yiwang.ledger import keys
from yiwang.ledger.anchoring import anchor
from yiwang.ledger.models import LedgerEntry
from yiwang.ledger.tlog import note

WITNESS_NAME = "witness.yiwang.example/w1"


def anchor_many(count: int, *, start: int = 0, kind: str = "case.accepted") -> list[LedgerEntry]:
    """`count` pending entries about cases 3601022026000<start>…"""
    return [
        anchor(kind, f"360102-2026-{start + i:06d}", {"case": start + i, "event": kind})
        for i in range(count)
    ]


@pytest.fixture
def no_task(settings) -> None:
    """Sequence by hand: anchoring enqueues nothing."""
    settings.YIWANG_LEDGER_SEQUENCE_ON_COMMIT = False


@pytest.fixture
def witness(settings) -> Iterator[note.Verifier]:
    """A configured tlog-cosignature witness; yields its verifier."""
    skey, vkey = note.generate_signer_key(WITNESS_NAME, cosigner=True)
    settings.YIWANG_LEDGER_WITNESS_KEY = skey
    keys._parse_witness.cache_clear()
    yield note.verifier_from_vkey(vkey)
    keys._parse_witness.cache_clear()


@pytest.fixture
def system_token(db: None) -> str:
    """A bearer token of another government system (account kind 'system')."""
    account = User.objects.create_user(
        "sys.archive", kind=AccountKind.SYSTEM, display_name="档案系统"
    )
    _, raw = identity_actions.issue_api_token(actor=SYSTEM, user=account, name="archive")
    return raw
