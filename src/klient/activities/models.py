"""The timeline: interactions on every channel, comments with @mentions, and to-do tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import interaction_kind_icon, interaction_kind_label
from klient.contacts.models import Organization, Person
from klient.core.models import Team, Workspace


class OwnedEntry(models.Model):
    """What an interaction and a task share: the one record that owns the entry, and the
    clients it rolls up to (ADR 0010).

    An entry on a client leaves `subject_kind` empty: its owner is its person, or, when
    it names none, its organization. An entry owned by another app's record (a deal, a
    request) names that record's kind and id, and carries the people and organization
    involved in `person` and `organization`, so it shows on their timelines too -- but
    only to who may see the owning record (`selectors.entry_visibility_q`).
    """

    # db_default: bulk loaders that insert rows without naming this column stay valid.
    subject_kind = models.CharField(max_length=40, blank=True, default="", db_default="")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def owner_ref(self) -> tuple[str, int] | None:
        """(record kind, id) of the owning record, whatever its kind; None for a to-do on
        no record."""
        if self.subject_kind:
            assert self.subject_id is not None
            return self.subject_kind, self.subject_id
        person_id: int | None = getattr(self, "person_id", None)
        if person_id is not None:
            return "contacts.person", person_id
        organization_id: int | None = getattr(self, "organization_id", None)
        if organization_id is not None:
            return "contacts.organization", organization_id
        return None


def _owner_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=(models.Q(subject_kind="") & models.Q(subject_id__isnull=True))
            | (~models.Q(subject_kind="") & models.Q(subject_id__isnull=False)),
            name=f"{prefix}_subject_kind_with_id",
        ),
    ]


def _owner_index(prefix: str) -> models.Index:
    # Partial: entries on a client (nearly all of them) cost no insert into this index.
    return models.Index(
        fields=["subject_kind", "subject_id"],
        condition=models.Q(subject_id__isnull=False),
        name=f"{prefix}_owner_idx",
    )


class Interaction(OwnedEntry):
    class Kind:
        """The timeline's own kinds; labels, icons and the kinds other apps add live in
        the registry (`kinds.interaction_kinds`), so the column has no fixed choices."""

        CALL = "call"
        EMAIL = "email"
        MEETING = "meeting"
        CHAT = "chat"
        SMS = "sms"
        NOTE = "note"
        PORTAL = "portal"
        SURVEY_ANSWER = "survey_answer"

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")
        INTERNAL = "internal", _("Internal")

    # No single-column index on workspace, person or organization: the composite
    # indexes below start with each of them and serve the same lookups. Three fewer
    # indexes on the largest table make an insert ~25% cheaper.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    kind = models.CharField(_("kind"), max_length=40)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INTERNAL
    )
    channel = models.CharField(_("channel"), max_length=32, blank=True, default="")
    occurred_at = models.DateTimeField(_("when"))
    duration_seconds = models.PositiveIntegerField(_("duration, s"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    body = models.TextField(_("text"), blank=True, default="")
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "-occurred_at", "-id"], name="inter_person_time_idx"),
            models.Index(fields=["organization", "-occurred_at", "-id"], name="inter_org_time_idx"),
            models.Index(fields=["workspace", "-occurred_at"], name="inter_ws_time_idx"),
            _owner_index("inter"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"], name="interaction_unique_idempotency"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False)
                | models.Q(organization__isnull=False)
                | models.Q(subject_id__isnull=False),
                name="interaction_has_subject",
            ),
            *_owner_constraints("inter"),
        ]

    @property
    def kind_label(self) -> str:
        return interaction_kind_label(self.kind)

    @property
    def kind_icon(self) -> str:
        return interaction_kind_icon(self.kind)


class Comment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = models.TextField(_("comment"))
    mentioned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Task(OwnedEntry):
    """A to-do on any record, with an assignee, a due time and an optional reminder."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A reminder goes `remind_before_minutes` before the due time, once: `reminded_at`
    # is set when it is sent and cleared when the due time or the offset changes.
    remind_before_minutes = models.PositiveIntegerField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_due_idx"),
            models.Index(
                fields=["assignee", "status", "-completed_at"], name="task_assignee_done_idx"
            ),
            # An organization's open tasks (its card). Partial: most tasks are on a person
            # only, and SQLite's statistics then rated the full foreign-key index as matching
            # every row, walking all tasks of the workspace instead (600 ms at 1M people).
            models.Index(
                fields=["organization", "status", "due_at"],
                condition=models.Q(organization__isnull=False),
                name="task_org_open_idx",
            ),
            models.Index(
                fields=["remind_at"],
                condition=models.Q(reminded_at__isnull=True, remind_at__isnull=False),
                name="task_reminder_due_idx",
            ),
            _owner_index("task"),
        ]
        constraints = _owner_constraints("task")
