"""The one email path of Klient: every module sends through `email_send`.

`email_send` only writes: the message (with its Message-ID, threading headers, reply-to
and attachments) goes into the message log in the caller's transaction and to the
outbox after commit (ADR 0002), so a request never waits on SMTP and nothing is lost
when the server is down: the delivery job is retried, then shown failed to
administrators, and delivers once the server is back. `email_deliver` hands the stored
message to Django's mail backend (SMTP, `KLIENT_EMAIL_*`), in a worker.

The sender is the workspace's (`WorkspaceMessaging`), else `KLIENT_EMAIL_FROM`; the
Message-ID's domain is the sender's. A retry after a crash between the server's
acceptance and our commit sends the same Message-ID again, which receivers may dedupe.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr
from html import escape
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction

from klient.contacts.models import Person
from klient.core.models import User
from klient.notifications.formatter import html_paragraphs
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageAttachment, MessageLog
from klient.notifications.queue import message_enqueue
from klient.notifications.selectors import messaging_get

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class DeliveryRefused(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


def _sender(workspace_id: int) -> tuple[str, str]:
    """(From header, Reply-To) of the workspace."""
    messaging = messaging_get(workspace_id=workspace_id)
    address = messaging.from_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    name = messaging.from_name or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return formataddr((name, address)) if name else address, messaging.reply_to


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "klient.localhost"


@transaction.atomic
def email_send(
    *,
    workspace_id: int,
    to: str,
    subject: str,
    body_text: str,
    kind: str,
    body_html: str = "",
    recipient_user: User | None = None,
    recipient_person: Person | None = None,
    language: str = "",
    record: tuple[str, int] | None = None,
    occurrence: str = "",
    dedupe_key: str = "",
    reply_to: str = "",
    in_reply_to: str = "",
    references: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> MessageLog:
    """Queue an email; returns its log row (the existing one for a repeated dedupe key).

    `body_html` defaults to the text as escaped paragraphs. `in_reply_to`/`references`
    thread it under earlier messages (their Message-IDs, angle brackets included)."""
    if dedupe_key:
        existing = MessageLog.objects.filter(workspace_id=workspace_id, dedupe_key=dedupe_key)
        if found := existing.first():
            return found
    if sum(len(item.content) for item in attachments) > MAX_ATTACHMENT_BYTES:
        raise ValueError("attachments over the size limit")
    sender, workspace_reply_to = _sender(workspace_id)
    headers = {"Message-ID": make_msgid(domain=_domain(sender))}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references or in_reply_to:
        headers["References"] = " ".join([*references] or [in_reply_to])
    message = MessageLog.objects.create(
        workspace_id=workspace_id,
        kind=kind,
        channel=Channel.EMAIL,
        recipient_user=recipient_user,
        recipient_person=recipient_person,
        address=to,
        language=language,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html or html_paragraphs(_escape(body_text)),
        from_email=sender,
        reply_to=reply_to or workspace_reply_to,
        headers=headers,
        record_kind=record[0] if record else "",
        record_id=record[1] if record else None,
        occurrence=occurrence,
        dedupe_key=dedupe_key,
    )
    MessageAttachment.objects.bulk_create(
        MessageAttachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            content=item.content,
        )
        for item in attachments
    )
    message_enqueue(message)
    return message


def _escape(text: str) -> str:
    return escape(text, quote=False)


def email_build(message: MessageLog, *, connection: Any = None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        connection=connection,
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email,
        to=[message.address],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=dict(message.headers),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments.all():
        email.attach(item.filename, bytes(item.content), item.content_type)
    return email


def email_deliver(message: MessageLog) -> str:
    """Send a stored message now; returns its Message-ID. Raises DeliveryRefused when
    the server refuses it for good; any other error is worth retrying."""
    connection = get_connection(fail_silently=False)
    try:
        email_build(message, connection=connection).send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if all(code >= 500 for code in codes):
            raise DeliveryRefused(str(error.recipients)) from error
        raise
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
        if error.smtp_code >= 500:
            raise DeliveryRefused(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise
    finally:
        connection.close()
    return str(message.headers.get("Message-ID", ""))
