"""Events of the timeline and tasks: what is sent, and what the notification handlers do."""

from __future__ import annotations

import pytest

from klient.activities.events import CommentMentioned, InteractionCreated, TaskAssigned
from klient.activities.services import (
    comment_create,
    interaction_create,
    task_create,
    task_update,
)
from klient.contacts.services import person_create
from klient.core import events
from klient.core.jobs import job_get
from klient.core.models import OutboxJob
from klient.notifications.models import Notification

pytestmark = pytest.mark.django_db

TASK_NOTIFY = "task.assigned:klient.notifications.handlers.task_assigned_notify"


@pytest.fixture
def person(agent_a):
    return person_create(actor=agent_a, last_name="Client")


def test_logging_an_interaction_sends_interaction_created_once(agent_a, person):
    with events.captured() as sent:
        interaction = interaction_create(
            actor=agent_a, kind="call", person=person, idempotency_key="k1"
        )
        interaction_create(actor=agent_a, kind="call", person=person, idempotency_key="k1")

    assert [(item.name, item.payload) for item in sent] == [
        (
            "interaction.created",
            InteractionCreated(
                workspace_id=agent_a.workspace_id,
                interaction_id=interaction.pk,
                kind="call",
                person_id=person.pk,
                organization_id=None,
                author_id=agent_a.pk,
            ),
        )
    ]


def test_a_comment_with_mentions_sends_their_ids_and_one_without_sends_nothing(
    agent_a, agent_a2, person
):
    interaction = interaction_create(actor=agent_a, kind="call", person=person)
    with events.captured() as sent:
        comment_create(actor=agent_a, interaction=interaction, body="no one here")
        comment = comment_create(actor=agent_a, interaction=interaction, body="@agent_a2 look")

    assert [(item.name, item.payload) for item in sent] == [
        (
            "comment.mentioned",
            CommentMentioned(
                workspace_id=agent_a.workspace_id,
                comment_id=comment.pk,
                interaction_id=interaction.pk,
                author_id=agent_a.pk,
                mentioned_user_ids=[agent_a2.pk],
            ),
        )
    ]


def test_creating_a_task_for_a_colleague_sends_task_assigned_and_notifies_them(
    agent_a, agent_a2, person, django_capture_on_commit_callbacks
):
    with events.captured() as sent, django_capture_on_commit_callbacks(execute=True):
        task = task_create(actor=agent_a, title="Call back", assignee=agent_a2, person=person)

    assert [item.payload for item in sent] == [
        TaskAssigned(
            workspace_id=agent_a.workspace_id,
            task_id=task.pk,
            assignee_id=agent_a2.pk,
            assigned_by_id=agent_a.pk,
        )
    ]
    note = Notification.objects.get(recipient=agent_a2)
    assert (note.kind, note.text, note.url) == (
        "task",
        f"{agent_a.display_name} assigned you a task: “Call back”",
        f"/people/{person.pk}/",
    )


def test_a_task_of_ones_own_notifies_no_one(agent_a, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task_create(actor=agent_a, title="Mine", person=person)

    assert OutboxJob.objects.get(name=TASK_NOTIFY).status == "done"
    assert Notification.objects.count() == 0


def test_reassigning_a_task_notifies_the_new_assignee(
    agent_a, agent_a2, manager_a, person, django_capture_on_commit_callbacks
):
    task = task_create(actor=agent_a, title="Call back", person=person)
    with events.captured() as sent, django_capture_on_commit_callbacks(execute=True):
        task_update(actor=manager_a, task=task, data={"assignee_id": agent_a2.pk})
        task_update(actor=manager_a, task=task, data={"title": "Call back today"})

    assert [item.payload for item in sent] == [
        TaskAssigned(
            workspace_id=agent_a.workspace_id,
            task_id=task.pk,
            assignee_id=agent_a2.pk,
            assigned_by_id=manager_a.pk,
        )
    ]
    note = Notification.objects.get(recipient=agent_a2)
    assert note.text == f"{manager_a.display_name} assigned you a task: “Call back today”"


def test_a_task_assignment_run_twice_notifies_once(
    agent_a, agent_a2, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_create(actor=agent_a, title="Call back", assignee=agent_a2, person=person)
    row = OutboxJob.objects.get(name=TASK_NOTIFY)
    OutboxJob.objects.filter(pk=row.pk).update(status="pending")

    job_get(TASK_NOTIFY)._run_outbox(row.pk)

    assert OutboxJob.objects.get(pk=row.pk).status == "done"
    assert Notification.objects.filter(recipient=agent_a2).count() == 1


def test_an_assignment_handled_after_a_reassignment_notifies_no_one(
    agent_a, agent_a2, manager_a, person
):
    """The worker came late: the task went to someone else meanwhile."""
    task = task_create(actor=agent_a, title="Call back", assignee=agent_a2, person=person)
    task_update(actor=manager_a, task=task, data={"assignee_id": manager_a.pk})
    first = OutboxJob.objects.filter(name=TASK_NOTIFY).order_by("pk").first()

    job_get(TASK_NOTIFY)._run_outbox(first.pk)

    assert Notification.objects.filter(recipient=agent_a2).count() == 0
