"""Reads of notifications: each user sees only their own inbox."""

from __future__ import annotations

from typing import Any

from django.db import models

from yiwang.core.errors import NotFound
from yiwang.notifications.choices import Channel
from yiwang.notifications.models import Notification


def inbox_for(user: Any) -> models.QuerySet[Notification]:
    """The user's in-app messages, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP)


def unread_count(user: Any) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def get_message_for_user(user: Any, pk: int) -> Notification:
    """One inbox message of the user; 404 for anyone else's."""
    message = inbox_for(user).filter(pk=pk).first()
    if message is None:
        raise NotFound()
    return message
