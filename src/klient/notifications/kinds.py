"""The registry of notification kinds: what each one is for, the values it fills in, and
its default templates per channel and language.

A kind is registered by the app whose events it reports, from that app's `plug()` or
this app's (`activity_kinds.py` for the timeline's). It declares:

- `purpose`: transactional (a task assigned to you, an order shipped), survey or
  marketing. A client's withdrawn consent for a purpose and channel skips only kinds of
  that purpose on that channel; transactional kinds need no consent.
- `placeholders`: the flat context its templates may use (`actor`, `task.title`,
  `client.first_name`), all strings captured when the message is made, so an in-app
  notification still reads right after its source is deleted. Names in `datetimes` hold
  ISO 8601 times, shown in the reader's format and time zone.
- `templates`: per channel, a subject (email only) and a body per language. A workspace
  may override any of them (`NotificationTemplate`); an override may only use the
  declared placeholders.
- `variant_when_empty`/`variant_templates`: the wording used when that value is empty
  (a task assigned by nobody known), so templates need no conditionals.
- `user_channels`: the channels colleagues get it on unless their preferences say
  otherwise; `client_channels`: the channels a client gets it on.

In-app notifications are worded when shown, in the reader's language of the moment;
the text worded at creation is kept as the fallback for rows a changed kind no longer
fits, so an old notification never breaks the bell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klient.core.registry import Label, Registry
from klient.notifications.formatter import TemplateInvalid, template_fill, template_validate

KIND_MAX_LENGTH = 32


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Purpose(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    SURVEY = "survey", _("Survey")
    MARKETING = "marketing", _("Marketing")


@dataclass(frozen=True)
class KindTemplate:
    """One channel's wording: `body` (and for email `subject`) by language code."""

    body: Mapping[str, str]
    subject: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: Label
    purpose: str
    placeholders: tuple[str, ...]
    templates: Mapping[str, KindTemplate]
    datetimes: frozenset[str] = frozenset()
    variant_when_empty: str = ""
    variant_templates: Mapping[str, KindTemplate] = field(default_factory=dict)
    user_channels: frozenset[str] = frozenset({Channel.IN_APP})
    client_channels: frozenset[str] = frozenset()
    order: int = 100

    def __post_init__(self) -> None:
        if len(self.key) > KIND_MAX_LENGTH:
            raise ValueError(f"notification kind {self.key!r}: at most {KIND_MAX_LENGTH} chars")
        if self.purpose not in Purpose.values:
            raise ValueError(f"notification kind {self.key!r}: unknown purpose {self.purpose!r}")
        for channel, template in [*self.templates.items(), *self.variant_templates.items()]:
            if channel not in Channel.values:
                raise ValueError(f"notification kind {self.key!r}: unknown channel {channel!r}")
            for text in [*template.body.values(), *template.subject.values()]:
                template_validate(text, self.placeholders)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(channel for channel in Channel.values if channel in self.templates)


notification_kinds: Registry[NotificationKind] = Registry("notification kinds")

# (kind, channel, language) -> (subject, body): a workspace's overrides, read in one query.
Overrides = Mapping[tuple[str, str, str], tuple[str, str]]


def language_pick(language: str | None, available: Mapping[str, str]) -> str:
    """The language to word a message in: the one asked for if the kind has it, else the
    site's default, else English."""
    code = (language or "").split("-")[0].lower()
    for candidate in (code, settings.LANGUAGE_CODE.split("-")[0], "en"):
        if candidate in available:
            return candidate
    return next(iter(available), "en")


def _localized(kind: NotificationKind, context: Mapping[str, str]) -> dict[str, str]:
    values = {name: str(value) for name, value in context.items()}
    for name in kind.datetimes:
        if values.get(name):
            moment = datetime.fromisoformat(values[name])
            values[name] = date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return values


def kind_template(
    kind: NotificationKind,
    *,
    channel: str,
    language: str,
    context: Mapping[str, str],
    overrides: Overrides | None = None,
) -> tuple[str, str]:
    """(subject, body) templates for a channel in a language: the workspace's override,
    else the kind's default (its variant when the variant's value is empty)."""
    template = kind.templates[channel]
    if kind.variant_when_empty and not context.get(kind.variant_when_empty):
        template = kind.variant_templates.get(channel, template)
    else:
        override = (overrides or {}).get((kind.key, channel, language))
        if override is not None:
            return override
    chosen = language_pick(language, template.body)
    subject = template.subject.get(chosen) or template.subject.get("en", "")
    return subject, template.body[chosen]


def kind_render(
    kind: NotificationKind,
    *,
    channel: str,
    language: str | None,
    context: Mapping[str, str],
    overrides: Overrides | None = None,
    html: bool = False,
) -> tuple[str, str]:
    """(subject, body) of a message, filled from the context, in `language`."""
    chosen = language_pick(language, kind.templates[channel].body)
    subject, body = kind_template(
        kind, channel=channel, language=chosen, context=context, overrides=overrides
    )
    values = _localized(kind, context)
    return template_fill(subject, values), template_fill(body, values, html=html)


def notification_message(
    *, kind: str, params: object, fallback: str, overrides: Overrides | None = None
) -> str:
    """An in-app notification worded in the active language, or `fallback` when it
    cannot be (a kind no longer registered, params a changed wording no longer fits)."""
    if not params or not isinstance(params, dict) or kind not in notification_kinds:
        return fallback
    registered = notification_kinds.get(kind)
    if Channel.IN_APP not in registered.templates:
        return fallback
    try:
        return kind_render(
            registered,
            channel=Channel.IN_APP,
            language=get_language(),
            context=params,
            overrides=overrides,
        )[1]
    except (TemplateInvalid, TypeError, ValueError):
        return fallback
