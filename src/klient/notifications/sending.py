"""The sending rules: who gets a kind of message, on which channels, in which language.

`notify` is what handlers call for an event: colleagues get it in the app and by email
as their preferences allow (in their language); clients by email or SMS in their
preferred language, unless they withdrew consent for the kind's purpose on that channel
(transactional kinds need none). Every outcome is logged, skips with their reason:
no address, not a mobile number, consent withdrawn, turned off, over the daily cap.

Against runaway sending:
- dedupe on (recipient, kind, channel, record, occurrence): the same occurrence of an
  event never sends twice, whoever runs it again; a new occurrence (a stage entered
  again, a second status update) does send;
- a per-record daily cap (`KLIENT_NOTIFY_RECORD_DAILY_CAP` per recipient, record and
  channel in 24 hours);
- the per-workspace rate limit on email and SMS (`queue.py`), whose overflow waits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from klient.contacts.models import Consent, Person
from klient.core.models import User, Workspace
from klient.notifications.channels.email import email_send
from klient.notifications.channels.sms import sms_send
from klient.notifications.formatter import html_paragraphs
from klient.notifications.kinds import (
    Channel,
    NotificationKind,
    Overrides,
    Purpose,
    kind_render,
    notification_kinds,
)
from klient.notifications.models import MessageLog, NotificationPreference
from klient.notifications.selectors import template_overrides
from klient.notifications.services import notification_create

Record = tuple[str, int]
COUNTED = [
    MessageLog.Status.QUEUED,
    MessageLog.Status.HELD,
    MessageLog.Status.SENT,
    MessageLog.Status.FAILED,
]


def absolute_url(path: str) -> str:
    if not path or "://" in path:
        return path
    return f"{settings.KLIENT_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def dedupe_key(
    *, kind: str, channel: str, recipient: str, record: Record | None, occurrence: str
) -> str:
    """The key of one message: empty (no dedupe) without an occurrence."""
    if not occurrence:
        return ""
    where = f"{record[0]}:{record[1]}" if record else "-"
    key = f"{kind}|{channel}|{recipient}|{where}|{occurrence}"
    return key if len(key) <= 120 else hashlib.sha256(key.encode()).hexdigest()


@dataclass
class _Target:
    """One recipient on one channel: the log fields every outcome shares."""

    workspace_id: int
    kind: str
    channel: str
    language: str
    record: Record | None
    occurrence: str
    dedupe_key: str
    recipient_user: User | None = None
    recipient_person: Person | None = None

    def log_fields(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "kind": self.kind,
            "channel": self.channel,
            "language": self.language,
            "record_kind": self.record[0] if self.record else "",
            "record_id": self.record[1] if self.record else None,
            "occurrence": self.occurrence,
            "dedupe_key": self.dedupe_key,
            "recipient_user": self.recipient_user,
            "recipient_person": self.recipient_person,
        }

    def recipient_filter(self) -> dict[str, Any]:
        if self.recipient_user is not None:
            return {"recipient_user": self.recipient_user}
        return {"recipient_person": self.recipient_person}


class _Sending:
    """One notify call: the kind, context and the workspace's settings, read once."""

    def __init__(
        self,
        *,
        kind: NotificationKind,
        workspace: Workspace,
        context: Mapping[str, str],
        record: Record | None,
        occurrence: str,
        url: str,
    ) -> None:
        self.kind = kind
        self.workspace = workspace
        self.record = record
        self.occurrence = occurrence
        self.url = url
        self.context = {name: str(value) for name, value in context.items()}
        if "url" in kind.placeholders:
            self.context.setdefault("url", absolute_url(url))
        missing = [name for name in kind.placeholders if name not in self.context]
        if missing:
            raise ValueError(f"notification {kind.key!r}: no value for {missing}")
        self.overrides: Overrides = template_overrides(workspace_id=workspace.pk)
        self.logs: list[MessageLog] = []

    def target(
        self,
        channel: str,
        *,
        language: str,
        user: User | None = None,
        person: Person | None = None,
    ) -> _Target:
        recipient = f"u{user.pk}" if user is not None else f"p{person.pk if person else 0}"
        return _Target(
            workspace_id=self.workspace.pk,
            kind=self.kind.key,
            channel=channel,
            language=language,
            record=self.record,
            occurrence=self.occurrence,
            dedupe_key=dedupe_key(
                kind=self.kind.key,
                channel=channel,
                recipient=recipient,
                record=self.record,
                occurrence=self.occurrence,
            ),
            recipient_user=user,
            recipient_person=person,
        )

    def done_before(self, target: _Target) -> bool:
        """Whether this occurrence already went to this recipient on this channel."""
        if not target.dedupe_key:
            return False
        previous = MessageLog.objects.filter(
            workspace_id=self.workspace.pk, dedupe_key=target.dedupe_key
        ).first()
        if previous is not None:
            self.logs.append(previous)
        return previous is not None

    def skip(self, target: _Target, reason: str, *, address: str = "") -> None:
        self.logs.append(
            MessageLog.objects.create(
                status=MessageLog.Status.SKIPPED,
                skip_reason=reason,
                address=address,
                **target.log_fields(),
            )
        )

    def over_cap(self, target: _Target) -> bool:
        if self.record is None:
            return False
        sent = MessageLog.objects.filter(
            workspace_id=self.workspace.pk,
            record_kind=self.record[0],
            record_id=self.record[1],
            channel=target.channel,
            created_at__gte=timezone.now() - timedelta(days=1),
            status__in=COUNTED,
            **target.recipient_filter(),
        ).count()
        return sent >= int(settings.KLIENT_NOTIFY_RECORD_DAILY_CAP)

    def render(self, channel: str, language: str, *, html: bool = False) -> tuple[str, str]:
        """(subject, body) of the message on a channel; with `html` the body as HTML."""
        subject, body = kind_render(
            self.kind,
            channel=channel,
            language=language,
            context=self.context,
            overrides=self.overrides,
            html=html,
        )
        return subject, html_paragraphs(body) if html else body

    def email(self, target: _Target, address: str) -> None:
        subject, text = self.render(target.channel, target.language)
        self.logs.append(
            email_send(
                workspace_id=target.workspace_id,
                to=address,
                subject=subject,
                body_text=text,
                body_html=self.render(target.channel, target.language, html=True)[1],
                kind=target.kind,
                recipient_user=target.recipient_user,
                recipient_person=target.recipient_person,
                language=target.language,
                record=target.record,
                occurrence=target.occurrence,
                dedupe_key=target.dedupe_key,
            )
        )

    def sms(self, target: _Target, address: str) -> None:
        self.logs.append(
            sms_send(
                workspace_id=target.workspace_id,
                to=address,
                text=self.render(target.channel, target.language)[1],
                kind=target.kind,
                recipient_person=target.recipient_person,
                language=target.language,
                record=target.record,
                occurrence=target.occurrence,
                dedupe_key=target.dedupe_key,
            )
        )

    def in_app(self, target: _Target, user: User) -> None:
        note = notification_create(
            recipient=user,
            kind=self.kind.key,
            # The row keeps its own link; the rest is what the wording may use.
            params={name: value for name, value in self.context.items() if name != "url"},
            url=self.url,
            dedupe_key=target.dedupe_key,
        )
        self.logs.append(
            MessageLog.objects.create(
                status=MessageLog.Status.SENT,
                sent_at=timezone.now(),
                provider_id=str(note.pk) if note else "",
                address=user.username,
                subject=(note.text if note else "")[:300],
                **target.log_fields(),
            )
        )


def _channels(
    kind: NotificationKind, wanted: Collection[str], allowed: Collection[str]
) -> list[str]:
    return [channel for channel in kind.channels if channel in wanted and channel in allowed]


def _to_user(sending: _Sending, user: User, channels: Collection[str]) -> None:
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user.pk, kind=sending.kind.key).values_list(
            "channel", "enabled"
        )
    )
    language = user.language or sending.workspace.default_language
    for channel in _channels(sending.kind, (Channel.IN_APP, Channel.EMAIL), channels):
        target = sending.target(channel, language=language, user=user)
        if sending.done_before(target):
            continue
        if not chosen.get(channel, channel in sending.kind.user_channels):
            sending.skip(target, MessageLog.SkipReason.PREFERENCE_OFF)
        elif sending.over_cap(target):
            sending.skip(target, MessageLog.SkipReason.DAILY_CAP)
        elif channel == Channel.IN_APP:
            sending.in_app(target, user)
        elif not user.email:
            sending.skip(target, MessageLog.SkipReason.NO_ADDRESS)
        else:
            sending.email(target, user.email)


def consent_withdrawn(*, person: Person, purpose: str, channel: str) -> bool:
    """Whether the person's latest consent for this purpose on this channel is withdrawn
    (no consent recorded at all is not a withdrawal)."""
    latest = (
        Consent.objects.filter(person_id=person.pk, purpose__iexact=purpose, channel=channel)
        .order_by("-granted_at", "-pk")
        .values_list("withdrawn_at")
        .first()
    )
    return latest is not None and latest[0] is not None


def _to_person(sending: _Sending, person: Person, channels: Collection[str]) -> None:
    language = person.preferred_language or sending.workspace.default_language
    for channel in _channels(sending.kind, sending.kind.client_channels, channels):
        target = sending.target(channel, language=language, person=person)
        if sending.done_before(target):
            continue
        address = person.primary_email if channel == Channel.EMAIL else person.primary_phone
        if sending.kind.purpose != Purpose.TRANSACTIONAL and consent_withdrawn(
            person=person, purpose=sending.kind.purpose, channel=channel
        ):
            sending.skip(target, MessageLog.SkipReason.CONSENT_WITHDRAWN, address=address)
        elif not address:
            sending.skip(target, MessageLog.SkipReason.NO_ADDRESS)
        elif sending.over_cap(target):
            sending.skip(target, MessageLog.SkipReason.DAILY_CAP, address=address)
        elif channel == Channel.EMAIL:
            sending.email(target, address)
        elif channel == Channel.SMS:
            sending.sms(target, address)


@transaction.atomic
def notify(
    *,
    kind: str,
    workspace_id: int,
    context: Mapping[str, str],
    users: Sequence[User] = (),
    people: Sequence[Person] = (),
    record: Record | None = None,
    occurrence: str = "",
    url: str = "",
    channels: Collection[str] | None = None,
    wording: Overrides | None = None,
) -> list[MessageLog]:
    """Send a registered kind to colleagues and clients of one workspace; returns the log
    rows (one per recipient and channel, including skips and earlier sends of the same
    occurrence). `url` is the page it is about, as a path. `wording` replaces the kind's
    templates for this send only, keyed like the workspace's overrides: (kind, channel,
    language) -> (subject, body); a sender that lets people write it (a stage automation's
    message to the client) checks it with `template_validate` against the kind's
    placeholders when it is saved."""
    registered = notification_kinds.get(kind)
    workspace = Workspace.objects.get(pk=workspace_id)
    sending = _Sending(
        kind=registered,
        workspace=workspace,
        context=context,
        record=record,
        occurrence=occurrence,
        url=url,
    )
    if wording:
        sending.overrides = {**sending.overrides, **wording}
    allowed = set(Channel.values) if channels is None else set(channels)
    for user in users:
        if user.is_active and user.workspace_id == workspace_id:
            _to_user(sending, user, allowed)
    for person in people:
        if person.workspace_id == workspace_id:
            _to_person(sending, person, allowed)
    return sending.logs
