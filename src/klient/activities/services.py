"""Writes to the timeline: interactions, comments with @mentions, tasks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.access import (
    assignee_check,
    mention_recipients,
    owner_of,
    references_check,
)
from klient.activities.events import (
    comment_mentioned,
    interaction_created,
    task_assigned,
    task_reminder_due,
)
from klient.activities.kinds import interaction_kinds, kind_is_writable
from klient.activities.models import Comment, Interaction, Task
from klient.activities.selectors import interaction_list, owner_resolve
from klient.contacts.models import Organization, Person
from klient.core.capabilities import can, require
from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import User
from klient.core.registry import record_kind_for
from klient.core.services import (
    actor_workspace_id,
    audit_record,
    model_apply_changes,
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
TASK_FIELDS = ("title", "description", "assignee_id", "due_at", "remind_before_minutes")
MAX_REMIND_BEFORE_MINUTES = 30 * 24 * 60


def _check_subject(
    actor: User, owner: Model | None, person: Person | None, organization: Organization | None
) -> None:
    if owner is None and person is None and organization is None:
        raise ValidationFailed(
            _("Link the record to a person or an organization."),
            fields={"person_id": _("This field is required.")},
        )
    for record in (owner, person, organization):
        if record is not None and getattr(record, "workspace_id", None) != actor_workspace_id(
            actor
        ):
            raise ValidationFailed(fields={"person_id": _("Unknown record.")})


def _check_choices(data: Mapping[str, Any]) -> None:
    if "kind" in data and not kind_is_writable(data["kind"]):
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


def _rollup_organization_id(person: Person | None, organization: Organization | None) -> int | None:
    """The organization an entry rolls up to: the one named, else the person's primary
    organization at the time (the entry stays on it if they move on)."""
    if organization is not None:
        return organization.pk
    if person is None:
        return None
    return (
        person.affiliations.filter(is_primary=True)
        .values_list("organization_id", flat=True)
        .first()
    )


def _client_owner(
    owner: Model | None, person: Person | None, organization: Organization | None
) -> tuple[Model | None, Person | None, Organization | None]:
    """A client given as the owner is the entry's person (or organization): entries on
    clients leave `subject_kind` empty (ADR 0010), however the caller named them."""
    if isinstance(owner, Person):
        return None, owner, organization
    if isinstance(owner, Organization):
        return None, person, owner
    return owner, person, organization


def _owner_fields(owner: Model | None) -> dict[str, Any]:
    if owner is None:
        return {"subject_kind": "", "subject_id": None}
    return {"subject_kind": record_kind_for(owner).key, "subject_id": owner.pk}


def _interaction_insert(
    *,
    workspace_id: int,
    author: User | None,
    kind: str,
    owner: Model | None,
    person: Person | None,
    organization: Organization | None,
    idempotency_key: str | None,
    **fields: Any,
) -> tuple[Interaction, bool]:
    """Insert one interaction, or return the one its idempotency key already names
    (created: False), including after a concurrent call with the same key won the race."""
    if idempotency_key:
        existing = Interaction.objects.filter(
            workspace_id=workspace_id, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    team_source = owner or person or organization
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                workspace_id=workspace_id,
                kind=kind,
                author=author,
                team_id=getattr(team_source, "team_id", None),
                person=person,
                organization_id=_rollup_organization_id(person, organization),
                idempotency_key=idempotency_key or None,
                **_owner_fields(owner),
                **fields,
            )
    except IntegrityError:
        return Interaction.objects.get(
            workspace_id=workspace_id, idempotency_key=idempotency_key
        ), False
    interaction_created.send_on_commit(
        workspace_id=interaction.workspace_id,
        interaction_id=interaction.pk,
        kind=interaction.kind,
        subject_kind=interaction.subject_kind,
        subject_id=interaction.subject_id,
        person_id=interaction.person_id,
        organization_id=interaction.organization_id,
        author_id=author.pk if author is not None else None,
    )
    return interaction, True


@transaction.atomic
def interaction_create(
    *,
    actor: User,
    kind: str,
    owner: Model | None = None,
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
    """Log an interaction on a client, or on another record (`owner`, e.g. a deal) with the
    clients it involves as `person` and `organization`. With an idempotency key a
    repeated call returns the first one."""
    require(actor, "activities.log")
    owner, person, organization = _client_owner(owner, person, organization)
    _check_choices({"kind": kind, "direction": direction, "duration_seconds": duration_seconds})
    _check_subject(actor, owner, person, organization)
    references_check(actor=actor, owner=owner, person=person, organization=organization)
    interaction, created = _interaction_insert(
        workspace_id=actor_workspace_id(actor),
        author=actor,
        kind=kind,
        owner=owner,
        person=person,
        organization=organization,
        idempotency_key=idempotency_key,
        direction=direction,
        channel=channel,
        occurred_at=occurred_at or timezone.now(),
        duration_seconds=duration_seconds,
        subject=subject[:300],
        body=body,
    )
    if created:
        audit_record(
            workspace=interaction.workspace_id,
            actor=actor,
            action="interaction.create",
            instance=interaction,
            changes={"kind": (None, kind), "subject": (None, subject)},
        )
    return interaction


@transaction.atomic
def system_event_record(
    *,
    owner: Model,
    kind: str,
    subject: str,
    body: str = "",
    person: Person | None = None,
    organization: Organization | None = None,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Interaction:
    """Record what a service did on a record, with no human author ("request resolved",
    "quote sent"): shown on the owner's timeline and on the clients it rolls up to. The
    kind must be registered as a system kind by the app recording it. Pass an idempotency
    key built from the occurrence (e.g. `deal:7:stage:3:2026-12-02T10:00`) when the
    caller may run twice, as an outbox handler may."""
    if kind not in interaction_kinds or not interaction_kinds.get(kind).system:
        raise ValidationFailed(fields={"kind": _("Unknown value “%(value)s”.") % {"value": kind}})
    workspace_id = getattr(owner, "workspace_id", None)
    owner_or_client, person, organization = _client_owner(owner, person, organization)
    if workspace_id is None:
        raise ValidationFailed(fields={"subject_id": _("Unknown record.")})
    for record in (person, organization):
        if record is not None and record.workspace_id != workspace_id:
            raise ValidationFailed(fields={"person_id": _("Unknown record.")})
    interaction, _created = _interaction_insert(
        workspace_id=workspace_id,
        author=None,
        kind=kind,
        owner=owner_or_client,
        person=person,
        organization=organization,
        idempotency_key=idempotency_key,
        direction=Interaction.Direction.INTERNAL,
        occurred_at=occurred_at or timezone.now(),
        subject=subject[:300],
        body=body,
    )
    return interaction


def _require_author_or_lead(actor: User, author_id: int | None) -> None:
    if author_id == actor.pk or can(actor, "activities.edit_any"):
        return
    raise PermissionDenied(_("Only the author or a manager can change this."))


@transaction.atomic
def interaction_update(
    *, actor: User, interaction: Interaction, data: Mapping[str, Any]
) -> Interaction:
    require(actor, "activities.log")
    _require_author_or_lead(actor, interaction.author_id)
    if not kind_is_writable(interaction.kind):
        raise PermissionDenied(_("This entry was recorded by the system and cannot be edited."))
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
    require(actor, "activities.log")
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
    require(actor, "activities.log")
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


def _reminder_fields(due_at: datetime | None, remind_before_minutes: int | None) -> dict[str, Any]:
    """When the reminder goes: the offset before the due time; none without a due time."""
    if remind_before_minutes is not None and remind_before_minutes < 0:
        raise ValidationFailed(fields={"remind_before_minutes": _("Must be zero or more.")})
    if remind_before_minutes is not None and remind_before_minutes > MAX_REMIND_BEFORE_MINUTES:
        raise ValidationFailed(
            fields={"remind_before_minutes": _("At most 30 days before the due time.")}
        )
    if due_at is None or remind_before_minutes is None:
        return {"remind_before_minutes": remind_before_minutes, "remind_at": None}
    return {
        "remind_before_minutes": remind_before_minutes,
        "remind_at": due_at - timedelta(minutes=remind_before_minutes),
    }


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    assignee: User | None = None,
    due_at: datetime | None = None,
    description: str = "",
    owner: Model | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    interaction: Interaction | None = None,
    remind_before_minutes: int | None = None,
) -> Task:
    """A task on a client, on another record (`owner`, e.g. a deal, with the clients it
    involves), on an interaction's record, or on nothing (a personal to-do)."""
    require(actor, "activities.log")
    if not title.strip():
        raise ValidationFailed(fields={"title": _("This field is required.")})
    owner, person, organization = _client_owner(owner, person, organization)
    if owner is not None or person is not None or organization is not None:
        _check_subject(actor, owner, person, organization)
    references_check(
        actor=actor, owner=owner, person=person, organization=organization, interaction=interaction
    )
    if interaction is not None and owner is None and person is None and organization is None:
        # A task about an interaction is about its record, and is seen by who sees it.
        person, organization = interaction.person, interaction.organization
        if interaction.subject_kind:
            owner = owner_resolve(
                user=actor, kind=interaction.subject_kind, record_id=interaction.subject_id or 0
            )
    assignee = assignee or actor
    owner_key = owner_of(owner=owner, person=person, organization=organization)
    assignee_check(actor=actor, assignee=assignee, owner=owner_key)
    team_source = owner or person or organization
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
        team_id=getattr(team_source, "team_id", None),
        **_owner_fields(owner),
        **_reminder_fields(due_at, remind_before_minutes),
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
    require(actor, "activities.log")
    unknown = set(data) - set(TASK_FIELDS) - {"status"}
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in unknown})
    if "title" in data and not str(data["title"]).strip():
        raise ValidationFailed(fields={"title": _("This field is required.")})
    if data.get("assignee_id"):
        assignee = User.objects.filter(pk=data["assignee_id"]).first()
        if assignee is None:
            raise ValidationFailed(fields={"assignee_id": _("Unknown user.")})
        assignee_check(actor=actor, assignee=assignee, owner=task.owner_ref)
    changes = model_apply_changes(instance=task, data=data, fields=TASK_FIELDS)
    if {"due_at", "remind_before_minutes"} & set(changes):
        # A new due time or offset is a new reminder: it goes once more, at its new time.
        for field, value in _reminder_fields(task.due_at, task.remind_before_minutes).items():
            setattr(task, field, value)
        task.reminded_at = None
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


def task_reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Mark the open tasks whose reminder time has come as reminded, each in its own
    transaction with a durable `task.reminder_due` event: the notification goes once,
    through the assignee's channels, even when two workers run this at the same time or
    one dies midway. Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Task.objects.filter(reminded_at__isnull=True, remind_at__isnull=False, remind_at__lte=now)
        .filter(status=Task.Status.OPEN, assignee__isnull=False)
        .order_by("remind_at")
        .values_list("pk", "workspace_id", "assignee_id", "remind_at")[:limit]
    )
    sent = 0
    for task_id, workspace_id, assignee_id, remind_at in due:
        with transaction.atomic():
            claimed = Task.objects.filter(
                pk=task_id, reminded_at__isnull=True, remind_at=remind_at
            ).update(reminded_at=now)
            if not claimed:
                continue  # another worker sent it, or it changed since the read
            task_reminder_due.send_on_commit(
                workspace_id=workspace_id,
                task_id=task_id,
                assignee_id=assignee_id,
                remind_at=remind_at.isoformat() if remind_at else "",
            )
            sent += 1
    return sent


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


def owner_entries_delete(*, kind: str, record_id: int) -> dict[str, int]:
    """Remove the timeline and tasks a record owns, when the app owning the record deletes
    it: entries have no foreign key to a deal or a request, so nothing cascades by itself.
    Their copies on the clients' timelines are these same rows, and go with them."""
    owned = {"subject_kind": kind, "subject_id": record_id}
    tasks = Task.objects.filter(**owned).delete()[1].get(Task._meta.label, 0)
    interactions = Interaction.objects.filter(**owned).delete()[1]
    return {"interactions": interactions.get(Interaction._meta.label, 0), "tasks": tasks}


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
    require(actor, "activities.log")
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
