"""What sales tells people: a deal stuck past its stage's time limit (to its owner)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.notifications.kinds import (
    Channel,
    KindTemplate,
    NotificationKind,
    Purpose,
    notification_kinds,
)

DEAL_OVERDUE = "sales.deal_overdue"

_OVERDUE = {
    "en": "Deal “{deal.title}” has been in stage “{stage.name}” past its time limit",
    "ru": "Сделка «{deal.title}» дольше срока находится на этапе «{stage.name}»",
    "bg": "Сделката „{deal.title}“ е на етап „{stage.name}“ по-дълго от срока",
}
_OVERDUE_SUBJECT = {
    "en": "Deal overdue in stage: {deal.title}",
    "ru": "Сделка задержалась на этапе: {deal.title}",
    "bg": "Сделка, задържана на етап: {deal.title}",
}


def notification_kinds_register() -> None:
    notification_kinds.register(
        NotificationKind(
            key=DEAL_OVERDUE,
            label=_("A deal of mine stuck past a stage's time limit"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=("deal.title", "stage.name", "url"),
            templates={
                Channel.IN_APP: KindTemplate(body=_OVERDUE),
                Channel.EMAIL: KindTemplate(
                    body={lang: f"{text}\n\n{{url}}" for lang, text in _OVERDUE.items()},
                    subject=_OVERDUE_SUBJECT,
                ),
            },
            user_channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
            order=100,
        )
    )


STAGE_ENTERED = "sales.stage_entered"
CLIENT_UPDATE = "sales.client_update"
CLIENT_PLACEHOLDERS = (
    "deal.title",
    "stage.name",
    "pipeline.name",
    "client.name",
    "manager.name",
    "manager.email",
)

_ENTERED = {
    "en": "Deal “{deal.title}” moved to “{stage.name}” ({pipeline.name})",
    "ru": "Сделка «{deal.title}» перешла на этап «{stage.name}» ({pipeline.name})",
    "bg": "Сделката „{deal.title}“ премина на етап „{stage.name}“ ({pipeline.name})",
}
_ENTERED_SUBJECT = {
    "en": "{deal.title}: {stage.name}",
    "ru": "{deal.title}: {stage.name}",
    "bg": "{deal.title}: {stage.name}",
}
_CLIENT_BODY = {
    "en": "Hello,\n\nYour order “{deal.title}” is now at the stage “{stage.name}”.\n\n"
    "{manager.name}\n{manager.email}",
    "ru": "Здравствуйте!\n\nВаш заказ «{deal.title}» перешёл на этап «{stage.name}».\n\n"
    "{manager.name}\n{manager.email}",
    "bg": "Здравейте,\n\nВашата поръчка „{deal.title}“ е на етап „{stage.name}“.\n\n"
    "{manager.name}\n{manager.email}",
}
_CLIENT_SUBJECT = {
    "en": "{deal.title}: {stage.name}",
    "ru": "{deal.title}: {stage.name}",
    "bg": "{deal.title}: {stage.name}",
}
_CLIENT_SMS = {
    "en": "{deal.title}: {stage.name}. {manager.name}",
    "ru": "{deal.title}: {stage.name}. {manager.name}",
    "bg": "{deal.title}: {stage.name}. {manager.name}",
}


def automation_kinds_register() -> None:
    """The kinds stage automations send: to colleagues, and to the deal's contacts (whose
    wording an automation may replace with its own, checked against these placeholders)."""
    notification_kinds.register(
        NotificationKind(
            key=STAGE_ENTERED,
            label=_("A deal of my team entered a stage"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=("actor", "deal.title", "stage.name", "pipeline.name", "url"),
            templates={
                Channel.IN_APP: KindTemplate(body=_ENTERED),
                Channel.EMAIL: KindTemplate(
                    body={lang: f"{text}\n\n{{url}}" for lang, text in _ENTERED.items()},
                    subject=_ENTERED_SUBJECT,
                ),
            },
            user_channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
            order=110,
        )
    )
    notification_kinds.register(
        NotificationKind(
            key=CLIENT_UPDATE,
            label=_("Deal progress, to the client"),
            purpose=Purpose.TRANSACTIONAL,
            placeholders=CLIENT_PLACEHOLDERS,
            templates={
                Channel.EMAIL: KindTemplate(body=_CLIENT_BODY, subject=_CLIENT_SUBJECT),
                Channel.SMS: KindTemplate(body=_CLIENT_SMS),
            },
            client_channels=frozenset({Channel.EMAIL, Channel.SMS}),
            order=120,
        )
    )
