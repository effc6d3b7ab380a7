"""In-app notifications (the bell), the log of every message sent on any channel, the
templates a workspace overrides, colleagues' preferences and the workspace's sender."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.contacts.models import Person
from klient.core.models import Workspace
from klient.notifications.kinds import KIND_MAX_LENGTH, Channel, Overrides, notification_message


class Notification(models.Model):
    """An in-app notification (the bell), worded when shown (notifications.kinds).

    Moved here from `core`; the table keeps its name (`core_notification`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    # Worded in the recipient's language at creation: the fallback of `message`.
    text = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_notification"
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

    # A workspace's in-app template overrides, attached in bulk by the list's selector.
    overrides: Overrides | None = None

    @property
    def message(self) -> str:
        """The text in the active language (the reader's), from the kind and params."""
        return notification_message(
            kind=self.kind, params=self.params, fallback=self.text, overrides=self.overrides
        )


class MessageLog(models.Model):
    """One message to one recipient on one channel: who, what, the outcome, the provider's
    id. Skipped messages are logged too, with the reason. For email and SMS the row also
    holds what is sent, and it is the queue the delivery job reads (held rows wait for
    the workspace's rate limit)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        HELD = "held", _("Held back")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")

    class SkipReason(models.TextChoices):
        NO_ADDRESS = "no_address", _("No address for this channel")
        NOT_MOBILE = "not_mobile", _("Not a mobile number")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        PREFERENCE_OFF = "preference_off", _("Turned off in preferences")
        DAILY_CAP = "daily_cap", _("Daily limit for this record reached")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # Goes with the client on erasure: the log holds their address and what they were sent.
    recipient_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(max_length=254, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    subject = models.CharField(max_length=300, blank=True, default="")
    body_text = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    from_email = models.CharField(max_length=254, blank=True, default="")
    reply_to = models.CharField(max_length=254, blank=True, default="")
    # Message-ID, In-Reply-To, References: fixed when queued, so a retry keeps them.
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    skip_reason = models.CharField(
        max_length=20, choices=SkipReason.choices, blank=True, default=""
    )
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    provider_id = models.CharField(max_length=200, blank=True, default="")
    # The record the message is about (a record kind key of core.registry) and which
    # occurrence of its event (an event id, a stage entry): the dedupe key's parts.
    record_kind = models.CharField(max_length=40, blank=True, default="")
    record_id = models.BigIntegerField(null=True, blank=True)
    occurrence = models.CharField(max_length=120, blank=True, default="")
    dedupe_key = models.CharField(max_length=250, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was let through the rate limit to the delivery queue.
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="msglog_ws_created_idx"),
            models.Index(fields=["workspace", "status", "created_at"], name="msglog_ws_status_idx"),
            models.Index(fields=["workspace", "queued_at"], name="msglog_ws_queued_idx"),
            models.Index(
                fields=["workspace", "record_kind", "record_id", "created_at"],
                name="msglog_ws_record_idx",
            ),
            models.Index(fields=["recipient_person", "-created_at"], name="msglog_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="msglog_unique_dedupe",
            ),
            models.CheckConstraint(
                condition=~(
                    models.Q(recipient_user__isnull=False)
                    & models.Q(recipient_person__isnull=False)
                ),
                name="msglog_one_recipient",
            ),
        ]


class MessageAttachment(models.Model):
    message = models.ForeignKey(MessageLog, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()


class NotificationTemplate(models.Model):
    """A workspace's wording of one kind on one channel in one language, instead of the
    kind's default. Its placeholders are checked against the kind's when saved."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "channel", "language"],
                name="notif_template_unique",
            )
        ]


class NotificationPreference(models.Model):
    """A colleague's choice for one kind on one channel; without a row, the kind's
    default (`user_channels`) applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notif_preference_unique"
            )
        ]


class WorkspaceMessaging(models.Model):
    """The workspace's sender for every module's email and SMS. Its row is also what
    the rate limit locks, so two processes never both let the last message through."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    from_name = models.CharField(_("sender name"), max_length=120, blank=True, default="")
    from_email = models.EmailField(_("sender address"), blank=True, default="")
    reply_to = models.EmailField(_("reply-to address"), blank=True, default="")
    sms_sender = models.CharField(_("SMS sender name"), max_length=11, blank=True, default="")
