"""The write path of notifications: create (in the caller's transaction), deliver, read.

Delivery is at-least-once towards the backend and exactly-once in the common failure: a
worker that claims a row and dies leaves a lease that expires, and the next worker takes
the row over. Every step is a conditional UPDATE on the row, so two workers never both own it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.tasks import enqueue_on_commit
from yiwang.identity.models import User
from yiwang.notifications import backends, texts
from yiwang.notifications.choices import AttemptOutcome, Channel, NotificationStatus
from yiwang.notifications.models import DeliveryAttempt, Notification, NotificationPreference


def preference_for(user: User) -> NotificationPreference:
    """The user's preferences (defaults when they never chose)."""
    try:
        preference: NotificationPreference = user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)
    return preference


def _address(user: User, channel: str, preference: NotificationPreference) -> str | None:
    if channel == Channel.IN_APP:
        return ""
    if channel == Channel.SMS:
        return user.phone if preference.sms_enabled and user.phone else None
    return preference.email if preference.email_enabled and preference.email else None


@transaction.atomic
def notify(
    *,
    actor: Any,
    recipient: User,
    template: str,
    context: Mapping[str, Any],
    link: str = "",
    dedupe_key: str = "",
    channels: Iterable[Channel] | None = None,
) -> list[Notification]:
    """Queue a message to `recipient` on each channel of the template they can receive.

    Runs inside the caller's transaction, so a rolled-back action sends nothing. Not written
    to the audit log (the caller's action is; the delivery log records each send).
    """
    del actor  # who triggered it is in the caller's audit entry
    if template not in texts.TEMPLATES:
        raise DomainError("template_unknown", _("未知的消息模板。"))
    preference = preference_for(recipient)
    subject, body, plain = texts.render(template, context, preference.language)
    wanted = tuple(channels) if channels is not None else texts.TEMPLATES[template].channels
    now = timezone.now()
    created: list[Notification] = []
    for channel in wanted:
        address = _address(recipient, channel, preference)
        if address is None:
            continue
        if (
            dedupe_key
            and Notification.objects.filter(
                recipient=recipient, channel=channel, dedupe_key=dedupe_key
            ).exists()
        ):
            continue
        in_app = channel == Channel.IN_APP
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    channel=channel,
                    template_code=template,
                    context=plain,
                    language=preference.language,
                    address=address,
                    subject=subject,
                    body=body,
                    link=link,
                    status=NotificationStatus.SENT if in_app else NotificationStatus.PENDING,
                    sent_at=now if in_app else None,
                    next_attempt_at=now,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue  # the same trigger came before (dedupe_key): nothing to send again
        created.append(notification)
        if not in_app:
            from yiwang.notifications import tasks

            enqueue_on_commit(tasks.deliver_notification, notification.pk)
    return created


def default_worker() -> str:
    """host:pid:thread, to tell workers apart in the delivery log."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


def _due(now: dt.datetime) -> Q:
    pending = Q(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=NotificationStatus.SENDING, lease_until__lt=now)
    return pending | abandoned


def claim(notification_id: int, *, worker: str, now: dt.datetime | None = None) -> bool:
    """Take a due row for delivery: PENDING (or SENDING with an expired lease) → SENDING."""
    now = now or timezone.now()
    row = Notification.objects.filter(_due(now), pk=notification_id).first()
    if row is None:
        return False
    lease = now + dt.timedelta(seconds=settings.YIWANG_NOTIFY_LEASE_SECONDS)
    # `attempts` doubles as a version number: only one of two racing workers matches it.
    taken = Notification.objects.filter(
        _due(now), pk=notification_id, attempts=row.attempts
    ).update(
        status=NotificationStatus.SENDING,
        lease_until=lease,
        claimed_by=worker,
        attempts=F("attempts") + 1,
    )
    if taken and row.status == NotificationStatus.SENDING:
        DeliveryAttempt.objects.create(
            notification_id=notification_id,
            attempt=row.attempts,
            worker=row.claimed_by,
            outcome=AttemptOutcome.RECLAIMED,
            detail=f"lease expired at {row.lease_until:%Y-%m-%d %H:%M:%S}; taken by {worker}"
            if row.lease_until
            else "",
        )
    return bool(taken)


def backoff_seconds(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base … capped at one hour."""
    base: int = settings.YIWANG_NOTIFY_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), 3600))


def _owned(notification_id: int, worker: str) -> Any:
    return Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.SENDING, claimed_by=worker
    )


def _rate_limited_until(notification: Notification, now: dt.datetime) -> dt.datetime | None:
    limits: Mapping[str, tuple[int, int]] = settings.YIWANG_NOTIFY_RATE_LIMITS
    limit = limits.get(notification.channel)
    if not limit:
        return None
    count, seconds = limit
    since = now - dt.timedelta(seconds=seconds)
    recent = list(
        Notification.objects.filter(
            recipient_id=notification.recipient_id,
            channel=notification.channel,
            status=NotificationStatus.SENT,
            sent_at__gt=since,
        )
        .order_by("sent_at")
        .values_list("sent_at", flat=True)[:count]
    )
    if len(recent) < count:
        return None
    oldest = recent[0]
    assert oldest is not None
    return oldest + dt.timedelta(seconds=seconds)


def _send(notification: Notification) -> tuple[str, str]:
    if notification.channel == Channel.SMS:
        backend = backends.sms_backend()
        text = f"{notification.subject}：{notification.body}"
        backend.send(to=notification.address, text=text, key=notification.delivery_key)
        return settings.YIWANG_SMS_BACKEND, ""
    backends.send_email(
        to=notification.address,
        subject=notification.subject,
        body=notification.body,
        key=notification.delivery_key,
    )
    return settings.EMAIL_BACKEND, ""


def deliver(notification_id: int, *, worker: str | None = None) -> str:
    """Claim one notification and hand it to its backend; returns what happened."""
    worker = worker or default_worker()
    now = timezone.now()
    if not claim(notification_id, worker=worker, now=now):
        return "not_due"
    notification = Notification.objects.get(pk=notification_id)
    until = _rate_limited_until(notification, now)
    if until is not None:
        # Over the limit: put it back without counting an attempt.
        _owned(notification_id, worker).update(
            status=NotificationStatus.PENDING,
            next_attempt_at=until,
            attempts=F("attempts") - 1,
            lease_until=None,
            claimed_by="",
        )
        _log(notification, worker, AttemptOutcome.RATE_LIMITED, f"until {until:%H:%M:%S}")
        return AttemptOutcome.RATE_LIMITED
    try:
        backend_name, _detail = _send(notification)
    except Exception as error:  # any backend failure is retried, never lost
        message = f"{type(error).__name__}: {error}"[:300]
        if notification.attempts >= settings.YIWANG_NOTIFY_MAX_ATTEMPTS:
            _owned(notification_id, worker).update(
                status=NotificationStatus.FAILED, lease_until=None, last_error=message
            )
            _log(notification, worker, AttemptOutcome.GAVE_UP, message)
            return AttemptOutcome.GAVE_UP
        retry_at = timezone.now() + dt.timedelta(seconds=backoff_seconds(notification.attempts))
        _owned(notification_id, worker).update(
            status=NotificationStatus.PENDING,
            next_attempt_at=retry_at,
            lease_until=None,
            claimed_by="",
            last_error=message,
        )
        _log(notification, worker, AttemptOutcome.ERROR, message)
        return AttemptOutcome.ERROR
    _owned(notification_id, worker).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), lease_until=None
    )
    _log(notification, worker, AttemptOutcome.SENT, "", backend_name)
    return AttemptOutcome.SENT


def _log(
    notification: Notification, worker: str, outcome: str, detail: str, backend: str = ""
) -> None:
    DeliveryAttempt.objects.create(
        notification=notification,
        attempt=notification.attempts,
        worker=worker,
        backend=backend[:120],
        outcome=outcome,
        detail=detail[:300],
    )


def deliver_due(*, worker: str | None = None, limit: int = 200) -> int:
    """Deliver every notification that is due now (the periodic sweep); returns how many."""
    worker = worker or default_worker()
    ids = list(
        Notification.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk, worker=worker) == AttemptOutcome.SENT)


@transaction.atomic
def mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one inbox message read (its recipient only)."""
    if not getattr(actor, "is_authenticated", False) or notification.recipient_id != actor.pk:
        raise PermissionDenied()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """Mark every unread inbox message of the actor read."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    return Notification.objects.filter(
        recipient=actor, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def set_preferences(
    *, actor: Any, language: str, sms_enabled: bool, email: str, email_enabled: bool
) -> NotificationPreference:
    """Choose the message language and channels (each user for themself)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if language not in dict(settings.LANGUAGES):
        raise DomainError("language_unknown", _("不支持该语言。"), field="language")
    email = email.strip()
    if email_enabled and email and "@" not in email:
        raise DomainError("email_invalid", _("电子邮箱格式不正确。"), field="email")
    before = NotificationPreference.objects.select_for_update().filter(user=actor).first()
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor,
        defaults={
            "language": language,
            "sms_enabled": sms_enabled,
            "email": email,
            "email_enabled": email_enabled,
        },
    )
    audit.record(
        "notifications.preferences_set",
        actor=actor,
        subject=preference,
        before={"language": before.language} if before else None,
        after={"language": language, "sms": sms_enabled, "email": email_enabled},
    )
    return preference
