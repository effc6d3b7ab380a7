from datetime import timedelta

import pytest
from django.utils import timezone

from klient.activities.models import Interaction
from klient.activities.selectors import tasks_my_overdue, timeline_page
from klient.activities.services import (
    comment_create,
    interaction_create,
    task_complete,
    task_create,
)
from klient.contacts.services import organization_create, person_create
from klient.core.errors import PermissionDenied, ValidationFailed
from klient.core.jobs import outbox_sweep
from klient.core.models import OutboxJob
from klient.notifications.models import Notification


def test_timeline_is_newest_first_and_pages_without_repeats(agent_a):
    person = person_create(actor=agent_a, last_name="Timeline")
    now = timezone.now()
    for minutes in range(45):
        interaction_create(
            actor=agent_a,
            kind="call",
            person=person,
            occurred_at=now - timedelta(minutes=minutes % 15),
            subject=str(minutes),
        )
    seen, cursor = [], None
    while True:
        page = timeline_page(
            user=agent_a, owner=("contacts.person", person.pk), cursor=cursor, limit=10
        )
        seen += [(item.occurred_at, item.pk) for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 45
    assert len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)


def test_organization_timeline_includes_its_people(agent_a):
    org = organization_create(actor=agent_a, name="Ромашка")
    person = person_create(actor=agent_a, last_name="Worker", organization_id=org.pk)
    interaction_create(actor=agent_a, kind="meeting", organization=org, subject="kickoff")
    interaction_create(actor=agent_a, kind="call", person=person, subject="call")
    page = timeline_page(user=agent_a, owner=("contacts.organization", org.pk))
    assert {item.subject for item in page.items} == {"kickoff", "call"}


def test_interaction_idempotency_key_returns_the_first(agent_a):
    person = person_create(actor=agent_a, last_name="Idem")
    first = interaction_create(actor=agent_a, kind="call", person=person, idempotency_key="pbx:1")
    again = interaction_create(actor=agent_a, kind="call", person=person, idempotency_key="pbx:1")
    assert first.pk == again.pk
    assert Interaction.objects.count() == 1


def test_interaction_needs_a_subject_and_a_known_kind(agent_a):
    person = person_create(actor=agent_a, last_name="X")
    with pytest.raises(ValidationFailed):
        interaction_create(actor=agent_a, kind="call")
    with pytest.raises(ValidationFailed) as caught:
        interaction_create(actor=agent_a, kind="telepathy", person=person)
    assert "kind" in caught.value.fields


def test_mention_notifies_each_mentioned_user_once(
    agent_a, agent_a2, manager_a, django_capture_on_commit_callbacks
):
    person = person_create(actor=agent_a, last_name="Client")
    interaction = interaction_create(actor=agent_a, kind="call", person=person)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(
            actor=agent_a,
            interaction=interaction,
            body="@agent_a2 and @manager_a, see this; @agent_a2 again, @nobody",
        )

    notes = Notification.objects.filter(kind="mention").order_by("recipient__username")
    assert [n.recipient.username for n in notes] == ["agent_a2", "manager_a"]
    assert notes[0].url == f"/people/{person.pk}/"
    job = OutboxJob.objects.get(
        name="comment.mentioned:klient.notifications.handlers.comment_mentioned_notify"
    )
    assert job.status == OutboxJob.Status.DONE
    # A re-dispatch (as after a worker crash) adds nothing.
    OutboxJob.objects.filter(pk=job.pk).update(status=OutboxJob.Status.PENDING, dispatched_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(older_than_seconds=0) == 1
    assert Notification.objects.filter(kind="mention").count() == 2


def test_my_overdue_tasks(agent_a, agent_a2):
    person = person_create(actor=agent_a, last_name="Client")
    now = timezone.now()
    overdue = task_create(
        actor=agent_a, title="late", person=person, due_at=now - timedelta(hours=1)
    )
    task_create(actor=agent_a, title="future", person=person, due_at=now + timedelta(hours=1))
    task_create(
        actor=agent_a, title="someone else's", assignee=agent_a2, due_at=now - timedelta(hours=1)
    )
    done = task_create(actor=agent_a, title="done", due_at=now - timedelta(hours=2))
    task_complete(actor=agent_a, task=done)

    assert [t.pk for t in tasks_my_overdue(user=agent_a)] == [overdue.pk]


def test_analyst_cannot_log_interactions(analyst, admin):
    person = person_create(actor=admin, last_name="X")
    with pytest.raises(PermissionDenied):
        interaction_create(actor=analyst, kind="call", person=person)
