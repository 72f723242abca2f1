"""Delivery: rows written in the caller's transaction, claimed under a lease, retried with
back-off, rate-limited per recipient, and delivered once even when a worker dies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from yiwang.core.actors import SYSTEM
from yiwang.notifications import actions
from yiwang.notifications.backends import LocmemSmsBackend
from yiwang.notifications.choices import AttemptOutcome, Channel, NotificationStatus
from yiwang.notifications.models import DeliveryAttempt, Notification

CONTEXT = {
    "order_no": "36010220261127000001",
    "project_no": "360102XK2026000001",
    "amount": "35.50",
}


def send_paid(user, **kwargs):
    return actions.notify(
        actor=SYSTEM, recipient=user, template="payment_paid", context=CONTEXT, **kwargs
    )


def sms_of(user) -> Notification:
    return Notification.objects.get(recipient=user, channel=Channel.SMS)


@pytest.mark.django_db
def test_notify_writes_inbox_and_queues_sms_and_email(personas) -> None:
    citizen = personas.citizen
    actions.set_preferences(
        actor=citizen,
        language="zh-hans",
        sms_enabled=True,
        email="zw@example.cn",
        email_enabled=True,
    )
    rows = send_paid(citizen)
    by_channel = {row.channel: row for row in rows}
    assert set(by_channel) == {Channel.IN_APP, Channel.SMS, Channel.EMAIL}
    assert by_channel[Channel.IN_APP].status == NotificationStatus.SENT
    assert by_channel[Channel.SMS].status == NotificationStatus.PENDING
    assert by_channel[Channel.SMS].address == citizen.phone
    assert "缴款码 36010220261127000001 已支付 35.50 元" in by_channel[Channel.SMS].body


@pytest.mark.django_db
def test_english_preference_gets_english_text(personas) -> None:
    citizen = personas.citizen
    actions.set_preferences(
        actor=citizen, language="en", sms_enabled=True, email="", email_enabled=False
    )
    send_paid(citizen)
    sms = sms_of(citizen)
    assert sms.language == "en"
    assert "36010220261127000001" in sms.body and "paid" in sms.body.lower()
    assert "已支付" not in sms.body


@pytest.mark.django_db
def test_rows_are_created_in_the_callers_transaction(
    personas, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_paid(personas.citizen)
    # The immediate task backend delivered the SMS after commit.
    assert len(LocmemSmsBackend.outbox) == 1
    assert sms_of(personas.citizen).status == NotificationStatus.SENT


@pytest.mark.django_db
def test_a_worker_that_dies_after_claiming_is_replaced_and_the_message_goes_once(personas) -> None:
    send_paid(personas.citizen)
    sms = sms_of(personas.citizen)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # Worker 1 claims the row, then its process dies before sending anything.
        assert actions.claim(sms.pk, worker="worker-1")
        # Worker 2 sweeps while the lease is still held: it must not touch the row.
        assert actions.deliver_due(worker="worker-2") == 0
    assert LocmemSmsBackend.outbox == []
    after_lease = start + dt.timedelta(seconds=121)
    with time_machine.travel(after_lease, tick=False):
        assert actions.deliver_due(worker="worker-2") == 1
        # A third sweep (or worker 1's late retry) finds nothing to do.
        assert actions.deliver_due(worker="worker-3") == 0
        assert actions.deliver(sms.pk, worker="worker-1") == "not_due"
    assert [m["to"] for m in LocmemSmsBackend.outbox] == [personas.citizen.phone]
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT and sms.attempts == 2
    log = list(DeliveryAttempt.objects.filter(notification=sms).values_list("outcome", "worker"))
    assert log == [(AttemptOutcome.RECLAIMED, "worker-1"), (AttemptOutcome.SENT, "worker-2")]


@pytest.mark.django_db
def test_two_workers_cannot_both_claim(personas) -> None:
    send_paid(personas.citizen)
    sms = sms_of(personas.citizen)
    assert actions.claim(sms.pk, worker="a") is True
    assert actions.claim(sms.pk, worker="b") is False


class FlakyBackend:
    failures = 0

    def send(self, *, to: str, text: str, key: str) -> str:
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionError("gateway timeout")
        LocmemSmsBackend.outbox.append({"to": to, "text": text, "key": key})
        return key


@pytest.mark.django_db
@override_settings(YIWANG_SMS_BACKEND="yiwang.notifications.tests.test_delivery.FlakyBackend")
def test_failures_retry_with_exponential_back_off(personas) -> None:
    FlakyBackend.failures = 2
    send_paid(personas.citizen)
    sms = sms_of(personas.citizen)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert actions.deliver(sms.pk, worker="w") == AttemptOutcome.ERROR
        sms.refresh_from_db()
        assert sms.next_attempt_at == start + dt.timedelta(seconds=30)
        assert actions.deliver(sms.pk, worker="w") == "not_due"
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        assert actions.deliver(sms.pk, worker="w") == AttemptOutcome.ERROR
        sms.refresh_from_db()
        assert sms.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)
        assert sms.last_error.startswith("ConnectionError")
    with time_machine.travel(start + dt.timedelta(seconds=92), tick=False):
        assert actions.deliver(sms.pk, worker="w") == AttemptOutcome.SENT
    assert len(LocmemSmsBackend.outbox) == 1


@pytest.mark.django_db
@override_settings(
    YIWANG_SMS_BACKEND="yiwang.notifications.tests.test_delivery.FlakyBackend",
    YIWANG_NOTIFY_MAX_ATTEMPTS=2,
)
def test_gives_up_after_the_last_attempt(personas) -> None:
    FlakyBackend.failures = 5
    send_paid(personas.citizen)
    sms = sms_of(personas.citizen)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        actions.deliver(sms.pk, worker="w")
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert actions.deliver(sms.pk, worker="w") == AttemptOutcome.GAVE_UP
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.FAILED


@pytest.mark.django_db
@override_settings(YIWANG_NOTIFY_RATE_LIMITS={"sms": (2, 3600)})
def test_rate_limit_per_recipient_defers_without_spending_an_attempt(personas) -> None:
    for n in range(3):
        actions.notify(
            actor=SYSTEM,
            recipient=personas.citizen,
            template="payment_paid",
            context={**CONTEXT, "order_no": f"X{n}"},
            channels=[Channel.SMS],
        )
    ids = list(
        Notification.objects.filter(channel=Channel.SMS).order_by("id").values_list("pk", flat=True)
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert [actions.deliver(pk, worker="w") for pk in ids] == [
            AttemptOutcome.SENT,
            AttemptOutcome.SENT,
            AttemptOutcome.RATE_LIMITED,
        ]
    third = Notification.objects.get(pk=ids[2])
    assert third.status == NotificationStatus.PENDING and third.attempts == 0
    assert third.next_attempt_at >= start + dt.timedelta(seconds=3599)
    assert len(LocmemSmsBackend.outbox) == 2
    # Another recipient is not held back by this one's limit.
    actions.notify(
        actor=SYSTEM,
        recipient=personas.other_citizen,
        template="payment_paid",
        context=CONTEXT,
        channels=[Channel.SMS],
    )
    with time_machine.travel(timezone.now(), tick=False):
        assert actions.deliver_due(worker="w") == 1
    with time_machine.travel(start + dt.timedelta(hours=1, seconds=1), tick=False):
        assert actions.deliver_due(worker="w") == 1
    assert len(LocmemSmsBackend.outbox) == 4


@pytest.mark.django_db
def test_email_goes_through_djangos_mail_backend(
    personas, django_capture_on_commit_callbacks
) -> None:
    actions.set_preferences(
        actor=personas.citizen,
        language="zh-hans",
        sms_enabled=False,
        email="zw@example.cn",
        email_enabled=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_paid(personas.citizen)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zw@example.cn"]
    assert mail.outbox[0].extra_headers["X-Yiwang-Notification"].startswith("yw-")
    assert LocmemSmsBackend.outbox == []


@pytest.mark.django_db
def test_the_same_trigger_twice_sends_once(personas) -> None:
    send_paid(personas.citizen, dedupe_key="paid:1")
    send_paid(personas.citizen, dedupe_key="paid:1")
    assert Notification.objects.filter(channel=Channel.SMS).count() == 1
    assert Notification.objects.filter(channel=Channel.IN_APP).count() == 1
