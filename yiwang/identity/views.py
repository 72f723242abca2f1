"""Log-in and log-out pages."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.identity.forms import LoginForm


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in by phone, ID number or staff user name; lock-out is enforced by the backend."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            safe = url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(next_url if safe and next_url else "portal:home")
        failure = getattr(request, "yiwang_login_error", None)
        error = failure.message if failure is not None else _("账号或密码不正确。")
        status = failure.status if failure is not None else 401
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "identity/login.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out (POST only, so a link cannot log anyone out)."""
    logout(request)
    return redirect("portal:home")
