"""The kinds of the timeline's notifications: a task assigned, a mention, a reminder.

Registered here rather than in `activities`, which only sends its events; the wording
names the actor without a verb that agrees with them: Russian past tense marks gender
("поручил(а)"), and the context carries a name, never a gender.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.notifications.kinds import (
    Channel,
    KindTemplate,
    NotificationKind,
    Purpose,
    notification_kinds,
)

TASK_ASSIGNED = "task"
TASK_REMINDER = "task.reminder"
MENTIONED = "mention"

_TASK_EN = "{actor} assigned you a task: “{task.title}”"
_TASK_RU = "{actor}: вам назначена задача «{task.title}»"
_TASK_BG = "{actor} ви възложи задача „{task.title}“"
_TASK_ANON = {
    "en": "You were assigned a task: “{task.title}”",
    "ru": "Вам назначена задача «{task.title}»",
    "bg": "Възложена ви е задача „{task.title}“",
}
_TASK_SUBJECT = {
    "en": "Task: {task.title}",
    "ru": "Задача: {task.title}",
    "bg": "Задача: {task.title}",
}

_MENTION_EN = "{actor} mentioned you in a comment on {record.name}: “{comment.excerpt}”"
_MENTION_RU = "{actor}: вас упомянули в комментарии к «{record.name}» — «{comment.excerpt}»"
_MENTION_BG = "{actor} ви спомена в коментар към „{record.name}“: „{comment.excerpt}“"
_MENTION_ANON = {
    "en": "You were mentioned in a comment on {record.name}: “{comment.excerpt}”",
    "ru": "Вас упомянули в комментарии к «{record.name}» — «{comment.excerpt}»",
    "bg": "Споменаха ви в коментар към „{record.name}“: „{comment.excerpt}“",
}
_MENTION_SUBJECT = {
    "en": "Mention: {record.name}",
    "ru": "Упоминание: {record.name}",
    "bg": "Споменаване: {record.name}",
}

_REMINDER = {
    "en": "Reminder: “{task.title}” is due {task.due}",
    "ru": "Напоминание: «{task.title}», срок {task.due}",
    "bg": "Напомняне: „{task.title}“, срок {task.due}",
}
_REMINDER_SUBJECT = {
    "en": "Reminder: {task.title}",
    "ru": "Напоминание: {task.title}",
    "bg": "Напомняне: {task.title}",
}


def _with_link(bodies: dict[str, str]) -> dict[str, str]:
    """The email wording: the in-app sentence and the page's address below it."""
    return {language: f"{text}\n\n{{url}}" for language, text in bodies.items()}


def _email_and_app(bodies: dict[str, str], subjects: dict[str, str]) -> dict[str, KindTemplate]:
    return {
        Channel.IN_APP: KindTemplate(body=bodies),
        Channel.EMAIL: KindTemplate(body=_with_link(bodies), subject=subjects),
    }


def activity_kinds_register() -> None:
    both = frozenset({Channel.IN_APP, Channel.EMAIL})
    notification_kinds.register(
        NotificationKind(
            key=TASK_ASSIGNED,
            label=_("A task assigned to me"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=("actor", "task.title", "url"),
            templates=_email_and_app(
                {"en": _TASK_EN, "ru": _TASK_RU, "bg": _TASK_BG}, _TASK_SUBJECT
            ),
            variant_when_empty="actor",
            variant_templates=_email_and_app(_TASK_ANON, _TASK_SUBJECT),
            user_channels=both,
            order=10,
        )
    )
    notification_kinds.register(
        NotificationKind(
            key=MENTIONED,
            label=_("A mention in a comment"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=("actor", "record.name", "comment.excerpt", "url"),
            templates=_email_and_app(
                {"en": _MENTION_EN, "ru": _MENTION_RU, "bg": _MENTION_BG}, _MENTION_SUBJECT
            ),
            variant_when_empty="actor",
            variant_templates=_email_and_app(_MENTION_ANON, _MENTION_SUBJECT),
            user_channels=both,
            order=20,
        )
    )
    notification_kinds.register(
        NotificationKind(
            key=TASK_REMINDER,
            label=_("A reminder of my task"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=("task.title", "task.due", "url"),
            datetimes=frozenset({"task.due"}),
            templates=_email_and_app(_REMINDER, _REMINDER_SUBJECT),
            user_channels=frozenset({Channel.IN_APP}),
            order=30,
        )
    )
