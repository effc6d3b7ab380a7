"""Reads of the notifications app: my notifications, a workspace's templates, sender and
message log, colleagues' preferences. Scoped to the reader and fail-closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from klient.core.models import Role, User
from klient.core.selectors import scoped
from klient.notifications.kinds import Channel, NotificationKind, Overrides, notification_kinds
from klient.notifications.models import (
    MessageLog,
    Notification,
    NotificationPreference,
    NotificationTemplate,
    WorkspaceMessaging,
)


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        rows = rows.filter(is_read=False)
    return rows.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, is_read=False).count()


def template_overrides(*, workspace_id: int | None, channel: str | None = None) -> Overrides:
    """The workspace's template overrides, in one query, for wording many messages."""
    if workspace_id is None:
        return {}
    rows = NotificationTemplate.objects.filter(workspace_id=workspace_id)
    if channel is not None:
        rows = rows.filter(channel=channel)
    return {
        (kind, row_channel, language): (subject, body)
        for kind, row_channel, language, subject, body in rows.values_list(
            "kind", "channel", "language", "subject", "body"
        )
    }


def notifications_worded(*, user: User, rows: Sequence[Notification]) -> Sequence[Notification]:
    """Attach the workspace's in-app overrides to a page of notifications (one query)."""
    if rows:
        overrides = template_overrides(workspace_id=user.workspace_id, channel=Channel.IN_APP)
        for row in rows:
            row.overrides = overrides
    return rows


def messaging_get(*, workspace_id: int) -> WorkspaceMessaging:
    """The workspace's sender settings (unsaved defaults when never set)."""
    found = WorkspaceMessaging.objects.filter(workspace_id=workspace_id).first()
    return found or WorkspaceMessaging(workspace_id=workspace_id)


USER_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class PreferenceRow:
    kind: NotificationKind
    # Per column of USER_CHANNELS: (channel, label, enabled), enabled None when the
    # kind is not sent on that channel.
    channels: list[tuple[str, str, bool | None]]


def preference_columns() -> list[tuple[str, str]]:
    labels = dict(Channel.choices)
    return [(channel, str(labels[channel])) for channel in USER_CHANNELS]


def preferences_for(*, user: User) -> list[PreferenceRow]:
    """Every kind a colleague may get, with each channel on or off for them."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(
            user_id=user.pk
        ).values_list("kind", "channel", "enabled")
    }
    rows = []
    for kind in notification_kinds:
        if not kind.user_channels:
            continue
        channels: list[tuple[str, str, bool | None]] = [
            (
                channel,
                label,
                chosen.get((kind.key, channel), channel in kind.user_channels)
                if channel in kind.templates
                else None,
            )
            for channel, label in preference_columns()
        ]
        rows.append(PreferenceRow(kind=kind, channels=channels))
    return rows


def message_log_list(
    *, user: User, status: str | None = None, person_id: int | None = None
) -> QuerySet[MessageLog]:
    """The workspace's message log, newest first; administrators only."""
    if user.role != Role.ADMIN:
        return MessageLog.objects.none()
    rows = scoped(MessageLog, user=user).defer("body_text", "body_html")
    if status:
        rows = rows.filter(status=status)
    if person_id is not None:
        rows = rows.filter(recipient_person_id=person_id)
    return rows.select_related("recipient_user", "recipient_person").order_by("-created_at", "-id")


def message_status_counts(*, user: User) -> dict[str, int]:
    """How many of the workspace's messages wait (queued, held) or failed; administrators
    only. Sent and skipped ones are not counted: the log grows without bound."""
    if user.role != Role.ADMIN:
        return {}
    waiting = [MessageLog.Status.QUEUED, MessageLog.Status.HELD, MessageLog.Status.FAILED]
    rows = (
        scoped(MessageLog, user=user)
        .filter(status__in=waiting)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {status: count for status, count in rows}
