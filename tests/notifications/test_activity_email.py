"""Mentions and task assignments also go by email, in the recipient's language, through
the real SMTP server; the notifications app hears the events, activities never calls it."""

from __future__ import annotations

import pytest

from klient.activities.services import comment_create, interaction_create, task_create
from klient.contacts.services import person_create
from klient.core import events
from klient.core.models import OutboxJob
from klient.notifications.activity_kinds import MENTIONED
from klient.notifications.kinds import Channel
from klient.notifications.models import MessageLog, Notification
from klient.notifications.services import preference_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(workspace, team_a):
    return UserFactory(
        workspace=workspace,
        username="maria",
        first_name="Мария",
        last_name="Илиева",
        teams=[team_a],
    )


@pytest.fixture
def person(maria):
    return person_create(actor=maria, first_name="Иван", last_name="Петров")


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode().replace("\r\n", "\n")


def test_a_mention_is_emailed_in_the_colleagues_language(
    smtp, maria, agent_a2, person, django_capture_on_commit_callbacks
):
    agent_a2.language = "bg"
    agent_a2.save(update_fields=["language"])
    interaction = interaction_create(actor=maria, kind="call", person=person)

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=maria, interaction=interaction, body="@agent_a2 call him back")

    [(recipients, received)] = smtp.inbox.messages
    assert recipients == ["agent_a2@example.org"]
    assert _body(received) == (
        "Мария Илиева ви спомена в коментар към „Иван Петров“: „@agent_a2 call him back“\n\n"
        f"http://127.0.0.1:8000/people/{person.pk}/"
    )
    assert Notification.objects.filter(recipient=agent_a2, kind=MENTIONED).count() == 1


def test_an_assigned_task_is_emailed_to_the_assignee(
    smtp, maria, agent_a2, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_create(actor=maria, title="Q3 report", assignee=agent_a2, person=person)

    [(recipients, received)] = smtp.inbox.messages
    assert (recipients, received["Subject"]) == (["agent_a2@example.org"], "Task: Q3 report")


def test_a_colleague_who_turned_mention_emails_off_gets_only_the_bell(
    smtp, maria, agent_a2, person, django_capture_on_commit_callbacks
):
    preference_set(user=agent_a2, kind=MENTIONED, channel=Channel.EMAIL, enabled=False)
    interaction = interaction_create(actor=maria, kind="call", person=person)

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=maria, interaction=interaction, body="@agent_a2 look")

    assert smtp.inbox.messages == []
    assert sorted(
        MessageLog.objects.filter(recipient_user=agent_a2).values_list("channel", "skip_reason")
    ) == [("email", "preference_off"), ("in_app", "")]


def test_the_timeline_sends_the_events_the_notifications_app_listens_to(maria, agent_a2, person):
    with events.captured() as sent:
        task_create(actor=maria, title="Q3 report", assignee=agent_a2, person=person)

    assert [item.name for item in sent] == ["task.assigned"]
    assert "task.assigned:klient.notifications.handlers.task_assigned_notify" in list(
        OutboxJob.objects.values_list("name", flat=True)
    )
