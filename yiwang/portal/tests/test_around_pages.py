"""The around-a-case pages render for the people they are for (accessibility basics too)."""

from __future__ import annotations

import re

import pytest

from conftest import client_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/payments/", "/appointments/", "/appointments/book/", "/ratings/", "/notifications/",
     "/notifications/preferences/"],
)  # fmt: skip
def test_citizen_pages_render_with_one_h1(personas, path: str) -> None:
    response = client_for(personas.citizen).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert 'id="main"' in html
    elder = client_for(personas.citizen)
    elder.cookies["yiwang_elder"] = "1"
    assert 'class="elder"' in elder.get(path).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/payments/staff/", "/ratings/tickets/", "/appointments/desk/"])
def test_staff_pages_are_for_staff(personas, path: str) -> None:
    assert client_for(personas.clerk_a).get(path).status_code == 200
    assert client_for(personas.citizen).get(path).status_code == 403
    assert client_for(None).get(path).status_code == 302
