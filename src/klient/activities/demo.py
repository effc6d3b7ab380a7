"""Demo timeline: calls, emails, meetings, tasks and comments on the demo clients."""

from __future__ import annotations

from datetime import timedelta

from klient.activities.models import Interaction
from klient.activities.services import comment_create, interaction_create, task_create
from klient.core.registry import DemoContext

HOUR = timedelta(hours=1)

CALL_SUBJECTS = {
    "ru": [
        "Обсудили условия доставки",
        "Запрос коммерческого предложения",
        "Жалоба на сроки",
        "Уточнение по счёту",
        "Повторный заказ",
        "Перезвонить после обеда",
    ],
    "bg": [
        "Обсъдихме условията за доставка",
        "Запитване за оферта",
        "Оплакване за срока",
        "Въпрос по фактурата",
        "Повторна поръчка",
    ],
    "en": [
        "Discussed delivery terms",
        "Asked for a quote",
        "Complaint about delays",
        "Invoice question",
        "Repeat order",
        "Call back after lunch",
    ],
}


def demo_activities_create(context: DemoContext) -> None:
    rng, writers, sees, now = context.rng, context.writers, context.sees, context.now
    workspace = context.workspace
    interactions = context.sizes["interactions"]
    persons = context.made["contacts.people"]
    kinds = ["call", "call", "email", "meeting", "note", "chat", "sms"]
    for index in range(interactions):
        language, person = persons[rng.randrange(len(persons))]
        author = rng.choice([user for user in writers if sees(user, person)])
        kind = rng.choice(kinds)
        interaction_create(
            actor=author,
            kind=kind,
            person=person,
            direction=rng.choice(["inbound", "outbound"]),
            occurred_at=now - timedelta(minutes=rng.randint(5, 60 * 24 * 365)),
            duration_seconds=rng.randint(30, 1800) if kind == "call" else None,
            subject=rng.choice(CALL_SUBJECTS[language]),
            body="",
            idempotency_key=f"demo:{index}",
        )
    for _index in range(60):
        _language, person = persons[rng.randrange(len(persons))]
        colleagues = [user for user in writers if sees(user, person)]
        author = rng.choice(colleagues)
        due_at = now + timedelta(hours=rng.randint(-72, 240))
        task_create(
            actor=author,
            title=rng.choice(
                ["Перезвонить клиенту", "Отправить КП", "Изпрати оферта", "Send the contract"]
            ),
            assignee=rng.choice(colleagues),
            person=person,
            due_at=due_at,
            # Reminders on tasks still ahead, so the worker's first run sends no burst.
            remind_before_minutes=rng.choice([None, 15, 60]) if due_at > now + HOUR else None,
        )
    for interaction in (
        Interaction.objects.filter(workspace=workspace)
        .select_related("person")
        .order_by("-id")[:20]
    ):
        comment_create(
            actor=rng.choice([user for user in writers if sees(user, interaction.person)]),
            interaction=interaction,
            body="@olga посмотри, пожалуйста / please take a look",
        )
