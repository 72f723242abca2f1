"""The city's calendar console: overrides on top of the national holiday schedule."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core import actions
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.forms import CalendarOverrideForm
from yiwang.core.models import CalendarOverride
from yiwang.core.web import staff_required
from yiwang.core.workdays import get_calendar


def _require_admin(request: HttpRequest) -> None:
    from yiwang.regions.choices import Role
    from yiwang.regions.permissions import has_role

    if not has_role(request.user, Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN):
        raise PermissionDenied()


@staff_required
@require_http_methods(["GET", "POST"])
def overrides(request: HttpRequest) -> HttpResponse:
    """List and add overrides; shows what the next 30 days look like."""
    _require_admin(request)
    form = CalendarOverrideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.set_calendar_override(
                    actor=request.user,
                    date=form.cleaned_data["date"],
                    is_workday=form.cleaned_data["is_workday"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("core:calendar")
        else:
            status = 400
    calendar = get_calendar()
    today = timezone.localdate()
    upcoming = [today + dt.timedelta(days=offset) for offset in range(30)]
    return render(
        request,
        "core/calendar.html",
        {
            "form": form,
            "overrides": CalendarOverride.objects.all(),
            "upcoming": [(day, calendar.is_workday(day)) for day in upcoming],
        },
        status=status,
    )


@staff_required
@require_POST
def remove_override(request: HttpRequest, date: str) -> HttpResponse:
    """Return one date to the national calendar."""
    _require_admin(request)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise DomainError("date_invalid", _("日期格式不正确。")) from None
    actions.remove_calendar_override(actor=request.user, date=day)
    messages.success(request, _("已恢复为国家日历。"))
    return redirect("core:calendar")
