"""Kinds of timeline entry: this app's channels, and what other apps add.

A kind is stored by key on each interaction. The timeline's own kinds (call, email,
meeting, ...) are registered by this app's plug; an app above it registers the system
events it records (`sales.stage_moved`, `service.resolved`) from its own plug, so a
new kind never means editing this app. Keys are at most 40 characters; an app's own
kinds start with its label and a dot.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from klient.core.registry import Label, Registry

KIND_MAX_LENGTH = 40


@dataclass(frozen=True)
class InteractionKind:
    """- `composer`: offered in the card's "log an interaction" form;
    - `system`: written only by services, with no human author (a stage move, a request
      resolved): refused from the API and the forms, and not editable by people;
    - `icon`: a symbol of klient/_icons.html (the timeline shows it)."""

    key: str
    label: Label
    icon: str = "i-note"
    composer: bool = False
    system: bool = False
    order: int = 100


interaction_kinds: Registry[InteractionKind] = Registry("interaction kinds")


def interaction_kind_label(key: str) -> str:
    """The kind's name in the active language; a kind no longer registered shows its key."""
    return str(interaction_kinds.get(key).label) if key in interaction_kinds else key


def interaction_kind_icon(key: str) -> str:
    return interaction_kinds.get(key).icon if key in interaction_kinds else "i-note"


def composer_kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, str(kind.label)) for kind in interaction_kinds if kind.composer]


def kind_is_writable(key: str) -> bool:
    """A kind a person (a form, the API, an import) may record."""
    return key in interaction_kinds and not interaction_kinds.get(key).system


def own_kinds_register() -> None:
    """The channels of the timeline itself. Notes have their own composer tab; portal
    events and survey answers are recorded by the modules they come from."""
    own = (
        ("call", _("Call"), True),
        ("email", _("Email"), True),
        ("meeting", _("Meeting"), True),
        ("chat", _("Chat"), True),
        ("sms", _("SMS"), True),
        ("note", _("Note"), False),
        ("portal", _("Portal"), False),
        ("survey_answer", _("Survey answer"), False),
    )
    for order, (key, label, composer) in enumerate(own):
        interaction_kinds.register(
            InteractionKind(
                key=key, label=label, icon=f"i-{key}", composer=composer, order=order * 10
            )
        )
