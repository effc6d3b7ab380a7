"""Workspaces, users, roles, teams, API tokens, the audit log, notifications, the job outbox."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.core.notification_kinds import notification_message


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


class AuditEvent(models.Model):
    """Append-only record of a write: who, when, what, and fields before/after.

    Database triggers (migration 0002) refuse UPDATE and DELETE on this table.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DO_NOTHING, db_constraint=False)
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["workspace", "at"], name="audit_ws_at_idx"),
        ]


class Notification(models.Model):
    """An in-app notification (the bell), worded when shown (core.notification_kinds)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    # Worded in the recipient's language at creation: the fallback of `message`.
    text = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "is_read", "-created_at"], name="notif_inbox_idx")
        ]
        constraints = [
            # Makes notification jobs idempotent: a re-run cannot notify twice.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_unique_dedupe",
            )
        ]

    @property
    def message(self) -> str:
        """The text in the active language (the reader's), from the kind and params."""
        return notification_message(kind=self.kind, params=self.params, fallback=self.text)


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


class AuthThrottle(models.Model):
    """Failed sign-ins (or uses of an invalid API token) counted for one account or one
    client address over a window; past the limit, a lock until `locked_until`."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("Address")
        TOKEN_ADDRESS = "token_address", _("Address, API tokens")

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
