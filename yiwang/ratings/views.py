"""好差评 pages: the citizen's ratings and rating form; the ticket queue and ticket page
(department staff, supervisors, the rater for the recheck); supervision results."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.web import login_required_page, staff_required
from yiwang.ratings import actions, machine, queries
from yiwang.ratings.forms import RatingForm, TicketStepForm
from yiwang.ratings.permissions import is_supervisor, ticket_roles

ACTION_LABELS = {  # lazy: translated when the page renders
    "dispatch": gettext_lazy("转办"),
    "start_visit": gettext_lazy("回访核实"),
    "rectify": gettext_lazy("立行立改"),
    "open_ledger": gettext_lazy("列入台账限期整改"),
    "explain": gettext_lazy("解释说明"),
    "appeal": gettext_lazy("申诉复核"),
    "uphold_appeal": gettext_lazy("申诉成立"),
    "reject_appeal": gettext_lazy("申诉不成立"),
    "complete_rectification": gettext_lazy("整改完成"),
    "send_feedback": gettext_lazy("反馈评价人"),
    "recheck": gettext_lazy("确认处理结果"),
    "close": gettext_lazy("办结"),
}


@login_required_page
def mine(request: HttpRequest) -> HttpResponse:
    """我的评价: what is waiting for a rating, what was rated, tickets about one's ratings."""
    return render(
        request,
        "ratings/mine.html",
        {
            "pending": queries.pending_invitations(request.user),
            "ratings": queries.ratings_for_user(request.user)[:50],
            "tickets": queries.tickets_for_user(request.user)[:20],
        },
    )


@login_required_page
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The rating form for one touchpoint."""
    invitation = queries.get_invitation_for_rater(request.user, pk)
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.submit_rating(
                    actor=request.user,
                    invitation=invitation,
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    reason_tags=form.cleaned_data["reason_tags"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("感谢您的评价。"))
                return redirect("ratings:mine")
        else:
            status = 400
    return render(
        request, "ratings/rate.html", {"invitation": invitation, "form": form}, status=status
    )


@staff_required
def tickets(request: HttpRequest) -> HttpResponse:
    """差评工单: the department's (handlers) or the region's (supervisors)."""
    base = queries.tickets_for_user(request.user)
    only_overdue = request.GET.get("overdue") == "1"
    shown = queries.overdue(base) if only_overdue else base
    page = Paginator(shown, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/tickets.html",
        {
            "page": page,
            "only_overdue": only_overdue,
            "late": {t.pk for t in page if queries.is_overdue(t)},
        },
    )


@login_required_page
@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket: its story and the steps the viewer may take."""
    ticket = queries.get_ticket_for_user(request.user, pk)
    error = ""
    status = 200
    if request.method == "POST":
        form = TicketStepForm(request.POST)
        if form.is_valid():
            try:
                actions.advance_ticket(
                    actor=request.user,
                    ticket=ticket,
                    action=form.cleaned_data["action"],
                    note=form.cleaned_data["note"],
                    ledger_due_date=form.cleaned_data["ledger_due_date"],
                    recheck_level=form.cleaned_data["recheck_level"],
                )
            except DomainError as refusal:
                error, status = refusal.message, refusal.status
            else:
                messages.success(request, _("已处理。"))
                return redirect("ratings:ticket", pk=ticket.pk)
        else:
            error, status = _("提交的数据格式不正确。"), 400
    allowed = machine.available(ticket.status, ticket_roles(request.user, ticket))
    return render(
        request,
        "ratings/ticket.html",
        {
            "ticket": ticket,
            "events": ticket.events.select_related("actor"),
            "steps": [(action, ACTION_LABELS[action]) for action in allowed],
            "overdue": queries.is_overdue(ticket),
            "error": error,
        },
        status=status,
    )


@staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    """好差评监督: results and overdue tickets (supervisors)."""
    if not is_supervisor(request.user):
        raise PermissionDenied()
    summary = queries.summary_for_supervisor(request.user)
    late = queries.overdue(queries.tickets_for_user(request.user))[:50]
    return render(request, "ratings/supervision.html", {"summary": summary, "late": late})
