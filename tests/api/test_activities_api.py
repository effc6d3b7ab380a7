"""The activities router: interactions, their comments, and tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from klient.activities.services import interaction_create, task_create
from klient.contacts.services import organization_create, person_create
from klient.notifications.models import Notification
from tests.api.client import ApiClient, walk

READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}
INTERACTION_NOT_FOUND = {"code": "not_found", "message": "Interaction not found.", "fields": {}}
TASK_NOT_FOUND = {"code": "not_found", "message": "Task not found.", "fields": {}}


@pytest.fixture
def call_b(agent_b, person_b):
    return interaction_create(actor=agent_b, kind="call", person=person_b, subject="B's call")


@pytest.fixture
def task_b(agent_b, person_b):
    return task_create(actor=agent_b, title="B's task", person=person_b)


# --- interactions ------------------------------------------------------------------------------


def test_log_interaction_returns_201(agent_a, person_a):
    response = ApiClient(agent_a).post(
        "/interactions",
        {
            "kind": "call",
            "person_id": person_a.pk,
            "direction": "inbound",
            "occurred_at": "2025-03-01T09:30:00+03:00",
            "duration_seconds": 125,
            "subject": "Asked for a quote",
            "body": "Wants 3 containers",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "kind": "call",
        "direction": "inbound",
        "channel": "",
        "occurred_at": "2025-03-01T06:30:00Z",
        "duration_seconds": 125,
        "subject": "Asked for a quote",
        "body": "Wants 3 containers",
        "author_id": agent_a.pk,
        "subject_kind": "",
        "subject_id": None,
        "person_id": person_a.pk,
        "organization_id": None,
        "created_at": body["created_at"],
    }


def test_log_interaction_on_an_organization(agent_a):
    org = organization_create(actor=agent_a, name="Acme")

    response = ApiClient(agent_a).post(
        "/interactions", {"kind": "email", "organization_id": org.pk}
    )

    assert response.status_code == 201
    assert (response.json()["organization_id"], response.json()["person_id"]) == (org.pk, None)


def test_interaction_with_idempotency_key_is_logged_once(agent_a, person_a):
    api = ApiClient(agent_a)
    payload = {"kind": "sms", "person_id": person_a.pk, "idempotency_key": "pbx-42"}

    first, second = api.post("/interactions", payload), api.post("/interactions", payload)

    assert first.json()["id"] == second.json()["id"]
    assert len(walk(api, "/interactions")) == 1


@pytest.mark.parametrize(
    ("payload", "status", "fields"),
    [
        ({"person_id": "PERSON"}, 422, {"kind": "Field required"}),
        ({"kind": "telegram", "person_id": "PERSON"}, 422, {"kind": "Unknown value “telegram”."}),
        ({"kind": "call"}, 422, {"person_id": "This field is required."}),
        (
            {"kind": "call", "person_id": "PERSON", "occurred_at": "2025-03-01T09:30:00"},
            422,
            {"occurred_at": "Input should have timezone info"},
        ),
        (
            {"kind": "call", "person_id": "PERSON", "duration_seconds": -1},
            422,
            {"duration_seconds": "Input should be greater than or equal to 0"},
        ),
        ({"kind": "call", "person_id": 987654}, 422, {"person_id": "Unknown record."}),
    ],
)
def test_log_interaction_with_bad_input_is_422(agent_a, person_a, payload, status, fields):
    body = {key: person_a.pk if value == "PERSON" else value for key, value in payload.items()}

    response = ApiClient(agent_a).post("/interactions", body)

    assert response.status_code == status
    assert response.json()["fields"] == fields


def test_log_interaction_on_an_invisible_person_is_422(agent_a, person_b):
    response = ApiClient(agent_a).post("/interactions", {"kind": "call", "person_id": person_b.pk})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"person_id": "Unknown record."},
    }


def test_get_patch_delete_interaction(agent_a, person_a):
    api = ApiClient(agent_a)
    created = api.post("/interactions", {"kind": "note", "person_id": person_a.pk}).json()

    assert api.get(f"/interactions/{created['id']}").json() == created
    patched = api.patch(f"/interactions/{created['id']}", {"subject": "Edited", "kind": "call"})
    assert patched.status_code == 200
    assert (patched.json()["subject"], patched.json()["kind"]) == ("Edited", "call")
    assert api.delete(f"/interactions/{created['id']}").status_code == 204
    assert api.get(f"/interactions/{created['id']}").json() == INTERACTION_NOT_FOUND


def test_only_the_author_or_a_manager_edits_an_interaction(agent_a, agent_a2, manager_a, person_a):
    call = interaction_create(actor=agent_a, kind="call", person=person_a)

    response = ApiClient(agent_a2).patch(f"/interactions/{call.pk}", {"subject": "mine now"})
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Only the author or a manager can change this.",
        "fields": {},
    }
    assert (
        ApiClient(manager_a).patch(f"/interactions/{call.pk}", {"subject": "ok"}).status_code == 200
    )


def test_interaction_of_another_team_is_404(agent_a, call_b):
    api = ApiClient(agent_a)

    for response in (
        api.get(f"/interactions/{call_b.pk}"),
        api.patch(f"/interactions/{call_b.pk}", {"subject": "x"}),
        api.delete(f"/interactions/{call_b.pk}"),
        api.get(f"/interactions/{call_b.pk}/comments"),
        api.post(f"/interactions/{call_b.pk}/comments", {"body": "hi"}),
    ):
        assert response.status_code == 404
        assert response.json() == INTERACTION_NOT_FOUND


def test_interaction_of_another_workspace_is_404(other_workspace_admin, call_b):
    response = ApiClient(other_workspace_admin).get(f"/interactions/{call_b.pk}")

    assert response.status_code == 404


def test_analyst_reads_interactions_but_cannot_write(analyst, call_b, person_b):
    api = ApiClient(analyst)

    assert api.get(f"/interactions/{call_b.pk}").status_code == 200
    for response in (
        api.post("/interactions", {"kind": "call", "person_id": person_b.pk}),
        api.patch(f"/interactions/{call_b.pk}", {"subject": "x"}),
        api.delete(f"/interactions/{call_b.pk}"),
        api.post(f"/interactions/{call_b.pk}/comments", {"body": "hi"}),
    ):
        assert response.status_code == 403
        assert response.json() == READ_ONLY


def test_interactions_filter_and_walk_every_page_newest_first(admin):
    anna = person_create(actor=admin, last_name="Анна")
    boris = person_create(actor=admin, last_name="Борис")
    start = timezone.now() - timedelta(days=30)
    for day in range(9):
        interaction_create(
            actor=admin,
            kind="call" if day % 2 else "email",
            person=anna,
            occurred_at=start + timedelta(days=day),
        )
    interaction_create(actor=admin, kind="call", person=boris, occurred_at=start)
    api = ApiClient(admin)

    items = walk(api, "/interactions", person_id=anna.pk, limit=4)
    assert len(items) == len({item["id"] for item in items}) == 9
    assert [item["occurred_at"] for item in items] == sorted(
        (item["occurred_at"] for item in items), reverse=True
    )
    assert len(walk(api, "/interactions", person_id=anna.pk, kind="call")) == 4
    assert len(walk(api, "/interactions", limit=3)) == 10


# --- comments ------------------------------------------------------------------------------------


def test_comment_with_mention_notifies_the_colleague(
    agent_a, agent_a2, person_a, django_capture_on_commit_callbacks
):
    call = interaction_create(actor=agent_a, kind="call", person=person_a)
    api = ApiClient(agent_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/interactions/{call.pk}/comments", {"body": "@agent_a2 please call back"}
        )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "interaction_id": call.pk,
        "author_id": agent_a.pk,
        "body": "@agent_a2 please call back",
        "created_at": body["created_at"],
    }
    assert api.get(f"/interactions/{call.pk}/comments").json() == [body]
    inbox = ApiClient(agent_a2).get("/notifications").json()["items"]
    assert [(item["kind"], item["url"]) for item in inbox] == [
        ("mention", f"/people/{person_a.pk}/")
    ]
    assert Notification.objects.filter(recipient=agent_a).count() == 0


def test_empty_comment_is_422(agent_a, person_a):
    call = interaction_create(actor=agent_a, kind="call", person=person_a)

    response = ApiClient(agent_a).post(f"/interactions/{call.pk}/comments", {"body": ""})

    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "String should have at least 1 character"}


# --- tasks ----------------------------------------------------------------------------------------


def test_create_task_for_a_colleague(
    agent_a, agent_a2, person_a, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(agent_a).post(
            "/tasks",
            {
                "title": "Send the proposal",
                "assignee_id": agent_a2.pk,
                "person_id": person_a.pk,
                "due_at": "2030-01-15T12:00:00Z",
            },
        )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "title": "Send the proposal",
        "description": "",
        "status": "open",
        "assignee_id": agent_a2.pk,
        "created_by_id": agent_a.pk,
        "team_id": team_a.pk,
        "due_at": "2030-01-15T12:00:00Z",
        "completed_at": None,
        "remind_before_minutes": None,
        "remind_at": None,
        "subject_kind": "",
        "subject_id": None,
        "person_id": person_a.pk,
        "organization_id": None,
        "interaction_id": None,
        "created_at": body["created_at"],
    }
    assert [item["kind"] for item in ApiClient(agent_a2).get("/notifications").json()["items"]] == [
        "task"
    ]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"title": "Field required"}),
        ({"title": ""}, {"title": "String should have at least 1 character"}),
        ({"title": "x", "assignee_id": 987654}, {"assignee_id": "Unknown record."}),
        (
            {"title": "x", "due_at": "tomorrow"},
            {"due_at": "Input should be a valid datetime or date, input is too short"},
        ),
        ({"title": "x", "interaction_id": 987654}, {"interaction_id": "Unknown record."}),
    ],
)
def test_create_task_with_bad_input_is_422(agent_a, payload, fields):
    response = ApiClient(agent_a).post("/tasks", payload)

    assert response.status_code == 422
    assert response.json()["fields"] == fields


def test_task_assignee_from_another_workspace_is_422(agent_a, other_workspace_admin):
    response = ApiClient(agent_a).post(
        "/tasks", {"title": "x", "assignee_id": other_workspace_admin.pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"assignee_id": "Unknown record."}


def test_get_patch_complete_delete_task(agent_a):
    api = ApiClient(agent_a)
    task = api.post("/tasks", {"title": "Call back"}).json()

    assert api.get(f"/tasks/{task['id']}").json() == task
    patched = api.patch(f"/tasks/{task['id']}", {"title": "Call back today", "due_at": None})
    assert (patched.status_code, patched.json()["title"]) == (200, "Call back today")
    done = api.post(f"/tasks/{task['id']}/complete")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"] is not None
    assert api.delete(f"/tasks/{task['id']}").status_code == 204
    assert api.get(f"/tasks/{task['id']}").json() == TASK_NOT_FOUND


def test_patch_task_with_unknown_status_is_422(agent_a):
    api = ApiClient(agent_a)
    task = api.post("/tasks", {"title": "Call back"}).json()

    response = api.patch(f"/tasks/{task['id']}", {"status": "someday"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"status": "Unknown value “someday”."}


def test_task_of_another_team_is_404(agent_a, task_b):
    api = ApiClient(agent_a)

    for response in (
        api.get(f"/tasks/{task_b.pk}"),
        api.patch(f"/tasks/{task_b.pk}", {"title": "x"}),
        api.post(f"/tasks/{task_b.pk}/complete"),
        api.delete(f"/tasks/{task_b.pk}"),
    ):
        assert response.status_code == 404
        assert response.json() == TASK_NOT_FOUND


def test_task_of_another_workspace_is_404(other_workspace_admin, task_b):
    assert ApiClient(other_workspace_admin).get(f"/tasks/{task_b.pk}").status_code == 404


def test_analyst_cannot_write_tasks(analyst, task_b):
    api = ApiClient(analyst)

    assert api.get(f"/tasks/{task_b.pk}").status_code == 200
    for response in (
        api.post("/tasks", {"title": "x"}),
        api.patch(f"/tasks/{task_b.pk}", {"title": "x"}),
        api.post(f"/tasks/{task_b.pk}/complete"),
        api.delete(f"/tasks/{task_b.pk}"),
    ):
        assert response.status_code == 403
        assert response.json() == READ_ONLY


def test_a_teammate_sees_but_cannot_delete_someone_elses_task(
    agent_a, agent_a2, manager_a, person_a
):
    task = task_create(actor=agent_a, title="Mine", person=person_a)

    response = ApiClient(agent_a2).delete(f"/tasks/{task.pk}")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Only the author or a manager can change this.",
        "fields": {},
    }
    assert ApiClient(manager_a).delete(f"/tasks/{task.pk}").status_code == 204


def test_task_filters_and_pages(agent_a, agent_a2):
    past = timezone.now() - timedelta(days=1)
    overdue = task_create(actor=agent_a, title="Late", due_at=past)
    done = task_create(actor=agent_a, title="Done")
    ApiClient(agent_a).post(f"/tasks/{done.pk}/complete")
    theirs = task_create(actor=agent_a, title="For a2", assignee=agent_a2)
    for index in range(5):
        task_create(actor=agent_a, title=f"Later {index}", due_at=past + timedelta(days=9))
    api = ApiClient(agent_a)

    assert [item["id"] for item in walk(api, "/tasks", overdue="true")] == [overdue.pk]
    assert [item["id"] for item in walk(api, "/tasks", status="done")] == [done.pk]
    assert [item["id"] for item in walk(api, "/tasks", assignee_id=agent_a2.pk)] == [theirs.pk]
    everything = walk(api, "/tasks", limit=3)
    assert len(everything) == len({item["id"] for item in everything}) == 8
