"""The API's outer contract: health, error bodies, documentation, the committed snapshot."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yiwang.api.management.commands.openapi_snapshot import SNAPSHOT, current_schema


def test_health_answers_ok() -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


def test_request_id_is_echoed_when_sane() -> None:
    assert Client().get("/api/v1/health", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert (
        Client().get("/api/v1/health", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"
    )


@pytest.mark.django_db
def test_openapi_document_and_docs_are_served() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Yiwang API"
    assert "/api/v1/health" in document["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_openapi_snapshot_is_current() -> None:
    """If this fails, the API changed: review, then run `manage.py openapi_snapshot`."""
    assert SNAPSHOT.exists(), "missing snapshot: run manage.py openapi_snapshot"
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == json.loads(current_schema())


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
