"""Background jobs of the timeline: thin, take ids, idempotent."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from klient.activities.models import Comment, Task
from klient.core.jobs import job
from klient.core.services import notification_create


@job("klient.activities.comment_notify_mentions", retries=5, retry_delay=30)
def comment_notify_mentions(*, comment_id: int) -> int:
    """Notify each mentioned user once; re-running after a crash adds nothing."""
    comment = Comment.objects.select_related("author", "interaction").filter(pk=comment_id).first()
    if comment is None:
        return 0
    created = 0
    author = comment.author.display_name if comment.author else "—"
    interaction = comment.interaction
    url = (
        f"/people/{interaction.person_id}/"
        if interaction.person_id
        else f"/organizations/{interaction.organization_id}/"
    )
    for user in comment.mentioned_users.all():
        with override(user.language or None):
            text = _("%(author)s mentioned you: %(text)s") % {
                "author": author,
                "text": comment.body[:300],
            }
        if notification_create(
            recipient=user, kind="mention", text=text, url=url, dedupe_key=f"comment:{comment.pk}"
        ):
            created += 1
    return created


@job("klient.activities.task_notify_assignee", retries=5, retry_delay=30)
def task_notify_assignee(*, task_id: int) -> bool:
    task = Task.objects.select_related("assignee", "created_by").filter(pk=task_id).first()
    if task is None or task.assignee is None:
        return False
    by = task.created_by.display_name if task.created_by else "—"
    with override(task.assignee.language or None):
        text = _("%(author)s assigned you a task: %(title)s") % {"author": by, "title": task.title}
    url = f"/people/{task.person_id}/" if task.person_id else "/tasks/"
    return (
        notification_create(
            recipient=task.assignee, kind="task", text=text, url=url, dedupe_key=f"task:{task.pk}"
        )
        is not None
    )
