"""Appointment pages: my bookings, booking and rescheduling, queue tickets, the hall's
queue display (public), and the window desk (staff)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.appointments import actions, errors, queries
from yiwang.appointments.models import Hall, Slot
from yiwang.core.errors import DomainError
from yiwang.core.web import login_required_page, staff_required


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _grouped(slots: Any) -> list[tuple[Any, list[Slot]]]:
    return [(day, list(items)) for day, items in groupby(slots, key=lambda s: s.date)]


@login_required_page
def my_bookings(request: HttpRequest) -> HttpResponse:
    """我的预约."""
    bookings = queries.bookings_for_user(request.user).order_by("-slot__date", "-id")[:50]
    return render(
        request,
        "appointments/my_bookings.html",
        {"bookings": bookings, "tickets": queries.my_tickets_today(request.user)},
    )


@login_required_page
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """在线预约: pick a hall and an item, then a free slot."""
    halls = list(queries.open_halls())
    hall_id = _int(request.POST.get("hall") or request.GET.get("hall"))
    task_id = _int(request.POST.get("task") or request.GET.get("task"))
    hall = next((h for h in halls if h.pk == hall_id), None)
    tasks = list(queries.bookable_tasks(hall)) if hall else []
    task = next((t for t in tasks if t.pk == task_id), None)
    # The case page's "预约办理时段" link names the case; the form carries it on.
    case_project_no = (request.POST.get("case_project_no") or request.GET.get("case", ""))[:50]
    error = ""
    status = 200
    if request.method == "POST":
        slot_id = _int(request.POST.get("slot"))
        try:
            if hall is None or task is None or slot_id is None:
                raise errors.task_not_served()
            actions.book(
                actor=request.user,
                slot=queries.get_slot(slot_id),
                task=task,
                case_project_no=case_project_no,
            )
        except DomainError as refusal:
            error, status = refusal.message, refusal.status
        else:
            messages.success(request, _("预约成功。"))
            return redirect("appointments:mine")
    slots = _grouped(queries.available_slots(hall, task)) if hall and task else []
    return render(
        request,
        "appointments/book.html",
        {
            "halls": halls,
            "hall": hall,
            "tasks": tasks,
            "task": task,
            "days": slots,
            "error": error,
            "case_project_no": case_project_no,
        },
        status=status,
    )


@login_required_page
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = queries.get_booking_for_user(request.user, pk)
    actions.cancel_booking(actor=request.user, booking=booking)
    messages.success(request, _("预约已取消。"))
    return redirect("appointments:mine")


@login_required_page
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """改期: another free slot of the same hall and item."""
    booking = queries.get_booking_for_user(request.user, pk)
    hall = booking.slot.window.hall
    error = ""
    status = 200
    if request.method == "POST":
        slot_id = _int(request.POST.get("slot"))
        try:
            if slot_id is None:
                raise errors.slot_past()
            actions.reschedule_booking(
                actor=request.user, booking=booking, slot=queries.get_slot(slot_id)
            )
        except DomainError as refusal:
            error, status = refusal.message, refusal.status
        else:
            messages.success(request, _("预约已改期。"))
            return redirect("appointments:mine")
    slots = _grouped(queries.available_slots(hall, booking.task))
    return render(
        request,
        "appointments/reschedule.html",
        {"booking": booking, "days": slots, "error": error},
        status=status,
    )


@login_required_page
@require_POST
def take_ticket(request: HttpRequest, hall_id: int) -> HttpResponse:
    """取号 (with a booking of today, or for an item)."""
    hall: Hall = queries.get_hall(hall_id)
    booking_id = _int(request.POST.get("booking"))
    booking = queries.get_booking_for_user(request.user, booking_id) if booking_id else None
    task_id = _int(request.POST.get("task"))
    if booking is not None:
        task = booking.task
    elif task_id is not None:
        task = queries.get_task(task_id)
    else:
        raise errors.task_not_served()
    ticket = actions.take_ticket(actor=request.user, hall=hall, task=task, booking=booking)
    return redirect("appointments:ticket", pk=ticket.pk)


@login_required_page
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """排队号: the number, people ahead and the estimated wait."""
    item = queries.get_ticket_for_user(request.user, pk)
    waiting = item.status == "waiting"
    return render(
        request,
        "appointments/ticket.html",
        {
            "ticket": item,
            "ahead": actions.people_ahead(item) if waiting else 0,
            "wait": actions.estimate_wait(item) if waiting else 0,
        },
    )


def board(request: HttpRequest, hall_id: int) -> HttpResponse:
    """The hall's queue display (public, refreshes itself; shows numbers, never names)."""
    hall = queries.get_hall(hall_id)
    return render(
        request, "appointments/board.html", {"board": actions.queue_board(hall), "hall": hall}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    """窗口叫号台: call the next number at one's window; finish or skip it."""
    windows = list(queries.desk_windows(request.user))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "call":
                window = queries.get_desk_window(
                    request.user, _int(request.POST.get("window")) or 0
                )
                called = actions.call_next(actor=request.user, window=window)
                messages.success(
                    request,
                    _("请 %(number)s 号到 %(window)s 窗口。")
                    % {"number": called.number, "window": window.number},
                )
            else:
                item = queries.get_ticket_for_user(
                    request.user, _int(request.POST.get("ticket")) or 0
                )
                actions.finish_ticket(
                    actor=request.user, ticket=item, served=request.POST.get("action") == "served"
                )
                messages.success(request, _("已完成。"))
        except DomainError as refusal:
            messages.error(request, refusal.message)
        return redirect("appointments:desk")
    current = {
        w.pk: w.tickets.filter(status="called").order_by("-called_at").first() for w in windows
    }
    return render(
        request,
        "appointments/desk.html",
        {"windows": [(w, current[w.pk]) for w in windows]},
    )
