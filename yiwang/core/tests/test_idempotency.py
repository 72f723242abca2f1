"""Idempotency-Key: the same retried submission is answered once; a reused key is refused."""

from __future__ import annotations

import pytest

from yiwang.core import idempotency
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import IdempotencyRecord


@pytest.mark.django_db
def test_retry_replays_the_first_answer(personas) -> None:
    calls: list[int] = []

    def operation() -> tuple[int, dict]:
        calls.append(1)
        return 201, {"number": len(calls)}

    first = idempotency.run_once(
        actor=personas.citizen, scope="t", key="k1", payload={"a": 1}, operation=operation
    )
    again = idempotency.run_once(
        actor=personas.citizen, scope="t", key="k1", payload={"a": 1}, operation=operation
    )
    assert (first.status_code, first.body, first.replayed) == (201, {"number": 1}, False)
    assert (again.status_code, again.body, again.replayed) == (201, {"number": 1}, True)
    assert len(calls) == 1


@pytest.mark.django_db
def test_keys_belong_to_their_actor(personas) -> None:
    def operation() -> tuple[int, dict]:
        return 201, {}

    for user in (personas.citizen, personas.other_citizen):
        outcome = idempotency.run_once(
            actor=user, scope="t", key="same", payload={}, operation=operation
        )
        assert not outcome.replayed
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_refused(personas) -> None:
    def operation() -> tuple[int, dict]:
        return 201, {}

    idempotency.run_once(
        actor=personas.citizen, scope="t", key="k", payload={"a": 1}, operation=operation
    )
    with pytest.raises(Conflict) as caught:
        idempotency.run_once(
            actor=personas.citizen, scope="t", key="k", payload={"a": 2}, operation=operation
        )
    assert caught.value.code == "idempotency_key_reused"


@pytest.mark.django_db
def test_a_failed_operation_leaves_no_record(personas) -> None:
    def failing() -> tuple[int, dict]:
        raise DomainError("nope", "不行")

    with pytest.raises(DomainError):
        idempotency.run_once(
            actor=personas.citizen, scope="t", key="k", payload={}, operation=failing
        )
    assert not IdempotencyRecord.objects.exists()


def test_bad_keys_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        idempotency.check_key("x" * 129)
    assert caught.value.code == "idempotency_key_invalid"
    assert idempotency.check_key("") is None
