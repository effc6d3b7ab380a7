"""What the notifications app does when other apps' events happen: it subscribes, it is
never called. Connected in NotificationsConfig.ready(); each handler is durable (the
outbox), thin and idempotent: the dedupe key of every message is built from the
occurrence, so a re-run after a crash sends nothing twice.
"""

from __future__ import annotations

from klient.activities.events import (
    CommentMentioned,
    TaskAssigned,
    TaskReminderDue,
    comment_mentioned,
    task_assigned,
    task_reminder_due,
)
from klient.activities.models import Comment, Task
from klient.contacts.events import PersonMerged, person_merged
from klient.core.models import User
from klient.core.registry import RecordRef, records_describe
from klient.notifications.activity_kinds import MENTIONED, TASK_ASSIGNED, TASK_REMINDER
from klient.notifications.models import MessageLog
from klient.notifications.sending import notify


def handlers_connect() -> None:
    # In the merge's transaction, like the timeline: the survivor's log is whole at once.
    person_merged.connect_in_transaction(person_merged_messages)
    comment_mentioned.connect(comment_mentioned_notify)
    task_assigned.connect(task_assigned_notify)
    task_reminder_due.connect(task_reminder_notify)


def _owner_described(owner: tuple[str, int] | None) -> RecordRef | None:
    """The owning record's name and URL through the record describer, whatever its kind."""
    if owner is None:
        return None
    return records_describe([owner]).get(owner)


def _sent(logs: list[MessageLog]) -> int:
    return sum(1 for log in logs if log.status != MessageLog.Status.SKIPPED)


def person_merged_messages(payload: PersonMerged, *, event_id: str) -> dict[str, int]:
    """The duplicate's messages become the survivor's."""
    moved = MessageLog.objects.filter(recipient_person_id=payload.duplicate_id).update(
        recipient_person_id=payload.primary_id
    )
    return {"messages": moved}


def comment_mentioned_notify(payload: CommentMentioned, *, event_id: str) -> int:
    """Each mentioned colleague, once per comment, in the app and by email."""
    comment = (
        Comment.objects.select_related("author", "interaction__person", "interaction__organization")
        .filter(pk=payload.comment_id)
        .first()
    )
    if comment is None:
        return 0
    owner = _owner_described(comment.interaction.owner_ref)
    recipients = list(
        User.objects.filter(
            pk__in=payload.mentioned_user_ids, workspace_id=payload.workspace_id, is_active=True
        )
    )
    # Captured now, so the notification still reads right once the comment is gone.
    context = {
        "actor": comment.author.display_name if comment.author else "",
        "record.name": owner.name if owner else "",
        "comment.excerpt": comment.body[:300],
    }
    logs = notify(
        kind=MENTIONED,
        workspace_id=payload.workspace_id,
        context=context,
        users=recipients,
        record=("activities.interaction", comment.interaction_id),
        occurrence=f"comment:{comment.pk}",
        url=owner.url if owner else "",
    )
    return _sent(logs)


def task_assigned_notify(payload: TaskAssigned, *, event_id: str) -> int:
    """The assignee, unless they assigned it to themself; once per assignment."""
    if payload.assignee_id == payload.assigned_by_id:
        return 0
    task = Task.objects.select_related("assignee").filter(pk=payload.task_id).first()
    if task is None or task.assignee_id != payload.assignee_id or task.assignee is None:
        return 0  # deleted or reassigned since: the new assignee has their own event
    by = User.objects.filter(pk=payload.assigned_by_id).first() if payload.assigned_by_id else None
    owner = _owner_described(task.owner_ref)
    logs = notify(
        kind=TASK_ASSIGNED,
        workspace_id=payload.workspace_id,
        context={"actor": by.display_name if by else "", "task.title": task.title},
        users=[task.assignee],
        record=("activities.task", task.pk),
        occurrence=f"assigned:{event_id}",
        url=owner.url if owner else "/tasks/",
    )
    return _sent(logs)


def task_reminder_notify(payload: TaskReminderDue, *, event_id: str) -> int:
    """The reminder, once per (task, reminder time), to the assignee it was claimed for;
    a task done, reassigned or rescheduled since sends nothing."""
    task = Task.objects.select_related("assignee").filter(pk=payload.task_id).first()
    if (
        task is None
        or task.assignee is None
        or task.assignee_id != payload.assignee_id
        or task.status != Task.Status.OPEN
        or task.due_at is None
        or task.remind_at is None
        or task.remind_at.isoformat() != payload.remind_at
    ):
        return 0
    owner = _owner_described(task.owner_ref)
    logs = notify(
        kind=TASK_REMINDER,
        workspace_id=payload.workspace_id,
        context={"task.title": task.title, "task.due": task.due_at.isoformat()},
        users=[task.assignee],
        record=("activities.task", task.pk),
        occurrence=f"reminder:{payload.remind_at}",
        url=owner.url if owner else "/tasks/",
    )
    return _sent(logs)
