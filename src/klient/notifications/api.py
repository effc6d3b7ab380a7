"""REST endpoints of the notifications app: my notifications and what I choose to get;
for administrators, the workspace's message log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, InSchema, Limit, api_user
from klient.core.errors import PermissionDenied
from klient.core.models import Role
from klient.core.pagination import paginate_id_desc
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageLog
from klient.notifications.selectors import (
    message_log_list,
    notification_list,
    notifications_worded,
    preferences_for,
)
from klient.notifications.services import notification_mark_read, preference_set

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    message: str = Field(description="Worded in the language of this request.")
    text: str = Field(
        description="As worded when created, in the recipient's language then; "
        "kept for older clients: show `message`."
    )
    url: str
    is_read: bool
    created_at: datetime


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationReadIn(InSchema):
    ids: list[Id] | None = Field(
        None, max_length=1000, description="Notifications to mark read; omit for all."
    )


class NotificationReadOut(Schema):
    updated: int


@router.get("/notifications", response={200: NotificationPageOut, ERROR_CODES: ErrorOut})
def notification_index(
    request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: Limit = 50
) -> Any:
    user = api_user(request)
    page = paginate_id_desc(
        notification_list(user=user, unread_only=unread), cursor=cursor, limit=limit
    )
    notifications_worded(user=user, rows=page.items)
    return page


@router.post("/notifications/read", response={200: NotificationReadOut, ERROR_CODES: ErrorOut})
def notification_read(request: HttpRequest, payload: NotificationReadIn) -> dict[str, int]:
    updated = notification_mark_read(user=api_user(request), notification_ids=payload.ids)
    return {"updated": updated}


class PreferenceChannelOut(Schema):
    channel: str
    enabled: bool


class PreferenceOut(Schema):
    kind: str
    label: str
    channels: list[PreferenceChannelOut]


class PreferenceIn(InSchema):
    kind: str = Field(..., max_length=32)
    channel: Channel = Field(description="`in_app` or `email`.")
    enabled: bool


def _preferences(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": row.kind.key,
            "label": str(row.kind.label),
            "channels": [
                {"channel": channel, "enabled": enabled}
                for channel, _label, enabled in row.channels
                if enabled is not None
            ],
        }
        for row in preferences_for(user=user)
    ]


@router.get(
    "/notifications/preferences", response={200: list[PreferenceOut], ERROR_CODES: ErrorOut}
)
def preference_index(request: HttpRequest) -> list[dict[str, Any]]:
    """Each kind of notification a colleague may get, and on which channels it reaches me."""
    return _preferences(api_user(request))


@router.post(
    "/notifications/preferences", response={200: list[PreferenceOut], ERROR_CODES: ErrorOut}
)
def preference_update(request: HttpRequest, payload: PreferenceIn) -> list[dict[str, Any]]:
    user = api_user(request)
    preference_set(user=user, kind=payload.kind, channel=payload.channel, enabled=payload.enabled)
    return _preferences(user)


class MessageOut(Schema):
    id: int
    kind: str
    channel: str
    status: str
    skip_reason: str
    recipient_user_id: int | None
    recipient_person_id: int | None
    address: str
    subject: str
    provider_id: str
    record_kind: str
    record_id: int | None
    occurrence: str
    error: str
    created_at: datetime
    sent_at: datetime | None


class MessagePageOut(Schema):
    items: list[MessageOut]
    next_cursor: str | None


@router.get("/messages", response={200: MessagePageOut, ERROR_CODES: ErrorOut})
def message_index(
    request: HttpRequest,
    status: MessageLog.Status | None = None,
    person_id: Id | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """The workspace's message log, newest first (administrators; others get none)."""
    user = api_user(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators can read the message log."))
    rows = message_log_list(user=user, status=status, person_id=person_id)
    return paginate_id_desc(rows, cursor=cursor, limit=limit)
