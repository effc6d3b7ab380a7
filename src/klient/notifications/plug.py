"""What the notifications app registers with the platform and the apps below it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import InteractionKind, interaction_kinds
from klient.core.audit_words import AuditField, AuditSubject, audit_words_register
from klient.notifications.activity_kinds import activity_kinds_register
from klient.notifications.delivery import TIMELINE_KIND
from klient.notifications.personal_data import personal_data_register


def plug() -> None:
    activity_kinds_register()
    # An email or SMS sent to a client shows on the client's timeline (system entry).
    interaction_kinds.register(
        InteractionKind(key=TIMELINE_KIND, label=_("Message sent"), icon="i-email", system=True)
    )
    _audit_log_words()
    personal_data_register()  # the message log's export and erasure (docs/personal-data.md)


def _audit_log_words() -> None:
    audit_words_register(
        subject=AuditSubject(
            key="notifications.notificationtemplate",
            label=_("Notification template"),
            fields={"subject": AuditField(_("subject")), "body": AuditField(_("text"))},
        ),
        actions=[
            (
                "notification_template.save",
                _("Notification template saved"),
                _("%(actor)s saved notification template %(record)s: “%(body)s”"),
            ),
            (
                "notification_template.reset",
                _("Notification template reset"),
                _("%(actor)s restored the default wording of notification template %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="notifications.workspacemessaging",
            label=_("Sender of messages"),
            fields={
                "from_name": AuditField(_("sender name")),
                "from_email": AuditField(_("sender address")),
                "reply_to": AuditField(_("reply-to address")),
                "sms_sender": AuditField(_("SMS sender name")),
            },
        ),
        actions=[
            (
                "workspace_messaging.update",
                _("Sender of messages changed"),
                _("%(actor)s changed %(fields)s of the sender of messages"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="notifications.messagelog",
            label=_("Message"),
            fields={
                "released": AuditField(_("released")),
                "cancelled": AuditField(_("cancelled")),
            },
        ),
        actions=[
            (
                "messages.release",
                _("Held messages released"),
                _("%(actor)s released held messages: %(released)s"),
            ),
            (
                "messages.cancel",
                _("Held messages cancelled"),
                _("%(actor)s cancelled held messages: %(cancelled)s"),
            ),
        ],
    )
