"""One visibility rule for everything on a timeline, held on every page and endpoint.

An interaction, its comments and a task show only to who may see the subject they are on:
the person, or the organization when they are on no person. The issue's repro: team B's
client is linked (as a secondary organization) to team A's organization; team A must not
read team B's meeting there, in the UI or the API, any more than through its id.
"""

from __future__ import annotations

import pytest
from django.test import Client

from klient.activities.selectors import interaction_list, task_list, timeline_page
from klient.activities.services import comment_create, interaction_create, task_create
from klient.contacts.services import affiliation_set, organization_create, person_create
from klient.core.errors import NotFound, ValidationFailed
from tests.api.client import ApiClient

HIDDEN = ("HIDDEN-MEETING", "HIDDEN-BODY", "HIDDEN-COMMENT", "HIDDEN-TASK", "Скрытов")
SHOWN = ("SHOWN-CALL", "SHOWN-NOTE")


@pytest.fixture
def scene(admin, agent_a, agent_b):
    """Team A's organization, with team A's client and (through the admin's link) team B's."""
    shared = organization_create(actor=agent_a, name="ООО Общая")
    theirs = organization_create(actor=agent_b, name="ООО Бета")
    mine = person_create(actor=agent_a, last_name="Петров", organization_id=shared.pk)
    hidden = person_create(actor=agent_b, last_name="Скрытов", organization_id=theirs.pk)
    affiliation_set(actor=admin, person=hidden, organization=shared, role="other")
    meeting = interaction_create(
        actor=agent_b, kind="meeting", person=hidden, subject="HIDDEN-MEETING", body="HIDDEN-BODY"
    )
    # Names the shared organization, yet is about team B's client: still hidden from A.
    aside = interaction_create(
        actor=admin, kind="meeting", person=hidden, organization=shared, subject="HIDDEN-MEETING"
    )
    comment_create(actor=agent_b, interaction=meeting, body="HIDDEN-COMMENT")
    task = task_create(actor=agent_b, title="HIDDEN-TASK", person=hidden)
    call = interaction_create(actor=agent_a, kind="call", person=mine, subject="SHOWN-CALL")
    note = interaction_create(actor=agent_a, kind="note", organization=shared, subject="SHOWN-NOTE")
    return {
        "shared": shared,
        "mine": mine,
        "hidden": hidden,
        "meeting": meeting,
        "aside": aside,
        "task": task,
        "call": call,
        "note": note,
    }


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def _api(user, path: str, **params) -> str:
    response = ApiClient(user).get(path, **params)
    assert response.status_code == 200, path
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


# Every page and endpoint that lists interactions, comments or tasks: (ui or api, path,
# query); {shared} is team A's organization, {mine} team A's client in it, {hidden} team
# B's client.
SURFACES: dict[str, tuple[str, str, dict[str, str]]] = {
    "organization card": ("ui", "/organizations/{shared}/", {}),
    "organization timeline page": ("ui", "/organizations/{shared}/timeline/", {}),
    "person card": ("ui", "/people/{mine}/", {}),
    "person timeline page": ("ui", "/people/{mine}/timeline/", {}),
    "my tasks": ("ui", "/tasks/", {}),
    "interactions export": ("ui", "/export/interactions.csv", {}),
    "calendar export": ("ui", "/export/calendar.ics", {}),
    "api interactions": ("api", "/interactions", {}),
    "api organization interactions": ("api", "/interactions", {"organization_id": "{shared}"}),
    "api hidden person's interactions": ("api", "/interactions", {"person_id": "{hidden}"}),
    "api tasks": ("api", "/tasks", {}),
    "api organization tasks": ("api", "/tasks", {"organization_id": "{shared}"}),
    "api client 360": ("api", "/people/{mine}/360", {}),
    "api search": ("api", "/search", {"q": "Скрытов"}),
    "api interactions export": ("api", "/exports/interactions.csv", {}),
    "api calendar export": ("api", "/exports/calendar.ics", {}),
}


def _read(user, scene, surface: str) -> str:
    kind, path, params = SURFACES[surface]
    ids = {"shared": scene["shared"].pk, "mine": scene["mine"].pk, "hidden": scene["hidden"].pk}
    path = path.format(**ids)
    query = {key: value.format(**ids) for key, value in params.items()}
    return _page(user, path) if kind == "ui" else _api(user, path, **query)


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("viewer", ["agent_a", "manager_a"])
def test_team_a_reads_nothing_of_team_bs_client_anywhere(request, scene, viewer, surface):
    text = _read(request.getfixturevalue(viewer), scene, surface)

    assert [marker for marker in HIDDEN if marker in text] == []


@pytest.mark.parametrize(
    "surface",
    ["organization card", "organization timeline page", "api organization interactions"],
)
def test_the_shared_organizations_timeline_keeps_what_team_a_may_see(agent_a, scene, surface):
    text = _read(agent_a, scene, surface)

    assert [marker for marker in SHOWN if marker in text] == list(SHOWN)


@pytest.mark.parametrize(
    "surface",
    ["organization card", "organization timeline page", "api organization interactions"],
)
def test_an_administrator_sees_the_whole_organization_timeline(admin, scene, surface):
    text = _read(admin, scene, surface)

    assert [marker for marker in ("HIDDEN-MEETING", *SHOWN) if marker in text] == [
        "HIDDEN-MEETING",
        *SHOWN,
    ]


def test_the_api_answers_404_for_the_same_interaction_and_its_comments(agent_a, scene):
    api = ApiClient(agent_a)
    meeting, task = scene["meeting"].pk, scene["task"].pk

    statuses = [
        api.get(f"/interactions/{meeting}").status_code,
        api.get(f"/interactions/{scene['aside'].pk}").status_code,
        api.get(f"/interactions/{meeting}/comments").status_code,
        api.post(f"/interactions/{meeting}/comments", {"body": "x"}).status_code,
        api.get(f"/tasks/{task}").status_code,
    ]

    assert statuses == [404] * 5


def test_selectors_apply_one_rule_to_interactions_and_tasks(agent_a, agent_b, scene):
    seen_by_a = set(interaction_list(user=agent_a).values_list("subject", flat=True))
    seen_by_b = set(interaction_list(user=agent_b).values_list("subject", flat=True))
    timeline = timeline_page(
        user=agent_a, owner=("contacts.organization", scene["shared"].pk)
    ).items

    assert seen_by_a == {"SHOWN-CALL", "SHOWN-NOTE"}
    assert seen_by_b == {"HIDDEN-MEETING"}
    assert {item.subject for item in timeline} == {"SHOWN-CALL", "SHOWN-NOTE"}
    assert list(task_list(user=agent_a).filter(pk=scene["task"].pk)) == []
    assert [t.pk for t in task_list(user=agent_b)] == [scene["task"].pk]


def test_a_task_on_no_client_is_seen_by_its_assignee_and_creator_team(agent_a, agent_a2, agent_b):
    todo = task_create(actor=agent_a, title="Order toner", assignee=agent_a2)

    assert [list(task_list(user=u).filter(pk=todo.pk)) for u in (agent_a, agent_a2, agent_b)] == [
        [todo],
        [todo],
        [],
    ]


def test_a_task_about_an_interaction_follows_the_interactions_client(agent_a, scene):
    task = task_create(actor=agent_a, title="Follow up", interaction=scene["call"])

    assert (task.person_id, task.organization_id) == (
        scene["mine"].pk,
        scene["call"].organization_id,
    )


def test_a_mentioned_colleague_who_cannot_see_the_client_is_not_told(admin, agent_a, scene):
    comment = comment_create(
        actor=admin, interaction=scene["meeting"], body="@agent_a @agent_b see this"
    )

    assert [user.username for user in comment.mentioned_users.all()] == ["agent_b"]


def test_commenting_on_an_interaction_the_actor_cannot_see_is_refused(agent_a, scene):
    with pytest.raises(NotFound):
        comment_create(actor=agent_a, interaction=scene["meeting"], body="hello")


def test_a_task_cannot_go_to_a_colleague_who_cannot_see_its_client(agent_b, agent_a, scene):
    with pytest.raises(ValidationFailed) as caught:
        task_create(actor=agent_b, title="Call", person=scene["hidden"], assignee=agent_a)

    assert caught.value.fields == {"assignee_id": "This colleague cannot see this client."}
