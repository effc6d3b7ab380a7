"""Writes to the timeline: interactions, comments with @mentions, tasks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.access import assignee_check, mention_recipients, references_check
from klient.activities.events import comment_mentioned, interaction_created, task_assigned
from klient.activities.models import Comment, Interaction, Task
from klient.activities.selectors import interaction_list
from klient.contacts.models import Organization, Person
from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import Role, User
from klient.core.services import (
    actor_workspace_id,
    audit_record,
    model_apply_changes,
    require_write,
)

MENTION = re.compile(r"(?<![\w@.])@([\w.\-]+)", re.UNICODE)
INTERACTION_FIELDS = (
    "kind",
    "direction",
    "channel",
    "occurred_at",
    "duration_seconds",
    "subject",
    "body",
)
TASK_FIELDS = ("title", "description", "assignee_id", "due_at")


def _check_subject(actor: User, person: Person | None, organization: Organization | None) -> None:
    if person is None and organization is None:
        raise ValidationFailed(
            _("Link the record to a person or an organization."),
            fields={"person_id": _("This field is required.")},
        )
    for record in (person, organization):
        if record is not None and record.workspace_id != actor_workspace_id(actor):
            raise ValidationFailed(fields={"person_id": _("Unknown record.")})


def _check_choices(data: Mapping[str, Any]) -> None:
    if "kind" in data and data["kind"] not in Interaction.Kind.values:
        raise ValidationFailed(
            fields={"kind": _("Unknown value “%(value)s”.") % {"value": data["kind"]}}
        )
    if "direction" in data and data["direction"] not in Interaction.Direction.values:
        raise ValidationFailed(
            fields={"direction": _("Unknown value “%(value)s”.") % {"value": data["direction"]}}
        )
    duration = data.get("duration_seconds")
    if duration is not None and duration < 0:
        raise ValidationFailed(fields={"duration_seconds": _("Must be zero or more.")})


@transaction.atomic
def interaction_create(
    *,
    actor: User,
    kind: str,
    person: Person | None = None,
    organization: Organization | None = None,
    occurred_at: datetime | None = None,
    direction: str = Interaction.Direction.INTERNAL,
    channel: str = "",
    duration_seconds: int | None = None,
    subject: str = "",
    body: str = "",
    idempotency_key: str | None = None,
) -> Interaction:
    """Log an interaction. With an idempotency key a repeated call returns the first one."""
    require_write(actor)
    _check_choices({"kind": kind, "direction": direction, "duration_seconds": duration_seconds})
    _check_subject(actor, person, organization)
    references_check(actor=actor, person=person, organization=organization)
    if idempotency_key:
        existing = Interaction.objects.filter(
            workspace_id=actor_workspace_id(actor), idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if organization is None and person is not None:
        primary = (
            person.affiliations.filter(is_primary=True)
            .values_list("organization_id", flat=True)
            .first()
        )
        organization_id = primary
    else:
        organization_id = organization.pk if organization else None
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                workspace_id=actor_workspace_id(actor),
                kind=kind,
                direction=direction,
                channel=channel,
                occurred_at=occurred_at or timezone.now(),
                duration_seconds=duration_seconds,
                author=actor,
                team_id=(person or organization).team_id,  # type: ignore[union-attr]
                subject=subject[:300],
                body=body,
                person=person,
                organization_id=organization_id,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        # A concurrent call with the same key won the race: return its row.
        return Interaction.objects.get(
            workspace_id=actor_workspace_id(actor), idempotency_key=idempotency_key
        )
    audit_record(
        workspace=actor_workspace_id(actor) or 0,
        actor=actor,
        action="interaction.create",
        instance=interaction,
        changes={"kind": (None, kind), "subject": (None, subject)},
    )
    interaction_created.send_on_commit(
        workspace_id=interaction.workspace_id,
        interaction_id=interaction.pk,
        kind=interaction.kind,
        person_id=interaction.person_id,
        organization_id=interaction.organization_id,
        author_id=actor.pk,
    )
    return interaction


def _require_author_or_lead(actor: User, author_id: int | None) -> None:
    if actor.role in (Role.ADMIN, Role.MANAGER) or author_id == actor.pk:
        return
    raise PermissionDenied(_("Only the author or a manager can change this."))


@transaction.atomic
def interaction_update(
    *, actor: User, interaction: Interaction, data: Mapping[str, Any]
) -> Interaction:
    require_write(actor)
    _require_author_or_lead(actor, interaction.author_id)
    unknown = set(data) - set(INTERACTION_FIELDS)
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in unknown})
    _check_choices(data)
    changes = model_apply_changes(instance=interaction, data=data, fields=INTERACTION_FIELDS)
    if changes:
        interaction.save()
        audit_record(
            workspace=interaction.workspace_id,
            actor=actor,
            action="interaction.update",
            instance=interaction,
            changes=changes,
        )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User, interaction: Interaction) -> None:
    require_write(actor)
    _require_author_or_lead(actor, interaction.author_id)
    audit_record(
        workspace=interaction.workspace_id,
        actor=actor,
        action="interaction.delete",
        instance=interaction,
        changes={"subject": (interaction.subject, None)},
    )
    interaction.delete()


def mentioned_users(*, actor: User, body: str) -> list[User]:
    """Active users of the actor's workspace named as @username in the text."""
    names = {match.group(1).rstrip(".").lower() for match in MENTION.finditer(body)}
    if not names:
        return []
    users = User.objects.filter(workspace_id=actor_workspace_id(actor), is_active=True)
    return [user for user in users.filter(username__in=names)] + [
        user for user in users.exclude(username__in=names) if user.username.lower() in names
    ]


@transaction.atomic
def comment_create(*, actor: User, interaction: Interaction, body: str) -> Comment:
    """Comment on an interaction; each @mentioned colleague gets an in-app notification."""
    require_write(actor)
    if not interaction_list(user=actor).filter(pk=interaction.pk).exists():
        raise NotFound(_("Interaction not found."))
    if not body.strip():
        raise ValidationFailed(fields={"body": _("This field is required.")})
    comment = Comment.objects.create(
        workspace_id=interaction.workspace_id, interaction=interaction, author=actor, body=body
    )
    mentioned = mention_recipients(
        mentioned=[user for user in mentioned_users(actor=actor, body=body) if user.pk != actor.pk],
        interaction=interaction,
    )
    if mentioned:
        comment.mentioned_users.set(mentioned)
        comment_mentioned.send_on_commit(
            workspace_id=comment.workspace_id,
            comment_id=comment.pk,
            interaction_id=interaction.pk,
            author_id=actor.pk,
            mentioned_user_ids=[user.pk for user in mentioned],
        )
    audit_record(
        workspace=interaction.workspace_id,
        actor=actor,
        action="comment.create",
        instance=comment,
        changes={"body": (None, body[:200])},
    )
    return comment


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    assignee: User | None = None,
    due_at: datetime | None = None,
    description: str = "",
    person: Person | None = None,
    organization: Organization | None = None,
    interaction: Interaction | None = None,
) -> Task:
    require_write(actor)
    if not title.strip():
        raise ValidationFailed(fields={"title": _("This field is required.")})
    references_check(actor=actor, person=person, organization=organization, interaction=interaction)
    if interaction is not None and person is None and organization is None:
        # A task about an interaction is about its client, and is seen by who sees them.
        person, organization = interaction.person, interaction.organization
    assignee = assignee or actor
    assignee_check(actor=actor, assignee=assignee, person=person, organization=organization)
    subject = person or organization
    task = Task.objects.create(
        workspace_id=actor_workspace_id(actor),
        title=title.strip()[:300],
        description=description,
        assignee=assignee,
        created_by=actor,
        due_at=due_at,
        person=person,
        organization=organization,
        interaction=interaction,
        team_id=subject.team_id if subject is not None else None,
    )
    audit_record(
        workspace=task.workspace_id,
        actor=actor,
        action="task.create",
        instance=task,
        changes={"title": (None, task.title), "assignee_id": (None, assignee.pk)},
    )
    task_assigned.send_on_commit(
        workspace_id=task.workspace_id,
        task_id=task.pk,
        assignee_id=assignee.pk,
        assigned_by_id=actor.pk,
    )
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, data: Mapping[str, Any]) -> Task:
    require_write(actor)
    unknown = set(data) - set(TASK_FIELDS) - {"status"}
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in unknown})
    if "title" in data and not str(data["title"]).strip():
        raise ValidationFailed(fields={"title": _("This field is required.")})
    if data.get("assignee_id"):
        assignee = User.objects.filter(pk=data["assignee_id"]).first()
        if assignee is None:
            raise ValidationFailed(fields={"assignee_id": _("Unknown user.")})
        assignee_check(
            actor=actor, assignee=assignee, person=task.person, organization=task.organization
        )
    changes = model_apply_changes(instance=task, data=data, fields=TASK_FIELDS)
    if "status" in data:
        changes.update(_task_status_apply(task, data["status"]))
    if changes:
        task.save()
        audit_record(
            workspace=task.workspace_id,
            actor=actor,
            action="task.update",
            instance=task,
            changes=changes,
        )
    if "assignee_id" in changes and task.assignee_id is not None:
        task_assigned.send_on_commit(
            workspace_id=task.workspace_id,
            task_id=task.pk,
            assignee_id=task.assignee_id,
            assigned_by_id=actor.pk,
        )
    return task


def _task_status_apply(task: Task, status: str) -> dict[str, tuple[Any, Any]]:
    if status not in Task.Status.values:
        raise ValidationFailed(
            fields={"status": _("Unknown value “%(value)s”.") % {"value": status}}
        )
    if task.status == status:
        return {}
    before = task.status
    task.status = status
    task.completed_at = timezone.now() if status == Task.Status.DONE else None
    return {"status": (before, status)}


def task_complete(*, actor: User, task: Task) -> Task:
    return task_update(actor=actor, task=task, data={"status": Task.Status.DONE})


def activities_reassign_person(*, from_person_id: int, to_person_id: int) -> dict[str, int]:
    """Move a merged person's timeline and tasks to the surviving record."""
    return {
        "interactions": Interaction.objects.filter(person_id=from_person_id).update(
            person_id=to_person_id
        ),
        "tasks": Task.objects.filter(person_id=from_person_id).update(person_id=to_person_id),
    }


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> None:
    """Delete a task: its creator, its assignee, or a manager/admin."""
    require_write(actor)
    if actor.pk != task.assignee_id:
        _require_author_or_lead(actor, task.created_by_id)
    audit_record(
        workspace=task.workspace_id,
        actor=actor,
        action="task.delete",
        instance=task,
        changes={"title": (task.title, None)},
    )
    task.delete()
