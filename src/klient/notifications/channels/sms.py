"""SMS: a provider interface, a file backend for development, and `sms_send`.

A provider sends one text to one number and returns its id for the message; it raises
`SmsRefused` when the provider refuses that number or text for good, and any other
exception for what a retry may fix (the network, the provider's outage, the balance).
`KLIENT_SMS_BACKEND` picks one: `file` (the default: JSON lines under
`$KLIENT_HOME/sms/`, nothing leaves the machine) or `smsru` (`channels/smsru.py`).
Only mobile numbers get an SMS; any other is logged as skipped.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from klient.contacts.models import Person
from klient.core.models import User
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageLog
from klient.notifications.queue import message_enqueue
from klient.notifications.selectors import messaging_get

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class SmsRefused(Exception):
    """The provider refused this message for good: retrying cannot help."""


class SmsProvider(Protocol):
    def send(self, *, to: str, text: str, sender: str) -> str:
        """Send `text` to `to` (E.164); return the provider's id of the message."""
        ...


class FileSmsProvider:
    """Development backend: each message is a JSON line in `<folder>/<date>.jsonl`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, *, to: str, text: str, sender: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4().hex}"
        line = {"id": provider_id, "to": to, "sender": sender, "text": text}
        line["at"] = timezone.now().isoformat()
        path = self.folder / f"{timezone.localdate().isoformat()}.jsonl"
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return provider_id


def _file_backend() -> SmsProvider:
    return FileSmsProvider(Path(settings.KLIENT_HOME) / "sms")


def _smsru_backend() -> SmsProvider:
    from klient.notifications.channels.smsru import SmsRuProvider, UrllibTransport

    return SmsRuProvider(
        api_id=settings.KLIENT_SMSRU_API_ID,
        transport=UrllibTransport(),
        test=settings.KLIENT_SMSRU_TEST,
    )


# Backends by the name KLIENT_SMS_BACKEND gives; an adapter for another provider adds one.
sms_backends: dict[str, Callable[[], SmsProvider]] = {
    "file": _file_backend,
    "smsru": _smsru_backend,
}


def sms_provider() -> SmsProvider:
    return sms_backends[settings.KLIENT_SMS_BACKEND]()


def phone_is_mobile(number: str) -> bool:
    """Whether an E.164 number can receive an SMS (a mobile, or a number its country
    does not tell apart from one)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) in MOBILE_TYPES


@transaction.atomic
def sms_send(
    *,
    workspace_id: int,
    to: str,
    text: str,
    kind: str,
    recipient_user: User | None = None,
    recipient_person: Person | None = None,
    language: str = "",
    record: tuple[str, int] | None = None,
    occurrence: str = "",
    dedupe_key: str = "",
) -> MessageLog:
    """Queue an SMS; returns its log row (the existing one for a repeated dedupe key).
    A number that is not a mobile one is logged as skipped, not queued."""
    if dedupe_key:
        existing = MessageLog.objects.filter(workspace_id=workspace_id, dedupe_key=dedupe_key)
        if found := existing.first():
            return found
    message = MessageLog(
        workspace_id=workspace_id,
        kind=kind,
        channel=Channel.SMS,
        recipient_user=recipient_user,
        recipient_person=recipient_person,
        address=to,
        language=language,
        body_text=text,
        record_kind=record[0] if record else "",
        record_id=record[1] if record else None,
        occurrence=occurrence,
        dedupe_key=dedupe_key,
    )
    if not phone_is_mobile(to):
        message.status = MessageLog.Status.SKIPPED
        message.skip_reason = MessageLog.SkipReason.NOT_MOBILE
        message.save()
        return message
    message.save()
    message_enqueue(message)
    return message


def sms_deliver(message: MessageLog) -> str:
    """Send a stored SMS now; returns the provider's id."""
    sender = messaging_get(workspace_id=message.workspace_id).sms_sender
    return sms_provider().send(to=message.address, text=message.body_text, sender=sender)
