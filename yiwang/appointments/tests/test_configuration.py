"""Halls, windows and templates are configured by the department that runs the hall."""

from __future__ import annotations

import json

import pytest

from conftest import client_for, make_staff
from yiwang.appointments.models import Hall
from yiwang.regions.choices import Role


def post(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_department_admin_configures_a_hall(city, personas, desk) -> None:
    admin = make_staff("hall.admin", city.dept_a, [Role.DEPARTMENT_ADMIN])
    body = {
        "name": "东湖区便民服务中心",
        "region_code": city.county_a.code,
        "department_id": city.dept_a.pk,
        "address": "豫章路 2 号",
    }
    for outsider in (personas.citizen, personas.clerk_a, personas.clerk_b):
        assert post(client_for(outsider), "/api/v1/appointments/halls", body).status_code in (
            403,
            404,
        )
    client = client_for(admin)
    made = post(client, "/api/v1/appointments/halls", body)
    assert made.status_code == 201, made.content
    assert post(client, "/api/v1/appointments/halls", body).status_code == 409
    hall_id = made.json()["id"]
    unknown = post(
        client,
        f"/api/v1/appointments/halls/{hall_id}/windows",
        {"number": "B1", "name": "x", "task_codes": ["NOPE"]},
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "tasks_unknown"
    window = post(
        client,
        f"/api/v1/appointments/halls/{hall_id}/windows",
        {"number": "B1", "name": "综合", "task_codes": [desk.task.task_code]},
    )
    assert window.status_code == 201, window.content
    assert (
        post(
            client, f"/api/v1/appointments/halls/{hall_id}/windows", {"number": "B1", "name": "y"}
        ).status_code
        == 409
    )
    path = f"/api/v1/appointments/windows/{window.json()['id']}/templates"
    evening = {
        "session": "evening",
        "weekday": 2,
        "start_time": "17:30",
        "end_time": "19:30",
        "slot_minutes": 30,
        "capacity": 2,
    }
    assert post(client, path, {**evening, "end_time": "17:00"}).status_code == 400
    assert post(client, path, {**evening, "session": "midnight"}).status_code == 400
    assert post(client, path, evening).status_code == 201
    assert post(client_for(personas.clerk_b), path, evening).status_code == 404
    generated = post(
        client,
        f"/api/v1/appointments/halls/{hall_id}/slots/generate",
        {"start": "2026-09-28", "days": 14},
    )
    assert (
        generated.status_code == 200 and generated.json()["created"] == 4
    )  # 30 Sep; 7 Oct is a holiday
    too_long = post(
        client,
        f"/api/v1/appointments/halls/{hall_id}/slots/generate",
        {"start": "2026-09-28", "days": 400},
    )
    assert too_long.status_code == 400
    assert Hall.objects.count() == 2
