"""JSON API of notifications: the caller's inbox and preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.notifications import actions, queries
from yiwang.notifications.models import Notification

router = Router(tags=["notifications"])


class MessageOut(Schema):
    id: int
    template_code: str
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int


class PreferenceIn(Schema):
    language: str
    sms_enabled: bool = True
    email: str = ""
    email_enabled: bool = True


class PreferenceOut(Schema):
    language: str
    sms_enabled: bool
    email: str
    email_enabled: bool


@router.get("/inbox", response=list[MessageOut], operation_id="list_inbox")
@paginate(LimitOffsetPagination)
def list_inbox(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    """The caller's in-app messages, newest first (`unread=true` for unread only)."""
    messages = queries.inbox_for(request.user)
    return messages.filter(read_at__isnull=True) if unread else messages


@router.get("/inbox/unread-count", response=UnreadOut, operation_id="inbox_unread_count")
def unread_count(request: HttpRequest) -> dict[str, int]:
    """How many unread messages the caller has."""
    return {"unread": queries.unread_count(request.user)}


@router.post(
    "/inbox/{message_id}/read",
    response={200: MessageOut, 404: ErrorOut},
    operation_id="mark_message_read",
)
def mark_read(request: HttpRequest, message_id: int) -> Any:
    """Mark one of the caller's messages read."""
    message = queries.get_message_for_user(request.user, message_id)
    return actions.mark_read(actor=request.user, notification=message)


@router.get("/preferences", response=PreferenceOut, operation_id="get_notification_preferences")
def get_preferences(request: HttpRequest) -> Any:
    """The caller's message language and channels."""
    return actions.preference_for(request.user)  # type: ignore[arg-type]


@router.put(
    "/preferences",
    response={200: PreferenceOut, 400: ErrorOut},
    operation_id="set_notification_preferences",
)
def set_preferences(request: HttpRequest, payload: PreferenceIn) -> Any:
    """Choose the message language (zh-hans or en) and channels."""
    return actions.set_preferences(
        actor=request.user,
        language=payload.language,
        sms_enabled=payload.sms_enabled,
        email=payload.email,
        email_enabled=payload.email_enabled,
    )
