"""A task on no client, added from the tasks page."""

from __future__ import annotations

import pytest
from django.test import Client

from klient.activities.models import Task
from klient.activities.selectors import task_list

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_todo_for_a_colleague_lands_in_their_list(agent_a, agent_a2, agent_b):
    response = _client(agent_a).post(
        "/tasks/new/",
        {"title": "Prepare the price list", "assignee": agent_a2.pk, "due_at": "2030-01-15T12:00"},
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Prepare the price list")
    assert (task.assignee_id, task.created_by_id, task.person_id) == (agent_a2.pk, agent_a.pk, None)
    assert "Prepare the price list" in _client(agent_a2).get("/tasks/").content.decode()
    assert not task_list(user=agent_b).filter(pk=task.pk).exists()


def test_a_todo_without_a_title_shows_the_error_and_keeps_the_input(agent_a):
    response = _client(agent_a).post("/tasks/new/", {"title": "", "description": "kept text"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "kept text" in page
    assert Task.objects.count() == 0


def test_an_analyst_cannot_add_one(analyst):
    assert _client(analyst).post("/tasks/new/", {"title": "x"}).status_code == 403
    assert "/tasks/new/" not in _client(analyst).get("/tasks/").content.decode()
