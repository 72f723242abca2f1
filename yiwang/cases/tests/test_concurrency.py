"""Two clerks accept the same case at the same moment: exactly one transition happens."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yiwang.cases import actions
from yiwang.cases.models import Case, CaseProcess, OutboxEvent
from yiwang.cases.tests.conftest import submit
from yiwang.core.errors import DomainError


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accept_at_once(personas, staff, version, city) -> None:
    from conftest import make_staff
    from yiwang.regions.choices import Role

    second_clerk = make_staff("clerk2.a2", city.dept_a2, [Role.WINDOW_CLERK])
    case = actions.receive_case(actor=staff.clerk, case=submit(personas.citizen, version))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    lock = threading.Lock()

    def accept(clerk) -> None:
        seen = Case.objects.get(pk=case.pk)  # each clerk loaded the page before clicking
        barrier.wait()
        try:
            actions.accept_case(actor=clerk, case=seen)
            result: object = "accepted"
        except DomainError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(c,)) for c in (staff.clerk, second_clerk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert outcomes.count("accepted") == 1 and len(refused) == 1
    assert refused[0].code == "case_changed" and "已受理" in refused[0].message
    assert CaseProcess.objects.filter(case_id=case.pk, event_name="06").count() == 1
    assert OutboxEvent.objects.filter(case_id=case.pk, kind="case.accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_gap_free_numbers(personas, version) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def apply() -> None:
        try:
            for _ in range(3):
                number = submit(personas.citizen, version).project_no
                with lock:
                    numbers.append(number)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 10))
