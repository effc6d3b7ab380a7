"""@mention suggestions in a comment box: GET /interactions/<id>/mentions/?q=.

Offered: active colleagues of the author's workspace, not the author, who may see the
interaction's client -- exactly whom a comment mentioning them would notify.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.activities import services as activity_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(interaction) -> str:
    return reverse("activities:mention_suggest", args=[interaction.pk])


def _usernames(client, interaction, query: str) -> list[str]:
    response = client.get(_url(interaction), {"q": query})
    assert response.status_code == 200
    return [option["username"] for option in response.json()["options"]]


def test_colleagues_who_may_see_the_client_are_offered(
    client_for, call_a, agent_a, agent_a2, agent_b, manager_a, admin, analyst
):
    client = client_for(agent_a)
    # agent_b (team B) cannot see agent_a's client: a mention would not reach them.
    assert _usernames(client, call_a, "agent") == ["agent_a2"]
    assert _usernames(client, call_a, "a") == ["admin", "agent_a2", "analyst"]
    assert _usernames(client, call_a, "MAN") == ["manager_a"]


def test_the_answer_names_the_colleague_and_the_syntax_to_insert(
    client_for, call_a, agent_a, team_a
):
    colleague = UserFactory(
        workspace=agent_a.workspace,
        username="f.ivanov",
        first_name="Фёдор",
        last_name="Иванов",
        teams=[team_a],
    )
    response = client_for(agent_a).get(_url(call_a), {"q": "федор"})  # ё read as е
    assert response.json() == {
        "options": [
            {
                "id": colleague.pk,
                "name": "Фёдор Иванов",
                "detail": "@f.ivanov",
                "username": "f.ivanov",
            }
        ]
    }


def test_the_inserted_mention_notifies_the_colleague(client_for, call_a, agent_a, agent_a2):
    [option] = client_for(agent_a).get(_url(call_a), {"q": "agent_a"}).json()["options"]
    comment = activity_services.comment_create(
        actor=agent_a, interaction=call_a, body=f"@{option['username']} посмотри"
    )
    assert list(comment.mentioned_users.all()) == [agent_a2]


def test_colleagues_of_other_workspaces_and_inactive_ones_are_never_offered(
    client_for, call_a, agent_a, other_workspace_admin
):
    UserFactory(workspace=other_workspace_admin.workspace, username="agent_stranger")
    UserFactory(workspace=agent_a.workspace, username="agent_gone", is_active=False, role="admin")
    assert _usernames(client_for(agent_a), call_a, "agent_") == []
    assert _usernames(client_for(agent_a), call_a, "stranger") == []


def test_a_username_the_parser_cannot_read_back_is_not_offered(client_for, call_a, agent_a):
    UserFactory(workspace=agent_a.workspace, username="x+mail@example.org", role="admin")
    assert _usernames(client_for(agent_a), call_a, "x") == []


def test_at_most_six_are_offered_and_the_query_count_is_bounded(client_for, call_a, agent_a):
    client = client_for(agent_a)
    for index in range(3):
        UserFactory(workspace=agent_a.workspace, username=f"zoe{index}", role="admin")
    with CaptureQueriesContext(connection) as few:
        assert len(_usernames(client, call_a, "zoe")) == 3
    for index in range(3, 40):
        UserFactory(workspace=agent_a.workspace, username=f"zoe{index}", role="admin")
    with CaptureQueriesContext(connection) as many:
        assert _usernames(client, call_a, "zoe") == [f"zoe{i}" for i in (0, 1, 10, 11, 12, 13)]
    assert len(many) <= len(few) + 9  # one record check a colleague, at most twelve checked
    assert len(many) <= 30


def test_who_cannot_comment_or_see_the_interaction_gets_nothing(
    client, client_for, call_a, analyst, agent_b, other_workspace_admin
):
    denied = client_for(analyst).get(_url(call_a), {"q": "a"})
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    for user in (agent_b, other_workspace_admin):
        hidden = client_for(user).get(_url(call_a), {"q": "a"})
        assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert client.get(_url(call_a), {"q": "a"}).status_code == 401


def test_an_empty_or_odd_query_offers_nothing(client_for, call_a, agent_a):
    client = client_for(agent_a)
    for query in ("", "@", "a b", "\x00"):
        assert _usernames(client, call_a, query) == []


def test_the_comment_box_asks_for_suggestions(client_for, agent_a, call_a, person_a):
    card = client_for(agent_a).get(reverse("contacts:person_detail", args=[person_a.pk]))
    assert f'data-mention-url="{_url(call_a)}"' in card.content.decode()
