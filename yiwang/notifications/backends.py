"""Delivery backends: SMS (console, file, in-memory; a gateway plugs in the same way) and
e-mail through Django's mail framework (console, file or a real SMTP server by settings).

A backend raises DeliveryError (or any exception) when the message did not go out; the
delivery task then retries with back-off. `key` is stable across retries so a gateway that
de-duplicates (SMS outId, a Message-ID header) can drop a repeat.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The backend could not hand the message over; worth retrying."""


class SmsBackend(Protocol):
    """Sends one text message; returns the gateway's message id."""

    def send(self, *, to: str, text: str, key: str) -> str: ...


class ConsoleSmsBackend:
    """Writes each SMS to standard output (development)."""

    def send(self, *, to: str, text: str, key: str) -> str:
        sys.stdout.write(f"[SMS {key}] to {to}: {text}\n")
        return key


class FileSmsBackend:
    """Appends each SMS as one JSON line to YIWANG_SMS_FILE (the demo's 'phone')."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str, key: str) -> str:
        path = Path(settings.YIWANG_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"key": key, "to": to, "text": text, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        with self._lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return key


class LocmemSmsBackend:
    """Keeps sent messages in memory (tests read `LocmemSmsBackend.outbox`)."""

    outbox: list[dict[str, str]] = []  # shared on purpose, like Django's locmem

    def send(self, *, to: str, text: str, key: str) -> str:
        self.outbox.append({"to": to, "text": text, "key": key})
        return key


def sms_backend() -> SmsBackend:
    """The configured SMS backend."""
    backend: SmsBackend = import_string(settings.YIWANG_SMS_BACKEND)()
    return backend


def send_email(*, to: str, subject: str, body: str, key: str) -> str:
    """Send through Django's EMAIL_BACKEND (console, file, SMTP…); returns the key."""
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"X-Yiwang-Notification": key},
    )
    sent = message.send(fail_silently=False)
    if sent != 1:
        raise DeliveryError("the mail backend accepted no message")
    return key
