"""What the timeline holds about a person, for the personal-data export and erasure
(docs/personal-data.md).

Exported: every interaction and task rolled up to the person (their own, and those of
records they are involved in, e.g. a deal's), with the comments on those interactions.

Erased: the person's own entries (on the person, `subject_kind` empty) keep what the
company counts -- kind, direction, channel, time, duration, author, assignee, status
-- and lose their words: an interaction's subject and text, a task's title ("—") and
description; their comments are deleted, and open tasks cancelled (no one is to call an
erased client back, and no reminder goes out). Entries another record owns (a deal's
stage move) are that record's history: they stay, and now name the pseudonymised client.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from klient.activities.kinds import interaction_kind_label
from klient.activities.models import Comment, Interaction, Task
from klient.core.audit_personal import PersonalAuditKind, Subject, personal_audit_kinds
from klient.core.personal_data import audit_personal_values_erase_records
from klient.core.registry import PersonalDataSection

PERSON = "contacts.person"
ERASED_TITLE = "—"

# Changed fields of timeline audit events that are not personal: kinds, times, people.
INTERACTION_CLEAR_FIELDS = frozenset(
    {"kind", "direction", "channel", "occurred_at", "duration_seconds"}
)
TASK_CLEAR_FIELDS = frozenset(
    {"assignee_id", "due_at", "remind_before_minutes", "status", "completed_at"}
)


def _name(user: Any) -> str | None:
    return user.display_name if user is not None else None


def _owner(entry: Interaction | Task) -> str:
    return f"{entry.subject_kind}:{entry.subject_id}" if entry.subject_kind else ""


def timeline_export(subject: str, record_id: int) -> PersonalDataSection | None:
    """The person's interactions (with their comments) and tasks, oldest first."""
    if subject != PERSON:
        return None
    interactions = list(
        Interaction.objects.filter(person_id=record_id)
        .select_related("author", "organization")
        .order_by("occurred_at", "pk")
    )
    comments: dict[int, list[dict[str, Any]]] = {}
    for comment in (
        Comment.objects.filter(interaction__person_id=record_id)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        comments.setdefault(comment.interaction_id, []).append(
            {
                "id": comment.pk,
                "author": _name(comment.author),
                "body": comment.body,
                "created_at": comment.created_at,
            }
        )
    rows: list[dict[str, Any]] = [
        {
            "record": "interaction",
            "id": entry.pk,
            "kind": entry.kind,
            "kind_label": interaction_kind_label(entry.kind),
            "direction": entry.direction,
            "channel": entry.channel,
            "occurred_at": entry.occurred_at,
            "duration_seconds": entry.duration_seconds,
            "subject": entry.subject,
            "body": entry.body,
            "author": _name(entry.author),
            "organization": entry.organization.name if entry.organization else None,
            "owner": _owner(entry),
            "comments": comments.get(entry.pk, []),
        }
        for entry in interactions
    ]
    for task in (
        Task.objects.filter(person_id=record_id)
        .select_related("assignee", "created_by")
        .order_by("created_at", "pk")
    ):
        rows.append(
            {
                "record": "task",
                "id": task.pk,
                "title": task.title,
                "description": task.description,
                "status": task.status,
                "due_at": task.due_at,
                "completed_at": task.completed_at,
                "assignee": _name(task.assignee),
                "created_by": _name(task.created_by),
                "created_at": task.created_at,
                "owner": _owner(task),
            }
        )
    return PersonalDataSection(label=gettext_lazy("Interactions and tasks"), rows=rows)


def timeline_erase(subject: str, record_id: int) -> None:
    """Take the words out of the person's own entries (see the module's doc)."""
    if subject != PERSON:
        return
    own = Q(person_id=record_id, subject_kind="")
    interactions = list(Interaction.objects.filter(own).values_list("pk", "workspace_id"))
    tasks = list(Task.objects.filter(own).values_list("pk", "workspace_id"))
    interaction_ids = [pk for pk, _ws in interactions]
    comment_ids = list(
        Comment.objects.filter(interaction_id__in=interaction_ids).values_list("pk", flat=True)
    )
    Comment.objects.filter(pk__in=comment_ids).delete()
    Interaction.objects.filter(pk__in=interaction_ids).update(subject="", body="")
    Task.objects.filter(own).update(title=ERASED_TITLE, description="")
    Task.objects.filter(own, status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, remind_at=None
    )
    # Audit values written while an entry was on someone else go too: the entry is
    # this person's now.
    workspace_id = (interactions or tasks or [(0, 0)])[0][1]
    for object_type, ids in (
        ("activities.interaction", interaction_ids),
        ("activities.task", [pk for pk, _ws in tasks]),
        ("activities.comment", comment_ids),
    ):
        if ids:
            audit_personal_values_erase_records(
                workspace_id=workspace_id, object_type=object_type, object_ids=ids
            )


def _entry_subjects(
    model: type[Interaction] | type[Task],
) -> Callable[[Sequence[int]], dict[int, Subject | None]]:
    """An entry's audit values are its person's when the entry is on the person."""

    def subjects(ids: Sequence[int]) -> dict[int, Subject | None]:
        rows = model.objects.filter(pk__in=list(ids)).values_list("pk", "person_id", "subject_kind")
        return {
            pk: (PERSON, person_id) if person_id is not None and not kind else None
            for pk, person_id, kind in rows
        }

    return subjects


def _comment_subjects(ids: Sequence[int]) -> dict[int, Subject | None]:
    rows = Comment.objects.filter(pk__in=list(ids)).values_list(
        "pk", "interaction__person_id", "interaction__subject_kind"
    )
    return {
        pk: (PERSON, person_id) if person_id is not None and not kind else None
        for pk, person_id, kind in rows
    }


def personal_audit_kinds_register() -> None:
    for kind in (
        PersonalAuditKind(
            key="activities.interaction",
            subjects=_entry_subjects(Interaction),
            clear_fields=INTERACTION_CLEAR_FIELDS,
        ),
        PersonalAuditKind(
            key="activities.task", subjects=_entry_subjects(Task), clear_fields=TASK_CLEAR_FIELDS
        ),
        PersonalAuditKind(key="activities.comment", subjects=_comment_subjects),
    ):
        personal_audit_kinds.register(kind)
