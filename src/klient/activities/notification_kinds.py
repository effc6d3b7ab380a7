"""How the timeline's notifications are worded, in the reader's language when shown.

Params are plain strings captured at creation (core.notification_kinds). The wording
names the actor without a verb that agrees with them: Russian past tense marks gender
("поручил(а)"), and the params carry none.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from klient.core.notification_kinds import NotificationKind, notification_kinds

TASK_ASSIGNED = "task"
MENTIONED = "mention"


def task_assigned_message(params: Mapping[str, str]) -> str:
    """params: actor (empty when unknown), title."""
    if params.get("actor"):
        return _("%(actor)s assigned you a task: “%(title)s”") % {
            "actor": params["actor"],
            "title": params["title"],
        }
    return _("You were assigned a task: “%(title)s”") % {"title": params["title"]}


def mentioned_message(params: Mapping[str, str]) -> str:
    """params: actor (empty when unknown), subject (the client's name), excerpt."""
    values = {"subject": params["subject"], "excerpt": params["excerpt"]}
    if params.get("actor"):
        return _("%(actor)s mentioned you in a comment on %(subject)s: “%(excerpt)s”") % {
            "actor": params["actor"],
            **values,
        }
    return _("You were mentioned in a comment on %(subject)s: “%(excerpt)s”") % values


def notification_kinds_register() -> None:
    notification_kinds.register(NotificationKind(key=TASK_ASSIGNED, render=task_assigned_message))
    notification_kinds.register(NotificationKind(key=MENTIONED, render=mentioned_message))
