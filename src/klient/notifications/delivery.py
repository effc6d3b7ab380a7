"""Delivering one queued email or SMS, in a worker (the `message_deliver` job).

The job is not atomic: the send happens outside any transaction (an SMTP conversation
must not hold SQLite's write lock), then the outcome is written in a short one. Each
attempt is counted on the message first. A refusal for good (a 5xx, a number the
provider will not serve) fails the message at once; any other error is recorded and
raised, so the outbox retries it; after the last attempt the message shows as failed,
and an administrator's retry on the jobs page sends it still. A message to a client,
once sent, goes on the client's timeline.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from klient.activities.services import system_event_record
from klient.notifications.channels.email import DeliveryRefused, email_deliver
from klient.notifications.channels.sms import SmsRefused, sms_deliver
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageLog

DELIVERY_RETRIES = 8
DELIVERY_RETRY_DELAY = 60
TIMELINE_KIND = "notifications.message"
ERROR_CHARS = 2000


def _claim(message_id: int) -> MessageLog | None:
    """The message if it still waits to be sent, with this attempt counted."""
    with transaction.atomic():
        message = (
            MessageLog.objects.select_for_update()
            .filter(
                pk=message_id,
                status__in=[MessageLog.Status.QUEUED, MessageLog.Status.FAILED],
                sent_at__isnull=True,
            )
            .first()
        )
        if message is None:
            return None
        MessageLog.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
        message.attempts += 1
    return message


def _failed(message: MessageLog, error: Exception, *, final: bool) -> None:
    fields = {"error": f"{type(error).__name__}: {error}"[:ERROR_CHARS]}
    if final:
        fields["status"] = MessageLog.Status.FAILED
    MessageLog.objects.filter(pk=message.pk, sent_at__isnull=True).update(**fields)


def message_deliver(*, message_id: int) -> bool:
    """Send one queued message; True if it went now. Idempotent: a sent, cancelled or
    held message is left alone."""
    message = _claim(message_id)
    if message is None:
        return False
    try:
        if message.channel == Channel.EMAIL:
            provider_id = email_deliver(message)
        elif message.channel == Channel.SMS:
            provider_id = sms_deliver(message)
        else:
            raise ValueError(f"no delivery for channel {message.channel!r}")
    except (DeliveryRefused, SmsRefused) as error:
        _failed(message, error, final=True)
        return False
    except Exception as error:
        _failed(message, error, final=message.attempts > DELIVERY_RETRIES)
        raise
    _mark_sent(message, provider_id)
    return True


@transaction.atomic
def _mark_sent(message: MessageLog, provider_id: str) -> None:
    MessageLog.objects.filter(pk=message.pk).update(
        status=MessageLog.Status.SENT, sent_at=timezone.now(), provider_id=provider_id, error=""
    )
    if message.recipient_person is not None:
        timeline_record(message)


def timeline_record(message: MessageLog) -> None:
    """The message on its client's timeline, once (keyed by the message)."""
    person = message.recipient_person
    if person is None:
        return
    subject = message.body_text if message.channel == Channel.SMS else message.subject
    system_event_record(
        owner=person,
        kind=TIMELINE_KIND,
        subject=subject[:200] or message.kind,
        body=message.body_text[:2000],
        occurred_at=timezone.now(),
        idempotency_key=f"{TIMELINE_KIND}:{message.pk}",
    )
