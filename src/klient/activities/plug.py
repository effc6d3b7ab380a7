"""What the timeline registers with the platform (klient.core.registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.activities.demo import demo_activities_create
from klient.activities.models import Interaction, Task
from klient.activities.notification_kinds import notification_kinds_register
from klient.activities.selectors import person_timeline_rows, tasks_open_rows
from klient.activities.views import card_activity_context
from klient.core.models import User
from klient.core.registry import (
    CardPanel,
    Client360Section,
    ClientRecordsHandler,
    DemoStep,
    NavItem,
    card_panels,
    client_360_sections,
    client_records,
    demo_steps,
    nav_items,
)

_SUBJECT_FIELD = {"contacts.person": "person_id", "contacts.organization": "organization_id"}


def _card_activity(user: User, record: Any) -> dict[str, Any]:
    return card_activity_context(user, record)


def _history_count(subject: str, record_id: int) -> int:
    field = _SUBJECT_FIELD[subject]
    return (
        Interaction.objects.filter(**{field: record_id}).count()
        + Task.objects.filter(**{field: record_id}).count()
    )


def plug() -> None:
    notification_kinds_register()
    nav_items.register(
        NavItem(
            key="activities.tasks",
            label=_("My tasks"),
            url=lambda user: reverse("activities:task_list"),
            icon="i-tasks",
            section="activities",
            order=20,
        )
    )
    for subject in ("contacts.person", "contacts.organization"):
        card_panels.register(
            CardPanel(
                key=f"activities.{subject}",
                subject=subject,
                template="activities/_card_activity.html",
                context=_card_activity,
                column="main",
                order=10,
            )
        )
    client_360_sections.register(
        Client360Section(
            key="timeline",
            rows=lambda user, person_id, limit: person_timeline_rows(
                person_id=person_id, limit=limit
            ),
            order=10,
        )
    )
    client_360_sections.register(
        Client360Section(
            key="open_tasks",
            rows=lambda user, person_id, limit: tasks_open_rows(person_id=person_id),
            order=20,
        )
    )
    # The timeline is the client's own history: it goes with a deleted client, as before.
    client_records.register(
        ClientRecordsHandler(
            key="activities.history",
            label=_("Interactions and tasks"),
            count=_history_count,
            protects=False,
        )
    )
    demo_steps.register(DemoStep(key="activities", run=demo_activities_create, order=30))
