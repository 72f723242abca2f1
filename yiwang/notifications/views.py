"""The inbox page (everyone logged in) and message preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.core.errors import DomainError
from yiwang.core.web import login_required_page
from yiwang.notifications import actions, queries
from yiwang.notifications.forms import PreferenceForm


@login_required_page
def inbox(request: HttpRequest) -> HttpResponse:
    """消息中心: the user's in-app messages."""
    page = Paginator(queries.inbox_for(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": queries.unread_count(request.user)},
    )


@login_required_page
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read."""
    message = queries.get_message_for_user(request.user, pk)
    actions.mark_read(actor=request.user, notification=message)
    return redirect("notifications:inbox")


@login_required_page
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every message read."""
    actions.mark_all_read(actor=request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("notifications:inbox")


@login_required_page
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Message language and channels."""
    current = actions.preference_for(request.user)  # type: ignore[arg-type]
    initial = {
        "language": current.language,
        "sms_enabled": current.sms_enabled,
        "email": current.email,
        "email_enabled": current.email_enabled,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.set_preferences(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("notifications:preferences")
        else:
            status = 400
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
