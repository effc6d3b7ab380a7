"""What webhooks register with the platform: a handler per event, the capability that
guards them, and how their changes read on the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.core.audit_words import BOOL, LIST, AuditField, AuditSubject, audit_words_register
from klient.core.capabilities import ADMINS, Capability, capabilities
from klient.core.registry import RecordRef
from klient.webhooks.models import Webhook
from klient.webhooks.selectors import CAPABILITY


def plug() -> None:
    from klient.webhooks import jobs  # noqa: F401  (declares the jobs for the worker)
    from klient.webhooks.handlers import handlers_connect

    capabilities.register(Capability(CAPABILITY, _("Manage webhooks"), ADMINS, 930))
    handlers_connect()
    _audit_log_words()


def _webhooks_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Webhook.objects.filter(pk__in=list(ids)).values_list("pk", "url")
    return {
        pk: RecordRef("webhooks.webhook", pk, url, reverse("webhooks:detail", args=[pk]))
        for pk, url in rows
    }


def _audit_log_words() -> None:
    audit_words_register(
        subject=AuditSubject(
            key="webhooks.webhook",
            label=_("Webhook"),
            fields={
                "url": AuditField(_("address")),
                "event_names": AuditField(_("events"), LIST),
                "is_active": AuditField(_("active"), BOOL),
                "consecutive_failures": AuditField(_("failed deliveries in a row")),
                "event": AuditField(_("event")),
                "delivery": AuditField(_("delivery")),
            },
            describe=_webhooks_describe,
        ),
        actions=[
            (
                "webhook.create",
                _("Webhook added"),
                _("%(actor)s added a webhook to %(url)s for %(event_names)s"),
            ),
            (
                "webhook.update",
                _("Webhook changed"),
                _("%(actor)s changed %(fields)s of webhook %(record)s"),
            ),
            ("webhook.delete", _("Webhook deleted"), _("%(actor)s deleted the webhook to %(url)s")),
            (
                "webhook.disable",
                _("Webhook turned off"),
                _(
                    "%(actor)s turned off webhook %(record)s after %(consecutive_failures)s "
                    "failed deliveries in a row"
                ),
            ),
            (
                "webhook.redeliver",
                _("Webhook delivery sent again"),
                _("%(actor)s sent %(event)s again to webhook %(record)s"),
            ),
        ],
    )
