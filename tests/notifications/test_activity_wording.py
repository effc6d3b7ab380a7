"""What the timeline's notifications say, in each language, and what they capture to say it.

The wording never needs the actor's grammatical gender: the params carry a name, not a
gender, so Russian "поручил(а)" is out.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from klient.activities.services import comment_create, interaction_create, task_create
from klient.contacts.services import person_create
from klient.notifications.kinds import notification_message
from klient.notifications.models import Notification
from tests.factories import UserFactory

TASK = {"actor": "Мария Илиева", "task.title": "Q3 report"}
TASK_NO_ACTOR = {"actor": "", "task.title": "Q3 report"}
MENTION = {
    "actor": "Мария Илиева",
    "record.name": "Иван Петров",
    "comment.excerpt": "call him back",
}
MENTION_NO_ACTOR = {"actor": "", "record.name": "Иван Петров", "comment.excerpt": "call him back"}


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.mark.parametrize(
    ("kind", "params", "language", "expected"),
    [
        ("task", TASK, "en", "Мария Илиева assigned you a task: “Q3 report”"),
        ("task", TASK, "ru", "Мария Илиева: вам назначена задача «Q3 report»"),
        ("task", TASK, "bg", "Мария Илиева ви възложи задача „Q3 report“"),
        ("task", TASK_NO_ACTOR, "en", "You were assigned a task: “Q3 report”"),
        ("task", TASK_NO_ACTOR, "ru", "Вам назначена задача «Q3 report»"),
        ("task", TASK_NO_ACTOR, "bg", "Възложена ви е задача „Q3 report“"),
        (
            "mention",
            MENTION,
            "en",
            "Мария Илиева mentioned you in a comment on Иван Петров: “call him back”",
        ),
        (
            "mention",
            MENTION,
            "ru",
            "Мария Илиева: вас упомянули в комментарии к «Иван Петров» — «call him back»",
        ),
        (
            "mention",
            MENTION,
            "bg",
            "Мария Илиева ви спомена в коментар към „Иван Петров“: „call him back“",
        ),
        (
            "mention",
            MENTION_NO_ACTOR,
            "en",
            "You were mentioned in a comment on Иван Петров: “call him back”",
        ),
        (
            "mention",
            MENTION_NO_ACTOR,
            "ru",
            "Вас упомянули в комментарии к «Иван Петров» — «call him back»",
        ),
        (
            "mention",
            MENTION_NO_ACTOR,
            "bg",
            "Споменаха ви в коментар към „Иван Петров“: „call him back“",
        ),
    ],
    ids=[
        f"{kind}-{'actor' if actor else 'no-actor'}-{language}"
        for kind in ("task", "mention")
        for actor in (True, False)
        for language in ("en", "ru", "bg")
    ],
)
def test_each_notification_is_worded_in_the_active_language(kind, params, language, expected):
    with translation.override(language):
        assert notification_message(kind=kind, params=params, fallback="stored") == expected


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


@pytest.mark.django_db
def test_a_task_assignment_keeps_the_actor_and_title_and_is_written_in_the_assignees_language(
    maria, agent_a2, person, django_capture_on_commit_callbacks
):
    agent_a2.language = "ru"
    agent_a2.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        task_create(actor=maria, title="Q3 report", assignee=agent_a2, person=person)

    note = Notification.objects.get(recipient=agent_a2)
    assert (note.kind, note.params, note.text) == (
        "task",
        {"actor": "Мария Илиева", "task.title": "Q3 report"},
        "Мария Илиева: вам назначена задача «Q3 report»",
    )


@pytest.mark.django_db
def test_a_mention_keeps_the_actor_client_and_excerpt_and_is_written_in_their_language(
    maria, agent_a2, person, django_capture_on_commit_callbacks
):
    agent_a2.language = "bg"
    agent_a2.save(update_fields=["language"])
    interaction = interaction_create(actor=maria, kind="call", person=person)

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(actor=maria, interaction=interaction, body="@agent_a2 call him back")

    note = Notification.objects.get(recipient=agent_a2)
    assert (note.kind, note.params, note.text) == (
        "mention",
        {
            "actor": "Мария Илиева",
            "record.name": "Иван Петров",
            "comment.excerpt": "@agent_a2 call him back",
        },
        "Мария Илиева ви спомена в коментар към „Иван Петров“: „@agent_a2 call him back“",
    )
