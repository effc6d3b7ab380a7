"""The guard against runaway sending: a per-workspace rate limit on email and SMS.

A message let through is `queued` (its `queued_at` is when) and handed to the delivery
job through the outbox; past `KLIENT_NOTIFY_RATE_PER_MINUTE` messages in the last
minute it is `held` instead: never dropped, released oldest first by a periodic job
each minute as the limit allows, or by an administrator at once; an administrator may
also cancel held messages. The workspace's `WorkspaceMessaging` row is locked while
counting, so two processes never both let the last message of the minute through.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record, require_admin
from klient.notifications.models import MessageLog, WorkspaceMessaging

WINDOW = timedelta(minutes=1)
RELEASE_BATCH = 1000


def rate_limit() -> int:
    return int(settings.KLIENT_NOTIFY_RATE_PER_MINUTE)


def _workspace_lock(workspace_id: int) -> None:
    WorkspaceMessaging.objects.get_or_create(workspace_id=workspace_id)
    WorkspaceMessaging.objects.select_for_update().filter(workspace_id=workspace_id).first()


def _sent_in_window(workspace_id: int) -> int:
    return MessageLog.objects.filter(
        workspace_id=workspace_id, queued_at__gte=timezone.now() - WINDOW
    ).count()


def _dispatch(message_ids: list[int], workspace_id: int) -> None:
    from klient.notifications.jobs import message_deliver

    now = timezone.now()
    MessageLog.objects.filter(pk__in=message_ids).update(
        status=MessageLog.Status.QUEUED, queued_at=now
    )
    for message_id in message_ids:
        message_deliver.enqueue_in(workspace_id, message_id=message_id)


def message_enqueue(message: MessageLog) -> None:
    """Queue a new email or SMS for delivery after commit, or hold it past the limit.
    Call inside the transaction that wrote the message."""
    _workspace_lock(message.workspace_id)
    waiting = MessageLog.objects.filter(
        workspace_id=message.workspace_id, status=MessageLog.Status.HELD
    ).exists()
    # Held messages go first: a new one joins the back of the line.
    if waiting or _sent_in_window(message.workspace_id) >= rate_limit():
        message.status = MessageLog.Status.HELD
        message.save(update_fields=["status"])
        return
    _dispatch([message.pk], message.workspace_id)
    message.refresh_from_db(fields=["status", "queued_at"])


@transaction.atomic
def held_release_due(*, workspace_id: int) -> int:
    """Release as many held messages, oldest first, as the limit allows now."""
    _workspace_lock(workspace_id)
    room = max(0, rate_limit() - _sent_in_window(workspace_id))
    ids = list(
        MessageLog.objects.filter(workspace_id=workspace_id, status=MessageLog.Status.HELD)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:room]
    )
    if ids:
        _dispatch(ids, workspace_id)
    return len(ids)


def held_workspaces() -> list[int]:
    return list(
        MessageLog.objects.filter(status=MessageLog.Status.HELD)
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )


def _held_ids(actor: User, message_ids: Iterable[int] | None) -> tuple[int, list[int]]:
    require_admin(actor)
    workspace_id = actor_workspace_id(actor)
    rows = MessageLog.objects.filter(workspace_id=workspace_id, status=MessageLog.Status.HELD)
    if message_ids is not None:
        rows = rows.filter(pk__in=list(message_ids))
    return workspace_id, list(rows.order_by("created_at", "pk").values_list("pk", flat=True))


@transaction.atomic
def held_release(*, actor: User, message_ids: Iterable[int] | None = None) -> int:
    """An administrator sends held messages now (all of them without ids), past the limit."""
    workspace_id, ids = _held_ids(actor, message_ids)
    for start in range(0, len(ids), RELEASE_BATCH):
        _dispatch(ids[start : start + RELEASE_BATCH], workspace_id)
    if ids:
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="messages.release",
            object_type="notifications.messagelog",
            object_id=ids[0],
            changes={"released": (0, len(ids))},
        )
    return len(ids)


@transaction.atomic
def held_cancel(*, actor: User, message_ids: Iterable[int] | None = None) -> int:
    """An administrator drops held messages (all of them without ids): never sent."""
    workspace_id, ids = _held_ids(actor, message_ids)
    cancelled = MessageLog.objects.filter(pk__in=ids, status=MessageLog.Status.HELD).update(
        status=MessageLog.Status.CANCELLED
    )
    if cancelled:
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="messages.cancel",
            object_type="notifications.messagelog",
            object_id=ids[0],
            changes={"cancelled": (0, cancelled)},
        )
    return cancelled
