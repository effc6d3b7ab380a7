"""Domain events of the timeline and tasks (catalogue: docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from klient.core.events import Event


@dataclass(frozen=True, kw_only=True)
class InteractionCreated:
    workspace_id: int
    interaction_id: int
    kind: str
    person_id: int | None
    organization_id: int | None
    author_id: int | None
    # The owning record when it is not a client (ADR 0010); defaults read older payloads.
    subject_kind: str = ""
    subject_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class TaskAssigned:
    workspace_id: int
    task_id: int
    assignee_id: int
    assigned_by_id: int | None


@dataclass(frozen=True, kw_only=True)
class TaskReminderDue:
    workspace_id: int
    task_id: int
    assignee_id: int
    remind_at: str  # ISO 8601: which reminder of the task this is, for dedupe


@dataclass(frozen=True, kw_only=True)
class CommentMentioned:
    workspace_id: int
    comment_id: int
    interaction_id: int
    author_id: int | None
    mentioned_user_ids: list[int]


interaction_created = Event("interaction.created", InteractionCreated)
# A task got an assignee: on creation (even the creator themself) and on reassignment.
task_assigned = Event("task.assigned", TaskAssigned)
comment_mentioned = Event("comment.mentioned", CommentMentioned)
# A task's reminder time came: sent once per (task, reminder time).
task_reminder_due = Event("task.reminder_due", TaskReminderDue)
