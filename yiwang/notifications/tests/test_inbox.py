"""The inbox and preferences, from outside: everyone sees only their own messages."""

from __future__ import annotations

import json

import pytest

from conftest import client_for
from yiwang.core.actors import SYSTEM
from yiwang.notifications import actions, integration
from yiwang.notifications.models import Notification, NotificationPreference
from yiwang.payments.tests.helpers import FakeCase, FakeEvent, make_fee_task

CONTEXT = {"order_no": "X1", "project_no": "P1", "amount": "1.00"}


@pytest.mark.django_db
def test_inbox_is_private(personas) -> None:
    actions.notify(
        actor=SYSTEM, recipient=personas.citizen, template="payment_paid", context=CONTEXT
    )
    message = Notification.objects.get(recipient=personas.citizen, channel="in_app")
    mine = client_for(personas.citizen)
    page = mine.get("/notifications/")
    assert page.status_code == 200 and "缴费成功：X1" in page.content.decode()
    assert mine.get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 1}
    other = client_for(personas.other_citizen)
    assert other.get("/api/v1/notifications/inbox").json()["items"] == []
    assert other.post(f"/api/v1/notifications/inbox/{message.pk}/read").status_code == 404
    assert other.post(f"/notifications/{message.pk}/read/").status_code == 404
    assert client_for(None).get("/api/v1/notifications/inbox").status_code == 401
    assert client_for(None).get("/notifications/").status_code == 302
    read = mine.post(f"/api/v1/notifications/inbox/{message.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert mine.get("/api/v1/notifications/inbox?unread=true").json()["items"] == []
    # Staff have an inbox too.
    assert client_for(personas.clerk_a).get("/notifications/").status_code == 200


@pytest.mark.django_db
def test_preferences_choose_the_language_of_later_messages(personas) -> None:
    client = client_for(personas.citizen)
    bad = client.put(
        "/api/v1/notifications/preferences",
        json.dumps({"language": "fr"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "language_unknown"
    assert not NotificationPreference.objects.exists()
    page = client.post(
        "/notifications/preferences/", {"language": "en", "sms_enabled": "on", "email": ""}
    )
    assert page.status_code == 302
    actions.notify(
        actor=SYSTEM, recipient=personas.citizen, template="payment_paid", context=CONTEXT
    )
    subject = Notification.objects.get(channel="in_app").subject
    assert subject == "Payment received: X1"


@pytest.mark.django_db
def test_case_events_notify_the_applicant(city, personas) -> None:
    version = make_fee_task(city)
    case = FakeCase("360102XK20261127000011", personas.citizen, version)
    integration.notify_case_event(FakeEvent(case, "case.accepted", pk=7))
    integration.notify_case_event(FakeEvent(case, "case.accepted", pk=7))  # delivered twice
    integration.notify_case_event(FakeEvent(case, "case.review_step", pk=8))  # internal
    messages = Notification.objects.filter(recipient=personas.citizen, channel="in_app")
    assert [m.body for m in messages] == [
        "您的办件 360102XK20261127000011（食品经营许可（新办））已受理。"
    ]
    assert Notification.objects.filter(channel="sms").count() == 1
