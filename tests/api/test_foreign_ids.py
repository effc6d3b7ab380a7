"""No write accepts an id its actor cannot see, for any role and any foreign id.

Each writing role gets the records hidden from it: another team's organization, client
and interaction (another workspace's for an administrator, who sees the whole of their
own), another workspace's colleague and team, and a deactivated colleague. Every write
that names one is a 422 on that field, and nothing is written or echoed back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from klient.activities.models import Interaction, Task
from klient.activities.services import interaction_create, task_create
from klient.contacts.errors import InvalidContactData
from klient.contacts.list_services import saved_list_add, saved_list_create
from klient.contacts.models import Affiliation, Organization, Person, SavedList
from klient.contacts.services import affiliation_set, organization_create, person_create
from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import AuditEvent
from tests.api.client import ApiClient
from tests.factories import TeamFactory, UserFactory

WRITERS = ("admin", "manager_a", "agent_a", "agent_b")
# Whose records each writer cannot see: team B's for team A, team A's for team B, and
# another workspace's for the administrator.
HIDDEN_FROM = {
    "admin": "stranger",
    "manager_a": "agent_b",
    "agent_a": "agent_b",
    "agent_b": "agent_a",
}


@pytest.fixture
def world(request, workspace, other_workspace_admin) -> dict[str, Any]:
    owners = {"stranger": other_workspace_admin}
    owners.update({name: request.getfixturevalue(name) for name in ("agent_a", "agent_b")})
    records: dict[str, Any] = {}
    for name, owner in owners.items():
        org = organization_create(actor=owner, name=f"Secret Org of {name}")
        person = person_create(actor=owner, last_name=f"Secret{name}", organization_id=org.pk)
        records[name] = {
            "organization": org,
            "person": person,
            "interaction": interaction_create(actor=owner, kind="call", person=person),
        }
    return {
        "records": records,
        "stranger_team": TeamFactory(workspace=other_workspace_admin.workspace),
        "former": UserFactory(workspace=workspace, role="agent", is_active=False),
    }


@pytest.fixture
def writer(request) -> Any:
    return request.getfixturevalue(request.param)


def _own(user) -> dict[str, Any]:
    """A client, a task and lists of the writer's own, to point at hidden ids from."""
    person = person_create(actor=user, last_name="Own")
    return {
        "person": person,
        "task": task_create(actor=user, title="Own task", person=person),
        "list": saved_list_create(actor=user, name="Own list"),
    }


Case = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], tuple[str, str, dict[str, Any]]]

# (method, path, body) built from (the hidden records, the world, the writer's own records)
CASES: dict[str, tuple[Case, dict[str, str]]] = {
    "person organization_id": (
        lambda h, w, o: (
            "post",
            "/people",
            {"last_name": "X", "organization_id": h["organization"].pk},
        ),
        {"organization_id": "Unknown organization."},
    ),
    "person owner_id (other workspace)": (
        lambda h, w, o: ("post", "/people", {"last_name": "X", "owner_id": w["stranger"].pk}),
        {"owner_id": "Unknown user."},
    ),
    "person owner_id (deactivated)": (
        lambda h, w, o: ("post", "/people", {"last_name": "X", "owner_id": w["former"].pk}),
        {"owner_id": "Unknown user."},
    ),
    "person team_id": (
        lambda h, w, o: ("post", "/people", {"last_name": "X", "team_id": w["stranger_team"].pk}),
        {"team_id": "Unknown team."},
    ),
    "person change owner_id": (
        lambda h, w, o: ("patch", f"/people/{o['person'].pk}", {"owner_id": w["stranger"].pk}),
        {"owner_id": "Unknown user."},
    ),
    "person change team_id": (
        lambda h, w, o: (
            "patch",
            f"/people/{o['person'].pk}",
            {"team_id": w["stranger_team"].pk},
        ),
        {"team_id": "Unknown team."},
    ),
    "organization owner_id": (
        lambda h, w, o: ("post", "/organizations", {"name": "X", "owner_id": w["former"].pk}),
        {"owner_id": "Unknown user."},
    ),
    "organization team_id": (
        lambda h, w, o: ("post", "/organizations", {"name": "X", "team_id": w["stranger_team"].pk}),
        {"team_id": "Unknown team."},
    ),
    "affiliation organization_id": (
        lambda h, w, o: (
            "post",
            f"/people/{o['person'].pk}/organizations",
            {"organization_id": h["organization"].pk},
        ),
        {"organization_id": "Unknown record."},
    ),
    "merge duplicate_id": (
        lambda h, w, o: (
            "post",
            f"/people/{o['person'].pk}/merge",
            {"duplicate_id": h["person"].pk},
        ),
        {"duplicate_id": "Unknown record."},
    ),
    "interaction person_id": (
        lambda h, w, o: ("post", "/interactions", {"kind": "call", "person_id": h["person"].pk}),
        {"person_id": "Unknown record."},
    ),
    "interaction organization_id": (
        lambda h, w, o: (
            "post",
            "/interactions",
            {"kind": "call", "organization_id": h["organization"].pk},
        ),
        {"organization_id": "Unknown record."},
    ),
    "task person_id": (
        lambda h, w, o: ("post", "/tasks", {"title": "X", "person_id": h["person"].pk}),
        {"person_id": "Unknown record."},
    ),
    "task organization_id": (
        lambda h, w, o: ("post", "/tasks", {"title": "X", "organization_id": h["organization"].pk}),
        {"organization_id": "Unknown record."},
    ),
    "task interaction_id": (
        lambda h, w, o: ("post", "/tasks", {"title": "X", "interaction_id": h["interaction"].pk}),
        {"interaction_id": "Unknown record."},
    ),
    "task assignee_id": (
        lambda h, w, o: ("post", "/tasks", {"title": "X", "assignee_id": w["former"].pk}),
        {"assignee_id": "Unknown record."},
    ),
    "task change assignee_id": (
        lambda h, w, o: ("patch", f"/tasks/{o['task'].pk}", {"assignee_id": w["stranger"].pk}),
        {"assignee_id": "Unknown user."},
    ),
    "list person_ids": (
        lambda h, w, o: ("post", "/lists", {"name": "X", "person_ids": [h["person"].pk]}),
        {"person_ids[0]": "Unknown person."},
    ),
    "list add person_ids": (
        lambda h, w, o: (
            "post",
            f"/lists/{o['list'].pk}/people",
            {"person_ids": [h["person"].pk]},
        ),
        {"person_ids[0]": "Unknown person."},
    ),
    "segment filter organization_id": (
        lambda h, w, o: (
            "post",
            "/lists",
            {"name": "X", "kind": "dynamic", "filters": {"organization_id": h["organization"].pk}},
        ),
        {"filters.organization_id": "Unknown organization."},
    ),
    "segment filter owner_id": (
        lambda h, w, o: (
            "post",
            "/lists",
            {"name": "X", "kind": "dynamic", "filters": {"owner_id": w["stranger"].pk}},
        ),
        {"filters.owner_id": "Unknown user."},
    ),
    "segment filter team_id": (
        lambda h, w, o: (
            "post",
            "/lists",
            {"name": "X", "kind": "dynamic", "filters": {"team_id": w["stranger_team"].pk}},
        ),
        {"filters.team_id": "Unknown team."},
    ),
}


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Person, Organization, Affiliation, Interaction, Task, SavedList)
    )


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("writer", WRITERS, indirect=True)
def test_a_write_naming_an_id_the_writer_cannot_see_is_422(
    writer, world, other_workspace_admin, case
):
    hidden = world["records"][HIDDEN_FROM[writer.username]]
    others = {"stranger": other_workspace_admin, **world}
    own = _own(writer)
    build, fields = CASES[case]
    method, path, body = build(hidden, others, own)
    api = ApiClient(writer)
    before, audited = _counts(), AuditEvent.objects.count()

    response = getattr(api, method)(path, body)

    assert response.status_code == 422, response.content
    assert response.json()["fields"] == fields
    assert (_counts(), AuditEvent.objects.count()) == (before, audited)
    assert b"Secret" not in response.content


def test_the_reported_repro_no_hidden_name_comes_back(agent_a, world):
    """POST /people with organization ids 1..n used to answer 201 with each hidden name."""
    api = ApiClient(agent_a)
    hidden = [world["records"][owner]["organization"].pk for owner in ("agent_b", "stranger")]

    responses = [
        api.post("/people", {"last_name": "Probe", "organization_id": pk}) for pk in hidden
    ]

    assert [r.status_code for r in responses] == [422, 422]
    assert all(b"Secret" not in r.content for r in responses)
    assert not Person.objects.filter(last_name="Probe").exists()


def test_an_organization_the_writer_sees_is_still_accepted(agent_a, manager_a):
    org = organization_create(actor=agent_a, name="Ours")

    response = ApiClient(manager_a).post("/people", {"last_name": "X", "organization_id": org.pk})

    assert response.status_code == 201
    assert response.json()["organizations"][0]["name"] == "Ours"


def test_an_analyst_writes_nothing_whatever_the_ids(analyst, world):
    hidden = world["records"]["agent_b"]
    api = ApiClient(analyst)

    statuses = [
        api.post("/people", {"last_name": "X", "organization_id": hidden["organization"].pk}),
        api.post("/interactions", {"kind": "call", "person_id": hidden["person"].pk}),
        api.post("/tasks", {"title": "X", "person_id": hidden["person"].pk}),
        api.post("/lists", {"name": "X", "person_ids": [hidden["person"].pk]}),
    ]

    assert [r.status_code for r in statuses] == [403] * 4


# --- the same line in the pages ----------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_new_person_form_refuses_a_hidden_organization(agent_a, world):
    hidden = world["records"]["agent_b"]["organization"]

    response = _client(agent_a).post(
        "/people/new/", {"last_name": "X", "organization": hidden.pk, "lifecycle_stage": "lead"}
    )

    assert response.status_code == 422
    assert "organization" in response.context["form"].errors
    assert not Person.objects.filter(last_name="X").exists()


def test_the_task_form_refuses_a_colleague_who_cannot_see_the_client(agent_a, agent_b):
    person = person_create(actor=agent_a, last_name="Mine")

    response = _client(agent_a).post(
        f"/people/{person.pk}/tasks/",
        {"title": "Call", "assignee": agent_b.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 422
    assert "This colleague cannot see this client." in response.content.decode()
    assert not Task.objects.exists()


def test_the_add_to_list_form_refuses_a_hidden_person(agent_a, world):
    saved = saved_list_create(actor=agent_a, name="Mine")
    hidden = world["records"]["agent_b"]["person"]

    response = _client(agent_a).post(f"/lists/{saved.pk}/people/add/", {"person_id": hidden.pk})

    assert response.status_code == 422
    assert saved.members.count() == 0


# --- services hold the line for any caller (jobs, scripts), not only the routes ----------

SERVICE_CASES: dict[str, tuple[Callable[..., Any], type[Exception]]] = {
    "person_create organization_id": (
        lambda actor, hidden, own: person_create(
            actor=actor, last_name="X", organization_id=hidden["organization"].pk
        ),
        InvalidContactData,
    ),
    "affiliation_set organization": (
        lambda actor, hidden, own: affiliation_set(
            actor=actor, person=own["person"], organization=hidden["organization"], role="other"
        ),
        NotFound,
    ),
    "interaction_create person": (
        lambda actor, hidden, own: interaction_create(
            actor=actor, kind="call", person=hidden["person"]
        ),
        ValidationFailed,
    ),
    "interaction_create organization": (
        lambda actor, hidden, own: interaction_create(
            actor=actor, kind="call", organization=hidden["organization"]
        ),
        ValidationFailed,
    ),
    "task_create interaction": (
        lambda actor, hidden, own: task_create(
            actor=actor, title="X", interaction=hidden["interaction"]
        ),
        ValidationFailed,
    ),
    "saved_list_add to a list the actor cannot read": (
        lambda actor, hidden, own: saved_list_add(
            actor=actor,
            saved_list=saved_list_create(actor=hidden["person"].owner, name="Theirs"),
            person_ids=[own["person"].pk],
        ),
        NotFound,
    ),
}


@pytest.mark.parametrize("case", list(SERVICE_CASES))
def test_services_refuse_records_the_actor_cannot_see(agent_a, world, case):
    attempt, error = SERVICE_CASES[case]
    hidden, own = world["records"]["agent_b"], _own(agent_a)
    before = _counts()

    with pytest.raises(error):
        attempt(agent_a, hidden, own)

    assert _counts()[:5] == before[:5]
