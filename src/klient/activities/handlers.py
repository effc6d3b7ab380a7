"""What the timeline does when other apps' events (and its own) happen.

Connected in ActivitiesConfig.ready(). Durable handlers are thin, take the payload's
ids and are idempotent: the outbox may run one twice.
"""

from __future__ import annotations

from klient.activities.events import (
    CommentMentioned,
    TaskAssigned,
    comment_mentioned,
    task_assigned,
)
from klient.activities.models import Comment, Task
from klient.activities.notification_kinds import (
    MENTIONED,
    TASK_ASSIGNED,
)
from klient.activities.services import activities_reassign_person
from klient.contacts.events import PersonMerged, person_merged
from klient.core.models import User
from klient.core.services import notification_create


def handlers_connect() -> None:
    # In the merge's transaction: users never see the merged person's timeline half moved.
    person_merged.connect_in_transaction(person_merged_reassign)
    comment_mentioned.connect(comment_mentioned_notify)
    task_assigned.connect(task_assigned_notify)


def person_merged_reassign(payload: PersonMerged, *, event_id: str) -> dict[str, int]:
    return activities_reassign_person(
        from_person_id=payload.duplicate_id, to_person_id=payload.primary_id
    )


def comment_mentioned_notify(payload: CommentMentioned, *, event_id: str) -> int:
    """Notify each mentioned user once; re-running after a crash adds nothing."""
    comment = (
        Comment.objects.select_related("author", "interaction__person", "interaction__organization")
        .filter(pk=payload.comment_id)
        .first()
    )
    if comment is None:
        return 0
    created = 0
    interaction = comment.interaction
    subject = interaction.person or interaction.organization
    # Captured now, so the notification still reads right once the comment is gone.
    params = {
        "actor": comment.author.display_name if comment.author else "",
        "subject": str(subject) if subject else "",
        "excerpt": comment.body[:300],
    }
    url = (
        f"/people/{interaction.person_id}/"
        if interaction.person_id
        else f"/organizations/{interaction.organization_id}/"
    )
    recipients = User.objects.filter(
        pk__in=payload.mentioned_user_ids, workspace_id=payload.workspace_id, is_active=True
    )
    for user in recipients:
        if notification_create(
            recipient=user,
            kind=MENTIONED,
            params=params,
            url=url,
            dedupe_key=f"comment:{comment.pk}",
        ):
            created += 1
    return created


def task_assigned_notify(payload: TaskAssigned, *, event_id: str) -> bool:
    """Tell the assignee, unless they assigned it to themself; once per assignment."""
    if payload.assignee_id == payload.assigned_by_id:
        return False
    task = Task.objects.select_related("assignee", "created_by").filter(pk=payload.task_id).first()
    if task is None or task.assignee_id != payload.assignee_id or task.assignee is None:
        return False  # deleted or reassigned since: the new assignee has their own event
    by = User.objects.filter(pk=payload.assigned_by_id).first() if payload.assigned_by_id else None
    url = f"/people/{task.person_id}/" if task.person_id else "/tasks/"
    return (
        notification_create(
            recipient=task.assignee,
            kind=TASK_ASSIGNED,
            params={"actor": by.display_name if by else "", "title": task.title},
            url=url,
            dedupe_key=f"task:{task.pk}:{event_id}",
        )
        is not None
    )
