"""Writes of the notifications app: in-app notifications, a workspace's templates and
sender, colleagues' preferences. Sending on every channel is in `sending.py`; held
messages are released or cancelled in `outbox.py`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record, require_admin
from klient.notifications.formatter import TemplateInvalid, template_validate
from klient.notifications.kinds import (
    Channel,
    NotificationKind,
    notification_kinds,
    notification_message,
)
from klient.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationTemplate,
    WorkspaceMessaging,
)
from klient.notifications.selectors import template_overrides


def notification_create(
    *,
    recipient: User,
    kind: str,
    params: Mapping[str, str] | None = None,
    text: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> Notification | None:
    """Create an in-app notification; with a dedupe_key a repeat is a no-op (idempotent jobs).

    With `params` of a registered kind, readers see it worded in their language of the
    moment (notifications.kinds); `text` is then worded here, in the recipient's
    language, as the fallback. Without params, `text` is all there is.
    """
    workspace_id = actor_workspace_id(recipient)
    stored_params = {name: str(value) for name, value in (params or {}).items()}
    if stored_params:
        with translation.override(recipient.language or None):
            text = notification_message(
                kind=kind,
                params=stored_params,
                fallback=text,
                overrides=template_overrides(workspace_id=workspace_id),
            )
    if not text:
        raise ValueError(f"notification {kind!r} has no text: give one or register the kind")
    fields: dict[str, Any] = {
        "workspace_id": workspace_id,
        "kind": kind,
        "text": text[:500],
        "params": stored_params,
        "url": url,
    }
    if dedupe_key:
        notification, created = Notification.objects.get_or_create(
            recipient=recipient, dedupe_key=dedupe_key, defaults=fields
        )
        return notification if created else None
    return Notification.objects.create(recipient=recipient, **fields)


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, is_read=False)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(is_read=True)


# Templates --------------------------------------------------------------------------------------


def _kind_for_template(kind: str, channel: str, language: str) -> NotificationKind:
    if kind not in notification_kinds:
        raise NotFound(_("Unknown kind of notification."))
    registered = notification_kinds.get(kind)
    if channel not in registered.templates:
        raise ValidationFailed(
            fields={"channel": _("This notification is not sent on this channel.")}
        )
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(fields={"language": _("Unknown language.")})
    return registered


def template_check(*, kind: NotificationKind, text: str, field: str = "body") -> None:
    """Refuse a template using anything but the kind's placeholders, naming the first
    offending one (`{deal.amount}`), or a lone brace."""
    try:
        template_validate(text, kind.placeholders)
    except TemplateInvalid as error:
        allowed = ", ".join(f"{{{name}}}" for name in kind.placeholders)
        if error.problem == "syntax":
            message = _("A “{” or “}” has no partner; write “{{” or “}}” for a brace itself.")
        elif error.problem == "format":
            message = _(
                "The placeholder {%(placeholder)s} cannot carry a format; write it as "
                "{name}. Available: %(allowed)s."
            ) % {"placeholder": error.placeholder, "allowed": allowed}
        else:
            message = _("Unknown placeholder {%(placeholder)s}. Available: %(allowed)s.") % {
                "placeholder": error.placeholder,
                "allowed": allowed,
            }
        raise ValidationFailed(message, fields={field: message}) from error


@transaction.atomic
def template_save(
    *, actor: User, kind: str, channel: str, language: str, body: str, subject: str = ""
) -> NotificationTemplate:
    """Set the workspace's wording of a kind on a channel in a language."""
    require_admin(actor)
    workspace_id = actor_workspace_id(actor)
    registered = _kind_for_template(kind, channel, language)
    body = body.strip()
    subject = " ".join(subject.split()) if channel == Channel.EMAIL else ""
    if not body:
        raise ValidationFailed(fields={"body": _("This field is required.")})
    if channel == Channel.EMAIL and not subject:
        raise ValidationFailed(fields={"subject": _("This field is required.")})
    template_check(kind=registered, text=subject, field="subject")
    template_check(kind=registered, text=body)
    row = NotificationTemplate.objects.filter(
        workspace_id=workspace_id, kind=kind, channel=channel, language=language
    ).first()
    before = (row.subject, row.body) if row else ("", "")
    if row is None:
        row = NotificationTemplate(
            workspace_id=workspace_id, kind=kind, channel=channel, language=language
        )
    row.subject, row.body = subject, body
    row.save()
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="notification_template.save",
        instance=row,
        changes={"subject": (before[0], subject), "body": (before[1], body)},
    )
    return row


@transaction.atomic
def template_reset(*, actor: User, kind: str, channel: str, language: str) -> bool:
    """Go back to the kind's default wording; False if there was no override."""
    require_admin(actor)
    workspace_id = actor_workspace_id(actor)
    row = NotificationTemplate.objects.filter(
        workspace_id=workspace_id, kind=kind, channel=channel, language=language
    ).first()
    if row is None:
        return False
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="notification_template.reset",
        instance=row,
        changes={"body": (row.body, None)},
    )
    row.delete()
    return True


# Preferences ------------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, user: User, kind: str, channel: str, enabled: bool) -> None:
    """A colleague turns one kind on one channel on or off for themself."""
    actor_workspace_id(user)
    if kind not in notification_kinds or channel not in notification_kinds.get(kind).templates:
        raise ValidationFailed(fields={"kind": _("Unknown kind of notification.")})
    if channel == Channel.SMS:
        raise ValidationFailed(fields={"channel": _("Colleagues get no SMS.")})
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )


# The workspace's sender -------------------------------------------------------------------------


@transaction.atomic
def messaging_update(
    *, actor: User, from_name: str, from_email: str, reply_to: str, sms_sender: str
) -> WorkspaceMessaging:
    require_admin(actor)
    workspace_id = actor_workspace_id(actor)
    row, _created = WorkspaceMessaging.objects.get_or_create(workspace_id=workspace_id)
    data = {
        "from_name": " ".join(from_name.split()),
        "from_email": from_email.strip(),
        "reply_to": reply_to.strip(),
        "sms_sender": sms_sender.strip(),
    }
    changes = {
        name: (getattr(row, name), value)
        for name, value in data.items()
        if getattr(row, name) != value
    }
    for name, value in data.items():
        setattr(row, name, value)
    row.save()
    if changes:
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="workspace_messaging.update",
            instance=row,
            changes=changes,
        )
    return row
