"""What the message log holds about a person, for the personal-data export and erasure
(docs/personal-data.md).

Exported: every message to the person (email, SMS, skipped ones with their reason):
the address, the subject, the text, the status and times, and the attachments as files.

Erased: the messages to the person are deleted, attachments with them (queued and held
ones are then never sent). Messages to colleagues about the person's own timeline
entries (a mention quoting a comment, a task reminder naming the task) keep their row
-- the dedupe and the daily cap count it -- without their subject and text, and the
in-app notifications they became are deleted.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from klient.activities.models import Interaction, Task
from klient.core.registry import ClientRecordsHandler, PersonalDataSection, client_records
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageAttachment, MessageLog, Notification

PERSON = "contacts.person"


def messages_export(subject: str, record_id: int) -> PersonalDataSection | None:
    if subject != PERSON:
        return None
    messages = list(MessageLog.objects.filter(recipient_person_id=record_id).order_by("pk"))
    attachments: dict[int, list[tuple[str, bytes]]] = {}
    for message_id, filename, content in MessageAttachment.objects.filter(
        message__recipient_person_id=record_id
    ).values_list("message_id", "filename", "content"):
        attachments.setdefault(message_id, []).append((filename, bytes(content)))
    rows: list[dict[str, Any]] = []
    contents: list[tuple[str, bytes]] = []
    for message in messages:
        names = [
            f"message-{message.pk}/{filename}" for filename, _c in attachments.get(message.pk, [])
        ]
        contents += [
            (name, content)
            for name, (_f, content) in zip(names, attachments.get(message.pk, []), strict=True)
        ]
        rows.append(
            {
                "id": message.pk,
                "kind": message.kind,
                "channel": message.channel,
                "address": message.address,
                "language": message.language,
                "subject": message.subject,
                "body_text": message.body_text,
                "from_email": message.from_email,
                "reply_to": message.reply_to,
                "status": message.status,
                "skip_reason": message.skip_reason,
                "created_at": message.created_at,
                "sent_at": message.sent_at,
                "attachments": names,
            }
        )
    return PersonalDataSection(label=gettext_lazy("Messages sent"), rows=rows, contents=contents)


def _about_person(record_id: int) -> list[tuple[str, list[int]]]:
    """The records colleagues' messages about the person point at: the person, and their
    own interactions and tasks."""
    own = {"person_id": record_id, "subject_kind": ""}
    return [
        (PERSON, [record_id]),
        (
            "activities.interaction",
            list(Interaction.objects.filter(**own).values_list("pk", flat=True)),
        ),
        ("activities.task", list(Task.objects.filter(**own).values_list("pk", flat=True))),
    ]


def messages_erase(subject: str, record_id: int) -> None:
    if subject != PERSON:
        return
    MessageLog.objects.filter(recipient_person_id=record_id).delete()
    for kind, ids in _about_person(record_id):
        if not ids:
            continue
        about = MessageLog.objects.filter(
            record_kind=kind, record_id__in=ids, recipient_person__isnull=True
        )
        in_app = [
            int(pk)
            for pk in about.filter(channel=Channel.IN_APP).values_list("provider_id", flat=True)
            if pk.isdigit()
        ]
        Notification.objects.filter(pk__in=in_app).delete()
        about.update(subject="", body_text="", body_html="")


def _messages_count(subject: str, record_id: int) -> int:
    if subject != PERSON:
        return 0
    return MessageLog.objects.filter(recipient_person_id=record_id).count()


def personal_data_register() -> None:
    client_records.register(
        ClientRecordsHandler(
            key="notifications.messages",
            label=gettext_lazy("Messages sent"),
            count=_messages_count,
            erase=messages_erase,
            export=messages_export,
            protects=False,
            order=60,
        )
    )
