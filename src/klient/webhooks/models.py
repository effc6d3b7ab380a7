"""Outbound webhooks of a workspace and the log of what was sent to each (docs/webhooks.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from klient.core.models import User, Workspace

URL_MAX_LENGTH = 2000
RESPONSE_EXCERPT_CHARS = 1000


class Webhook(models.Model):
    """An address that receives the workspace's events it subscribes to, signed with its
    secret. Turned off by an administrator or after too many failed deliveries in a row."""

    # Why it was turned off, when not by an administrator (worded by `disabled_reason_text`).
    DISABLED_FAILURES = "failures"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(_("address"), max_length=URL_MAX_LENGTH)
    # HMAC key of the signatures; the receiver holds a copy, so it is kept as is (it
    # cannot be hashed) and shown once, when the webhook is created.
    secret = models.CharField(max_length=100)
    event_names = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "is_active"], name="webhook_ws_active")]

    def __str__(self) -> str:
        return self.url

    @property
    def disabled_reason_text(self) -> str:
        if self.disabled_reason == self.DISABLED_FAILURES:
            return gettext("Turned off after %(count)s failed deliveries in a row.") % {
                "count": self.consecutive_failures
            }
        return ""


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook, with its latest attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # The webhook's workspace, kept here so reads are scoped without a join.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_name = models.CharField(max_length=100)
    event_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # While pending: when the periodic job starts the next attempt, should the one under
    # way fail or never report back (a worker killed mid-request).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The event handler may run twice (at-least-once): the second run adds nothing.
            models.UniqueConstraint(fields=["webhook", "event_id"], name="webhook_delivery_once")
        ]
        indexes = [
            # The delivery log: a webhook's latest deliveries first.
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.webhook_id}"
