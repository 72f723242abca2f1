"""Cross-domain pages: the public home, the citizen's space, the staff workbench, directories."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.core.web import login_required_page, staff_required
from yiwang.identity import queries as identity_queries
from yiwang.regions import queries as region_queries
from yiwang.regions.permissions import roles_of
from yiwang.regions.queries import staff_of

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    """Public front page; logged-in users go to their own space."""
    if request.user.is_authenticated:
        return redirect("portal:workbench" if staff_of(request.user) else "portal:me")
    return render(request, "portal/home.html")


@login_required_page
def me(request: HttpRequest) -> HttpResponse:
    """我的空间: the citizen's or operator's own page."""
    user: Any = request.user
    if staff_of(user) is not None:
        return redirect("portal:workbench")
    person = identity_queries.persons_for_user(user).first()
    companies = identity_queries.legal_persons_for_user(user)
    return render(request, "portal/me.html", {"person": person, "companies": companies})


@staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: the staff member's post, roles and what lies in their jurisdiction."""
    staff = staff_of(request.user)
    context = {
        "staff": staff,
        "roles": sorted(roles_of(request.user)),
        "department_count": region_queries.departments_for_user(request.user).count(),
        "staff_count": region_queries.staff_for_user(request.user).count(),
        "person_count": identity_queries.persons_for_user(request.user).count(),
    }
    return render(request, "portal/workbench.html", context)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@staff_required
def departments(request: HttpRequest) -> HttpResponse:
    """Departments in the jurisdiction."""
    page = _page(request, region_queries.departments_for_user(request.user))
    return render(request, "portal/departments.html", {"page": page})


@staff_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One department (404 outside the jurisdiction)."""
    department = region_queries.get_department_for_user(request.user, pk)
    staff = region_queries.staff_for_user(request.user).filter(department=department)
    return render(
        request, "portal/department_detail.html", {"department": department, "staff": staff}
    )


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff in the jurisdiction."""
    page = _page(request, region_queries.staff_for_user(request.user).prefetch_related("roles"))
    return render(request, "portal/staff_list.html", {"page": page})


@staff_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One staff member (404 outside the jurisdiction)."""
    member = region_queries.get_staff_for_user(request.user, pk)
    return render(request, "portal/staff_detail.html", {"member": member})


@staff_required
def persons(request: HttpRequest) -> HttpResponse:
    """Residents of the jurisdiction, numbers masked."""
    page = _page(request, identity_queries.persons_for_user(request.user))
    return render(request, "portal/persons.html", {"page": page})


@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One resident (404 outside the jurisdiction)."""
    person = identity_queries.get_person_for_user(request.user, pk)
    return render(request, "portal/person_detail.html", {"person": person})


@require_POST
def toggle_elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch the elder-friendly mode (larger type, simpler pages) on or off."""
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    turn_on = request.POST.get("elder") == "1"
    response.set_cookie(
        settings.YIWANG_ELDER_MODE_COOKIE,
        "1" if turn_on else "0",
        max_age=365 * 24 * 3600,
        samesite="Lax",
    )
    return response
