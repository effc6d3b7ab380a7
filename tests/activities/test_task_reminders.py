"""A task's reminder goes once, at its offset before the due time, to its assignee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from klient.activities.jobs import task_reminders_periodic
from klient.activities.services import task_create, task_reminders_send, task_update
from klient.contacts.services import person_create
from klient.notifications.kinds import notification_message
from klient.notifications.models import Notification
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _reminders(user):
    return list(Notification.objects.filter(recipient=user, kind="task.reminder"))


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the sweep as the worker does; the events' outbox jobs run on commit."""

    def run(at: datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return task_reminders_send(now=at)

    return run


@pytest.fixture
def task(agent_a, admin):
    person = person_create(actor=agent_a, last_name="Напоминаев")
    return task_create(
        actor=admin,
        title="Call back",
        assignee=agent_a,
        due_at=DUE,
        person=person,
        remind_before_minutes=15,
    )


def test_the_reminder_time_is_the_offset_before_the_due_time(task):
    assert task.remind_at == DUE - timedelta(minutes=15)
    assert task.reminded_at is None


def test_nothing_goes_before_the_reminder_time(agent_a, task, send):
    assert send(DUE - timedelta(minutes=16)) == 0
    assert _reminders(agent_a) == []


def test_it_goes_once_however_often_the_sweep_runs(agent_a, task, send):
    assert send(DUE - timedelta(minutes=15)) == 1
    assert send(DUE - timedelta(minutes=14)) == 0
    assert send(DUE + timedelta(hours=2)) == 0
    [reminder] = _reminders(agent_a)
    assert reminder.url == f"/people/{task.person_id}/"
    with translation.override("ru"):
        text = notification_message(kind=reminder.kind, params=reminder.params, fallback="")
    assert text.startswith("Напоминание: «Call back»")


def test_a_new_due_time_is_a_new_reminder(agent_a, task, send):
    send(DUE - timedelta(minutes=15))
    task = task_update(actor=agent_a, task=task, data={"due_at": DUE + timedelta(days=1)})
    assert task.reminded_at is None
    assert send(DUE + timedelta(hours=2)) == 0
    assert send(DUE + timedelta(days=1)) == 1
    assert len(_reminders(agent_a)) == 2


def test_a_done_task_or_one_without_a_due_time_is_not_reminded(agent_a, admin, task, send):
    task_update(actor=agent_a, task=task, data={"status": "done"})
    undated = task_create(actor=admin, title="Someday", assignee=agent_a, remind_before_minutes=0)
    assert undated.remind_at is None
    assert send(DUE + timedelta(days=30)) == 0
    assert _reminders(agent_a) == []


def test_a_task_changed_after_the_claim_sends_nothing(
    agent_a, task, django_capture_on_commit_callbacks
):
    """The sweep claimed the reminder, then the task was completed before the outbox ran."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert task_reminders_send(now=DUE) == 1
    task_update(actor=agent_a, task=task, data={"status": "done"})
    for callback in callbacks:
        callback()
    assert _reminders(agent_a) == []


def test_the_periodic_job_sends_what_is_due(agent_a, admin, django_capture_on_commit_callbacks):
    task_create(
        actor=admin,
        title="Past due",
        assignee=agent_a,
        due_at=datetime(2020, 1, 1, tzinfo=UTC),
        remind_before_minutes=60,
    )
    with django_capture_on_commit_callbacks(execute=True):
        task_reminders_periodic()
    assert len(_reminders(agent_a)) == 1


def test_an_offset_is_checked(agent_a):
    response = ApiClient(agent_a).post(
        "/tasks", {"title": "x", "due_at": DUE.isoformat(), "remind_before_minutes": -5}
    )
    assert response.status_code == 422
    response = ApiClient(agent_a).post(
        "/tasks", {"title": "x", "due_at": DUE.isoformat(), "remind_before_minutes": 60}
    )
    assert response.status_code == 201
    assert response.json()["remind_at"].startswith("2026-12-03T09:00")


def test_the_card_form_sets_a_reminder(agent_a):
    person = person_create(actor=agent_a, last_name="Формин")
    client = Client()
    client.force_login(agent_a)
    response = client.post(
        f"/people/{person.pk}/tasks/",
        {
            "title": "From the card",
            "due_at": "2026-12-03T10:00",
            "assignee": agent_a.pk,
            "remind_before_minutes": "60",
        },
    )
    assert response.status_code == 302
    task = person.tasks.get()
    assert task.remind_before_minutes == 60
    assert task.remind_at == task.due_at - timedelta(hours=1)
