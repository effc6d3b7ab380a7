"""Workspaces, users, roles, teams, API tokens, the audit log, the job outbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from klient.core.audit_personal import PERSONAL as PERSONAL_MARK
from klient.core.audit_personal import changes_joined, personal_parts_split


class Workspace(models.Model):
    """One company using Klient; every domain row belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_language = models.CharField(max_length=8, default="en")
    default_region = models.CharField(
        _("default phone region"),
        max_length=2,
        default="RU",
        help_text=_("Phones written without a country code are read in this region."),
    )
    default_currency = models.CharField(
        _("default currency"),
        max_length=3,
        default="RUB",
        help_text=_("ISO 4217 code of the currency amounts are entered and reported in."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    ANALYST = "analyst", _("Analyst")


class Team(models.Model):
    """A team or department; visibility of records follows it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    # Who escalations and follow-up cases of the team go to; none: the workspace admins.
    lead = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. Belongs to one workspace with one role."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def can_write(self) -> bool:
        return self.role != Role.ANALYST

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


class ApiToken(models.Model):
    """A bearer token; only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Writes events with their clients' personal values set apart (core.audit_personal)."""

    def create(self, **kwargs: Any) -> AuditEvent:
        [event] = self.bulk_create([self.model(**kwargs)])
        return event

    def bulk_create(
        self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any
    ) -> list[AuditEvent]:
        events = list(objs)
        parts = personal_parts_split(events)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(events, *args, **kwargs)
            # Built once the events have their ids; each also becomes its event's
            # cached `personal_values`, so `changes` reads right away.
            AuditPersonalValues.objects.using(self.db).bulk_create(
                AuditPersonalValues(
                    event=part.event,
                    workspace_id=part.event.workspace_id,
                    subject_kind=part.subject[0],
                    subject_id=part.subject[1],
                    changes=part.changes,
                )
                for part in parts
            )
        return created


class AuditEvent(models.Model):
    """Append-only record of a write: who, when, what, and fields before/after.

    A database trigger (core.audit_log_sql) refuses UPDATE on this table. The values of
    a client's personal data are not in its row but in AuditPersonalValues, which an
    erasure deletes (core.audit_personal, ADR 0011); `changes` joins them back.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DO_NOTHING, db_constraint=False)
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    # {field: [before, after]} as stored: a client's personal pair reads "personal" here.
    stored_changes = models.JSONField(default=dict, blank=True, db_column="changes")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["workspace", "at"], name="audit_ws_at_idx"),
        ]

    @property
    def changes(self) -> Any:
        """{field: [before, after]}: the personal values while they are kept, and
        [ERASED, ERASED] once their client was erased. Reads AuditPersonalValues only for
        an event that has some; lists prefetch `personal_values`."""
        stored = self.stored_changes
        if not isinstance(stored, dict) or PERSONAL_MARK not in stored.values():
            return stored
        try:
            personal = self.personal_values.changes
        except AuditPersonalValues.DoesNotExist:
            personal = None
        return changes_joined(stored, personal)

    @changes.setter
    def changes(self, value: Any) -> None:
        self.stored_changes = value


class AuditPersonalValues(models.Model):
    """The personal values of one audit event, and the client they are about: deleted
    when that client's personal data is erased. Never updated (a trigger refuses it)."""

    event = models.OneToOneField(
        AuditEvent, on_delete=models.CASCADE, primary_key=True, related_name="personal_values"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # The client: a record kind key and id ("contacts.person", 42).
    subject_kind = models.CharField(max_length=64)
    subject_id = models.BigIntegerField()
    changes = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "subject_kind", "subject_id"],
                name="audit_personal_subject_idx",
            )
        ]


class OutboxJob(models.Model):
    """A job that must not be lost, written in the transaction of the change that caused it.

    It stays pending until a run succeeds (done). A run failing on its last allowed attempt
    leaves it failed, shown to the workspace's administrators to retry or cancel.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    # Whose administrators see the job; empty for platform jobs no workspace owns.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=120)
    kwargs = models.JSONField(default=dict)
    # One row per delivery (e.g. an event occurrence to one handler): recording it twice
    # is a no-op.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=4)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to huey or taken by a worker.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "dispatched_at"], name="outbox_pending_idx"),
            models.Index(fields=["status", "done_at"], name="outbox_done_idx"),
            models.Index(fields=["workspace", "status"], name="outbox_ws_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outbox_unique_dedupe",
            )
        ]

    @property
    def error_summary(self) -> str:
        """The last line of the error: the exception and its message."""
        lines = [line for line in self.last_error.splitlines() if line.strip()]
        return lines[-1].strip()[:300] if lines else ""


class PeriodicRun(models.Model):
    """The last due time of one periodic job that a worker took (core.jobs.periodic).

    Every worker's scheduler enqueues every due periodic job, so with two workers each
    would run it; the first to move `due_at` forward runs it, the others see it moved and
    skip theirs. One row per periodic job."""

    name = models.CharField(max_length=120, unique=True)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()


class AuthThrottle(models.Model):
    """Failed sign-ins (or uses of an invalid API token) counted for one account or one
    client address over a window; past the limit, a lock until `locked_until`."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("Address")
        TOKEN_ADDRESS = "token_address", _("Address, API tokens")
        # Opens of one public link per minute (a rate limit, not failures).
        LINK = "link", _("Public link")
        # Look-ups of public links that found none, per address.
        LINK_ADDRESS = "link_address", _("Address, public links")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    # A username (case-folded) or an IP address.
    key = models.CharField(max_length=150)
    # The account's workspace, whose administrators see and lift its lock; empty for
    # addresses and unknown usernames.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="auth_throttle_unique_key")
        ]
        indexes = [
            models.Index(fields=["locked_until"], name="auth_throttle_locked_idx"),
            models.Index(fields=["window_started_at"], name="auth_throttle_window_idx"),
        ]


class NumberSequence(models.Model):
    """The last number given out of one sequence (core.numbering): per workspace, key and
    year (0 for a sequence that does not restart each year)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            # The arbiter of number_next's INSERT ... ON CONFLICT.
            models.UniqueConstraint(
                fields=["workspace", "key", "year"], name="number_sequence_unique"
            )
        ]


class PublicLink(models.Model):
    """A link a client opens without an account (core.public_links). Only the SHA-256 of
    its token is stored, with the token's first characters to find it by."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=40)
    target_kind = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    token_prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, blank=True, default="")
    expires_at = models.DateTimeField()
    # None: any number of uses until it expires; 1: a single-use link.
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "target_kind", "target_id"], name="public_link_target_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(max_uses__gte=1),
                name="public_link_max_uses_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(use_count__lte=models.F("max_uses")),
                name="public_link_uses_within_max",
            ),
        ]

    @property
    def single_use(self) -> bool:
        return self.max_uses == 1


class PublicLinkUse(models.Model):
    """One attempt to open a public link, granted or refused, and from where.

    Kept apart from the audit log: opens are many (a status page reloaded, a survey sent to
    thousands), made by no user, and an unknown link belongs to no workspace; they carry
    client addresses, personal data kept KLIENT_PUBLIC_LINK_USE_KEEP_DAYS, while the audit
    log is append-only and kept for good.
    """

    class Outcome(models.TextChoices):
        OPENED = "opened"
        UNKNOWN = "unknown"
        EXPIRED = "expired"
        REVOKED = "revoked"
        USED_UP = "used_up"
        THROTTLED = "throttled"

    # None when the token matched no link.
    link = models.ForeignKey(
        PublicLink, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    token_prefix = models.CharField(max_length=12, blank=True, default="")
    purpose = models.CharField(max_length=40, blank=True, default="")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    address = models.CharField(max_length=45, blank=True, default="")
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["link", "at"], name="public_link_use_link_idx")]
