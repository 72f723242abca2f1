"""Gap-free numbers: consecutive, rolled back with their transaction, unique under threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from yiwang.core.numbering import formatted, next_value


@pytest.mark.django_db
def test_numbers_are_consecutive_and_named() -> None:
    with transaction.atomic():
        assert [next_value("a") for _ in range(3)] == [1, 2, 3]
        assert next_value("b") == 1
        assert formatted("360102", "a", 6) == "360102000004"


@pytest.mark.django_db
def test_a_rolled_back_number_is_reused_so_there_is_no_gap() -> None:
    with transaction.atomic():
        assert next_value("c") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_value("c") == 2
        raise RuntimeError("the case was not created after all")
    with transaction.atomic():
        assert next_value("c") == 2


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction() -> None:
    # Under autocommit the number would be committed even if the caller's insert failed.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_value("d")


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_and_gap_free() -> None:
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    value = next_value("concurrent")
                with lock:
                    results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 41))
