"""The case page's next step for the hall: "预约办理时段" while the item can be booked and the
applicant has no booking for the case; the booked slot once there is one (staff read it too).

Registered with the cases app by AppointmentsConfig.ready."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.appointments.choices import BookingStatus
from yiwang.appointments.models import Booking, Window
from yiwang.cases.choices import TERMINAL_STATUSES
from yiwang.cases.links import DONE, FACT, TODO, CaseLink
from yiwang.regions.queries import staff_of

HELD = [BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.SERVED]


def _slot_text(booking: Booking) -> str:
    slot = booking.slot
    return _("%(date)s %(start)s–%(end)s，%(hall)s %(window)s 号窗口") % {
        "date": slot.date.isoformat(),
        "start": slot.start_time.strftime("%H:%M"),
        "end": slot.end_time.strftime("%H:%M"),
        "hall": slot.window.hall.name,
        "window": slot.window.number,
    }


def _halls_serving(task_ids: set[int]) -> dict[int, int]:
    """{task id: the first open hall with an open window serving it, when it may be booked}."""
    rows = (
        Window.objects.filter(
            is_active=True,
            hall__is_active=True,
            tasks__in=task_ids,
            tasks__current_version__is_schedule=True,
        )
        .order_by("hall_id")
        .values_list("tasks", "hall_id")
    )
    found: dict[int, int] = {}
    for task_id, hall_id in rows:
        found.setdefault(task_id, hall_id)
    return found


def links_of_many(cases: Sequence[Any], user: Any) -> dict[int, list[CaseLink]]:
    numbers = {case.project_no: case for case in cases if case.project_no}
    if not numbers or not getattr(user, "is_authenticated", False):
        return {}
    staff = staff_of(user) is not None
    bookings = Booking.objects.filter(
        case_project_no__in=list(numbers), status__in=HELD
    ).select_related("slot__window__hall")
    if not staff:
        bookings = bookings.filter(citizen=user)
    booked: dict[str, Booking] = {}
    for booking in bookings.order_by("id"):
        booked[booking.case_project_no] = booking
    found: dict[int, list[CaseLink]] = {}
    for number, booking in booked.items():
        if staff:
            link = CaseLink(_("已预约办理时段"), "", FACT, _slot_text(booking))
        else:
            link = CaseLink(
                _("已预约办理时段"), reverse("appointments:mine"), DONE, _slot_text(booking)
            )
        found[numbers[number].pk] = [link]
    if staff:
        return found
    open_cases = [
        case
        for number, case in numbers.items()
        if number not in booked
        and case.applicant_user_id == user.pk
        and case.status not in TERMINAL_STATUSES
    ]
    if not open_cases:
        return found
    halls = _halls_serving({case.task_version.task_id for case in open_cases})
    for case in open_cases:
        task_id = case.task_version.task_id
        if task_id in halls:
            query = urlencode({"hall": halls[task_id], "task": task_id, "case": case.project_no})
            url = f"{reverse('appointments:book')}?{query}"
            found[case.pk] = [CaseLink(_("预约办理时段"), url, TODO)]
    return found


def register() -> None:
    from yiwang.cases.links import one_of, register_case_links

    register_case_links("appointments", one_of(links_of_many), many=links_of_many, order=20)
