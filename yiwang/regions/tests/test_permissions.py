"""Persona matrix: county A's staff see nothing of county B, by page or by API;
anonymous visitors reach only public pages."""

from __future__ import annotations

import pytest

from conftest import client_for


def api_ids(client, path: str, key: str = "id") -> set:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return {item[key] for item in response.json()["items"]}


@pytest.mark.django_db
def test_county_clerk_lists_only_county_a(city, personas) -> None:
    client = client_for(personas.clerk_a)
    assert api_ids(client, "/api/v1/regions/departments") == {city.dept_a.pk, city.dept_a2.pk}
    staff = api_ids(client, "/api/v1/regions/staff", key="username")
    # Department-only clerk: own department's staff, nobody from B or the city.
    assert staff == {"clerk.a", "admin.a"}
    persons = api_ids(client, "/api/v1/identity/persons")
    assert persons == {personas.citizen.person.pk}
    regions = api_ids(client, "/api/v1/regions/regions", key="code")
    assert all(code.startswith("360102") for code in regions) and regions


@pytest.mark.django_db
def test_county_clerk_cannot_open_county_b_records(city, personas) -> None:
    client = client_for(personas.clerk_a)
    clerk_b_staff = personas.clerk_b.staff.pk
    outsider = personas.other_citizen.person.pk
    for path in (
        f"/api/v1/regions/departments/{city.dept_b.pk}",
        f"/api/v1/regions/departments/{city.city_dept.pk}",
        f"/api/v1/regions/staff/{clerk_b_staff}",
        f"/api/v1/identity/persons/{outsider}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    for path in (
        f"/workbench/departments/{city.dept_b.pk}/",
        f"/workbench/staff/{clerk_b_staff}/",
        f"/workbench/persons/{outsider}/",
    ):
        assert client.get(path).status_code == 404, path
    # …while their own county's records open.
    assert client.get(f"/workbench/departments/{city.dept_a.pk}/").status_code == 200
    assert client.get(f"/workbench/persons/{personas.citizen.person.pk}/").status_code == 200


@pytest.mark.django_db
def test_web_lists_are_scoped_too(city, personas) -> None:
    client = client_for(personas.clerk_a)
    departments = client.get("/workbench/departments/").content.decode()
    assert "东湖区行政审批局" in departments and "西湖区行政审批局" not in departments
    persons = client.get("/workbench/persons/").content.decode()
    assert "张伟" in persons and "王芳" not in persons
    # Numbers are masked on the page.
    assert "**********" in persons


@pytest.mark.django_db
def test_county_admin_sees_every_department_of_the_county(city, personas) -> None:
    client = client_for(personas.admin_a)
    staff = api_ids(client, "/api/v1/regions/staff", key="username")
    assert staff == {"clerk.a", "admin.a"}
    assert api_ids(client, "/api/v1/regions/departments") == {city.dept_a.pk, city.dept_a2.pk}


@pytest.mark.django_db
def test_city_admin_sees_the_whole_city(city, personas) -> None:
    client = client_for(personas.city_admin)
    assert len(api_ids(client, "/api/v1/regions/departments")) == 4
    assert len(api_ids(client, "/api/v1/identity/persons")) == 2


@pytest.mark.django_db
def test_citizen_sees_only_themself_and_no_workbench(city, personas) -> None:
    client = client_for(personas.citizen)
    assert api_ids(client, "/api/v1/identity/persons") == {personas.citizen.person.pk}
    other = personas.other_citizen.person.pk
    assert client.get(f"/api/v1/identity/persons/{other}").status_code == 404
    assert api_ids(client, "/api/v1/regions/staff", key="username") == set()
    assert client.get("/workbench/").status_code == 403
    assert client.get("/workbench/persons/").status_code == 403


PUBLIC_PAGES = ["/", "/accounts/login/", "/api/v1/health", "/api/v1/docs", "/api/v1/openapi.json"]


@pytest.mark.django_db
def test_anonymous_reaches_only_public_pages(city, personas) -> None:
    anonymous = client_for(None)
    for path in PUBLIC_PAGES:
        assert anonymous.get(path).status_code == 200, path
    private_pages = [
        "/me/",
        "/workbench/",
        "/workbench/departments/",
        f"/workbench/departments/{city.dept_a.pk}/",
        "/workbench/staff/",
        "/workbench/persons/",
        f"/workbench/persons/{personas.citizen.person.pk}/",
        "/calendar/",
    ]
    for path in private_pages:
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    for path in [
        "/api/v1/identity/me",
        "/api/v1/identity/persons",
        "/api/v1/regions/departments",
        "/api/v1/regions/staff",
        "/api/v1/regions/regions",
    ]:
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"
    assert anonymous.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_calendar_console_is_for_catalog_admins(city, personas) -> None:
    assert client_for(personas.clerk_a).get("/calendar/").status_code == 403
    admin = client_for(personas.catalog_admin)
    assert admin.get("/calendar/").status_code == 200
    response = admin.post(
        "/calendar/", {"date": "2026-03-16", "is_workday": "0", "reason": "本地节日"}
    )
    assert response.status_code == 302
    bad = admin.post("/calendar/", {"date": "not a date", "is_workday": "0", "reason": "x"})
    assert bad.status_code == 400
    assert client_for(personas.clerk_a).post("/calendar/2026-03-16/remove/").status_code == 403
    assert admin.post("/calendar/2026-13-01/remove/").status_code == 400
