"""The kinds of in-app notification, and how one is worded for whoever reads it.

A notification stores its kind and flat params (plain strings captured when it was
created: who did it, the task's title, the client's name), so it stays readable after
its source is deleted. It is worded when shown, in the reader's language at that moment,
by its kind's `render`; an app registers the kinds it creates (see activities'
`notification_kinds`). The text rendered at creation, in the recipient's language then,
is kept as the fallback: rows written before params existed, a kind no longer
registered, or params a changed wording no longer fits still show, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from klient.core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    """`render(params)` words a notification in the active language (gettext, not lazy).

    Keep the wording free of the actor's grammatical gender ("Мария Илиева: вам назначена
    задача …", not "поручил(а)"): the params carry a name, never a gender.
    """

    key: str
    render: Callable[[Mapping[str, str]], str]
    order: int = 100


notification_kinds: Registry[NotificationKind] = Registry("notification kinds")


def notification_message(*, kind: str, params: object, fallback: str) -> str:
    """The notification worded in the active language, or `fallback` when it cannot be."""
    if not params or not isinstance(params, dict) or kind not in notification_kinds:
        return fallback
    try:
        return notification_kinds.get(kind).render(params)
    except (KeyError, TypeError, ValueError):
        # A missing param or a translation whose placeholders drifted: the stored text
        # still says what happened, in the recipient's language of the time.
        return fallback
