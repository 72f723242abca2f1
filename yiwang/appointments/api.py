"""JSON API of appointments: halls and free slots (public), bookings (the citizen), queue
tickets with an estimated wait, the hall board (public), and the window desk (staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.appointments import actions, errors, queries
from yiwang.appointments.models import Booking, Hall, QueueTicket, Slot, Window
from yiwang.core import idempotency
from yiwang.core.errors import DomainError

router = Router(tags=["appointments"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class HallOut(Schema):
    id: int
    name: str
    address: str
    region_code: str
    avg_service_minutes: int

    @staticmethod
    def resolve_region_code(obj: Hall) -> str:
        return obj.region.code


class SlotOut(Schema):
    id: int
    window: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    session: str
    capacity: int
    free: int

    @staticmethod
    def resolve_window(obj: Slot) -> str:
        return obj.window.number


class BookingOut(Schema):
    id: int
    booking_no: str
    status: str
    hall: str
    window: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    task_code: str
    case_project_no: str

    @staticmethod
    def resolve_hall(obj: Booking) -> str:
        return obj.slot.window.hall.name

    @staticmethod
    def resolve_window(obj: Booking) -> str:
        return obj.slot.window.number

    @staticmethod
    def resolve_date(obj: Booking) -> dt.date:
        return obj.slot.date

    @staticmethod
    def resolve_start_time(obj: Booking) -> dt.time:
        return obj.slot.start_time

    @staticmethod
    def resolve_end_time(obj: Booking) -> dt.time:
        return obj.slot.end_time

    @staticmethod
    def resolve_task_code(obj: Booking) -> str:
        return obj.task.task_code


class BookIn(Schema):
    slot_id: int
    task_id: int
    case_project_no: str = ""


class RescheduleIn(Schema):
    slot_id: int


class TicketIn(Schema):
    task_id: int | None = None
    booking_id: int | None = None


class TicketOut(Schema):
    id: int
    number: str
    hall: str
    status: str
    window: str
    people_ahead: int
    estimated_wait_minutes: int

    @staticmethod
    def resolve_hall(obj: QueueTicket) -> str:
        return obj.hall.name

    @staticmethod
    def resolve_window(obj: QueueTicket) -> str:
        return obj.window.number if obj.window else ""

    @staticmethod
    def resolve_people_ahead(obj: QueueTicket) -> int:
        return actions.people_ahead(obj) if obj.status == "waiting" else 0

    @staticmethod
    def resolve_estimated_wait_minutes(obj: QueueTicket) -> int:
        return actions.estimate_wait(obj) if obj.status == "waiting" else 0


class BoardWindow(Schema):
    window: str
    name: str
    number: str


class BoardOut(Schema):
    hall: str
    date: dt.date
    windows: list[BoardWindow]
    waiting: int
    served: int
    average_minutes: float


class HallIn(Schema):
    name: str
    region_code: str
    department_id: int
    address: str
    avg_service_minutes: int = 10


class WindowIn(Schema):
    number: str
    name: str
    task_codes: list[str] = []


class WindowOut(Schema):
    id: int
    number: str
    name: str
    task_codes: list[str]

    @staticmethod
    def resolve_task_codes(obj: Window) -> list[str]:
        return sorted(task.task_code for task in obj.tasks.all())


class TemplateIn(Schema):
    session: str
    weekday: int | None = None
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int = 30
    capacity: int = 2


class TemplateOut(Schema):
    id: int
    session: str
    weekday: int | None
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    capacity: int


class GenerateIn(Schema):
    start: dt.date
    days: int = 14


class GenerateOut(Schema):
    created: int


class FinishIn(Schema):
    served: bool = True


def _respond(outcome: idempotency.Outcome) -> HttpResponse:
    return outcome.json_response()


def _booking_body(booking: Booking) -> dict[str, Any]:
    body: dict[str, Any] = BookingOut.from_orm(booking).model_dump(mode="json")
    return body


@router.get("/halls", auth=None, response=list[HallOut], operation_id="list_halls")
@paginate(LimitOffsetPagination)
def list_halls(request: HttpRequest) -> QuerySet[Hall]:
    """Open halls (public)."""
    return queries.open_halls()


@router.get(
    "/halls/{hall_id}/slots",
    auth=None,
    response={200: list[SlotOut], 404: ErrorOut},
    operation_id="list_free_slots",
)
def list_slots(
    request: HttpRequest, hall_id: int, task_id: int, start: dt.date | None = None
) -> Any:
    """Slots with a free seat for an item in the next two weeks (public)."""
    hall = queries.get_hall(hall_id)
    task = queries.get_task(task_id)
    return list(queries.available_slots(hall, task, start=start)[:200])


@router.get(
    "/halls/{hall_id}/board", auth=None, response={200: BoardOut, 404: ErrorOut},
    operation_id="hall_queue_board",
)  # fmt: skip
def board(request: HttpRequest, hall_id: int) -> Any:
    """The hall's queue display: current number per window, how many wait (public)."""
    return actions.queue_board(queries.get_hall(hall_id))


@router.get("/bookings", response=list[BookingOut], operation_id="list_bookings")
@paginate(LimitOffsetPagination)
def list_bookings(request: HttpRequest, status: str | None = None) -> QuerySet[Booking]:
    """The caller's bookings (staff: of the halls their department runs)."""
    bookings = queries.bookings_for_user(request.user)
    return bookings.filter(status=status) if status else bookings


@router.post("/bookings", response={201: BookingOut, **ERRORS}, operation_id="create_booking")
def create_booking(request: HttpRequest, payload: BookIn) -> HttpResponse:
    """Book a seat in a slot for an item. Accepts an Idempotency-Key."""

    def operation() -> tuple[int, dict[str, Any]]:
        booking = actions.book(
            actor=request.user,
            slot=queries.get_slot(payload.slot_id),
            task=queries.get_task(payload.task_id),
            case_project_no=payload.case_project_no,
        )
        return 201, _booking_body(booking)

    return _respond(
        idempotency.run_once(
            actor=request.user,
            scope="appointments.book",
            key=request.headers.get(idempotency.HEADER),
            payload=payload.dict(),
            operation=operation,
        )
    )


@router.post(
    "/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS},
    operation_id="cancel_booking",
)  # fmt: skip
def cancel(request: HttpRequest, booking_id: int) -> Any:
    """Cancel one's booking before the slot starts."""
    booking = queries.get_booking_for_user(request.user, booking_id)
    return actions.cancel_booking(actor=request.user, booking=booking)


@router.post(
    "/bookings/{booking_id}/reschedule", response={201: BookingOut, **ERRORS},
    operation_id="reschedule_booking",
)  # fmt: skip
def reschedule(request: HttpRequest, booking_id: int, payload: RescheduleIn) -> HttpResponse:
    """Move one's booking to another slot (all or nothing). Accepts an Idempotency-Key."""

    def operation() -> tuple[int, dict[str, Any]]:
        booking = queries.get_booking_for_user(request.user, booking_id)
        new = actions.reschedule_booking(
            actor=request.user, booking=booking, slot=queries.get_slot(payload.slot_id)
        )
        return 201, _booking_body(new)

    return _respond(
        idempotency.run_once(
            actor=request.user,
            scope="appointments.reschedule",
            key=request.headers.get(idempotency.HEADER),
            payload={"booking_id": booking_id, **payload.dict()},
            operation=operation,
        )
    )


@router.post(
    "/halls/{hall_id}/tickets", response={201: TicketOut, **ERRORS}, operation_id="take_ticket"
)
def take_ticket(request: HttpRequest, hall_id: int, payload: TicketIn) -> Any:
    """取号 for today: with a booking of today (priority), or for an item (walk-in)."""
    hall = queries.get_hall(hall_id)
    booking = (
        queries.get_booking_for_user(request.user, payload.booking_id)
        if payload.booking_id
        else None
    )
    if booking is not None:
        task = booking.task
    elif payload.task_id is not None:
        task = queries.get_task(payload.task_id)
    else:
        raise errors.task_not_served()
    return Status(
        201, actions.take_ticket(actor=request.user, hall=hall, task=task, booking=booking)
    )


@router.get(
    "/tickets/{ticket_id}", response={200: TicketOut, 404: ErrorOut}, operation_id="get_ticket"
)
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    """A queue ticket with its live estimated wait."""
    return queries.get_ticket_for_user(request.user, ticket_id)


@router.post(
    "/windows/{window_id}/call-next", response={200: TicketOut, **ERRORS},
    operation_id="call_next_ticket",
)  # fmt: skip
def call_next(request: HttpRequest, window_id: int) -> Any:
    """叫号 at a window (window clerks of the hall)."""
    return actions.call_next(
        actor=request.user, window=queries.get_desk_window(request.user, window_id)
    )


@router.post(
    "/tickets/{ticket_id}/finish", response={200: TicketOut, **ERRORS},
    operation_id="finish_ticket",
)  # fmt: skip
def finish(request: HttpRequest, ticket_id: int, payload: FinishIn) -> Any:
    """Served, or skipped (the person did not come)."""
    ticket = queries.get_ticket_for_user(request.user, ticket_id)
    return actions.finish_ticket(actor=request.user, ticket=ticket, served=payload.served)


# --- configuration (department administrators of the hall's department) ---


@router.post("/halls", response={201: HallOut, **ERRORS}, operation_id="create_hall")
def create_hall(request: HttpRequest, payload: HallIn) -> Any:
    """Open a hall run by a department (its department administrator, or a system admin)."""
    from yiwang.regions.models import Department, Region
    from yiwang.regions.queries import get_department_for_user

    department: Department = get_department_for_user(request.user, payload.department_id)
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise DomainError("region_unknown", _("未知的区划代码。"), field="region_code")
    hall = actions.create_hall(
        actor=request.user,
        name=payload.name,
        region=region,
        department=department,
        address=payload.address,
        avg_service_minutes=payload.avg_service_minutes,
    )
    return Status(201, hall)


@router.post(
    "/halls/{hall_id}/windows", response={201: WindowOut, **ERRORS}, operation_id="add_window"
)
def add_window(request: HttpRequest, hall_id: int, payload: WindowIn) -> Any:
    """Open a window and name the items (implementation codes) it serves."""
    from yiwang.catalog.models import Task

    hall = queries.get_hall(hall_id)
    codes = sorted(set(payload.task_codes))
    tasks = list(Task.objects.filter(task_code__in=codes))
    if len(tasks) != len(codes):
        unknown = sorted(set(codes) - {task.task_code for task in tasks})
        raise errors.tasks_unknown("、".join(unknown))
    window = actions.add_window(
        actor=request.user, hall=hall, number=payload.number, name=payload.name, tasks=tasks
    )
    return Status(201, window)


@router.post(
    "/windows/{window_id}/templates",
    response={201: TemplateOut, **ERRORS},
    operation_id="add_slot_template",
)
def add_template(request: HttpRequest, window_id: int, payload: TemplateIn) -> Any:
    """Add a slot template: regular, lunchtime, evening (延时) or weekend/holiday hours."""
    window = queries.get_desk_window(request.user, window_id)
    template = actions.add_template(
        actor=request.user,
        window=window,
        session=payload.session,
        weekday=payload.weekday,
        start=payload.start_time,
        end=payload.end_time,
        slot_minutes=payload.slot_minutes,
        capacity=payload.capacity,
    )
    return Status(201, template)


@router.post(
    "/halls/{hall_id}/slots/generate",
    response={200: GenerateOut, **ERRORS},
    operation_id="generate_slots",
)
def generate(request: HttpRequest, hall_id: int, payload: GenerateIn) -> dict[str, int]:
    """Materialise slots on the city's calendar (also run by the periodic job)."""
    hall = queries.get_hall(hall_id)
    created = actions.generate_slots(
        actor=request.user, hall=hall, start=payload.start, days=payload.days
    )
    return {"created": created}
