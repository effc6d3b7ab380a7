"""Who reads, changes and deletes a saved list (docs/adr/0006-saved-list-sharing.md).

A list is private to its owner, shared with the owner's team, or shared with the
workspace. Readers of a shared static list who may write add and remove people they see;
only the owner and administrators rename, re-filter, re-share or delete it. A list a user
may not read is not found, in the API, the pages and exports alike.
"""

from __future__ import annotations

import pytest
from django.test import Client

from klient.contacts.list_services import saved_list_create, saved_list_update
from klient.contacts.models import SavedList
from klient.contacts.services import person_create
from klient.core.models import AuditEvent
from tests.api.client import ApiClient

ROLES = ("agent_a", "agent_a2", "manager_a", "agent_b", "analyst", "admin", "other_workspace_admin")
# Who reads a list agent_a (team A) shares this way.
READERS = {
    "private": {"agent_a", "admin"},
    "team": {"agent_a", "agent_a2", "manager_a", "admin"},
    "workspace": {"agent_a", "agent_a2", "manager_a", "agent_b", "analyst", "admin"},
}
NOT_MANAGER = {
    "code": "permission_denied",
    "message": "Only the owner of this list or an administrator can do this.",
    "fields": {},
}
READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}


@pytest.fixture
def ivan(agent_a):
    return person_create(actor=agent_a, last_name="Иванов")


@pytest.fixture
def lists(agent_a, ivan) -> dict[str, SavedList]:
    return {
        visibility: saved_list_create(
            actor=agent_a, name=f"Calls {visibility}", person_ids=[ivan.pk], visibility=visibility
        )
        for visibility in READERS
    }


def _user(request, role: str):
    return request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_exactly_the_lists_shared_with_it(request, role, lists):
    response = ApiClient(_user(request, role)).get("/lists")

    names = {item["name"] for item in response.json()["items"]}
    assert names == {f"Calls {v}" for v, readers in READERS.items() if role in readers}


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("role", ROLES)
def test_a_list_one_may_not_read_is_not_found(request, role, visibility, lists):
    saved = lists[visibility]
    api = ApiClient(_user(request, role))

    statuses = {
        api.get(f"/lists/{saved.pk}").status_code,
        api.get(f"/lists/{saved.pk}/people").status_code,
        api.get("/exports/people.csv", list=saved.pk).status_code,
    }

    assert statuses == ({200} if role in READERS[visibility] else {404})


@pytest.mark.parametrize("role", ["agent_a", "admin"])
def test_the_owner_and_an_administrator_rename_reshare_and_delete(request, role, lists, team_a):
    api = ApiClient(_user(request, role))
    saved = lists["workspace"]

    renamed = api.patch(f"/lists/{saved.pk}", {"name": "Renamed", "visibility": "team"})
    deleted = api.delete(f"/lists/{saved.pk}")

    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["visibility"]) == ("Renamed", "team")
    assert renamed.json()["team_id"] == team_a.pk  # the owner's team, whoever re-shares
    assert deleted.status_code == 204


@pytest.mark.parametrize("role", ["agent_a2", "manager_a", "agent_b"])
def test_other_readers_cannot_rename_refilter_reshare_or_delete(request, role, lists, agent_a):
    saved = lists["workspace"]
    segment = saved_list_create(
        actor=agent_a, name="VIP", kind="dynamic", filters={"tag": "vip"}, visibility="workspace"
    )
    api = ApiClient(_user(request, role))

    responses = [
        api.patch(f"/lists/{saved.pk}", {"name": "Mine now"}),
        api.patch(f"/lists/{saved.pk}", {"visibility": "private"}),
        api.patch(f"/lists/{segment.pk}", {"filters": {"tag": "other"}}),
        api.delete(f"/lists/{saved.pk}"),
    ]

    assert [r.json() for r in responses] == [NOT_MANAGER] * 4
    saved.refresh_from_db()
    segment.refresh_from_db()
    assert (saved.name, saved.visibility, segment.filters) == (
        "Calls workspace",
        "workspace",
        {"tag": "vip"},
    )


def test_an_analyst_reads_a_shared_list_but_changes_nothing(analyst, lists, ivan):
    api = ApiClient(analyst)
    saved = lists["workspace"]

    responses = [
        api.patch(f"/lists/{saved.pk}", {"name": "x"}),
        api.delete(f"/lists/{saved.pk}"),
        api.post(f"/lists/{saved.pk}/people", {"person_ids": [ivan.pk]}),
    ]

    assert [r.json() for r in responses] == [READ_ONLY] * 3


@pytest.mark.parametrize("role", ["agent_a2", "manager_a"])
def test_team_readers_add_and_remove_people_they_see(request, role, lists, agent_a):
    user = _user(request, role)
    teammate_client = person_create(actor=user, last_name="Сидоров")
    saved = lists["team"]
    api = ApiClient(user)

    added = api.post(f"/lists/{saved.pk}/people", {"person_ids": [teammate_client.pk]})
    removed = api.delete(f"/lists/{saved.pk}/people/{teammate_client.pk}")

    assert (added.status_code, added.json()["person_count"]) == (200, 2)
    assert removed.status_code == 204


def test_a_reader_cannot_add_someone_they_cannot_see(agent_b, lists, agent_a):
    hidden = person_create(actor=agent_a, last_name="Скрытый")

    response = ApiClient(agent_b).post(
        f"/lists/{lists['workspace'].pk}/people", {"person_ids": [hidden.pk]}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"person_ids[0]": "Unknown person."}


def test_a_new_list_is_private_unless_shared(agent_a, agent_a2):
    created = ApiClient(agent_a).post("/lists", {"name": "Mine"}).json()

    assert (created["visibility"], created["team_id"]) == ("private", None)
    assert ApiClient(agent_a2).get(f"/lists/{created['id']}").status_code == 404


def test_a_team_list_goes_to_the_owners_team(agent_a, team_a):
    created = ApiClient(agent_a).post("/lists", {"name": "Ours", "visibility": "team"}).json()

    assert (created["visibility"], created["team_id"]) == ("team", team_a.pk)


def test_someone_in_no_team_cannot_share_with_a_team(admin):
    response = ApiClient(admin).post("/lists", {"name": "Ours", "visibility": "team"})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "visibility": "The owner is in no team: keep the list private or share it with everyone."
    }


def test_an_unknown_sharing_is_422(agent_a):
    response = ApiClient(agent_a).post("/lists", {"name": "Ours", "visibility": "everyone"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"visibility": "Unknown value “everyone”."}


def test_resharing_is_audited(agent_a, lists):
    saved_list_update(actor=agent_a, saved_list=lists["private"], data={"visibility": "workspace"})

    event = AuditEvent.objects.filter(action="saved_list.update").get()
    assert event.changes == {"visibility": ["private", "workspace"]}


# --- the pages -------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_page_offers_rename_and_delete_to_the_owner_only(agent_a, agent_a2, lists):
    saved = lists["team"]
    edit_url = f"/lists/{saved.pk}/edit/"

    owner_page = _client(agent_a).get(f"/lists/{saved.pk}/").content.decode()
    reader_page = _client(agent_a2).get(f"/lists/{saved.pk}/").content.decode()

    assert (edit_url in owner_page, edit_url in reader_page) == (True, False)
    assert "Shared with: My team" in reader_page


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_reader_cannot_open_or_post_the_edit_and_delete_pages(agent_a2, lists, method):
    saved = lists["team"]
    client = _client(agent_a2)

    edit = getattr(client, method)(f"/lists/{saved.pk}/edit/", {"name": "x"})
    delete = client.post(f"/lists/{saved.pk}/delete/")

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert SavedList.objects.get(pk=saved.pk).name == "Calls team"


def test_a_private_list_of_someone_else_is_not_found_in_the_pages(agent_a2, lists):
    saved = lists["private"]
    client = _client(agent_a2)

    statuses = [
        client.get(f"/lists/{saved.pk}/").status_code,
        client.get("/export/people.csv", {"list": saved.pk}).status_code,
    ]

    assert statuses == [404, 404]
    assert "Calls private" not in client.get("/lists/").content.decode()


def test_the_owner_shares_a_list_from_its_form(agent_a, agent_a2, lists):
    saved = lists["private"]

    response = _client(agent_a).post(
        f"/lists/{saved.pk}/edit/", {"name": "Calls", "visibility": "team"}
    )

    assert response.status_code == 302
    assert _client(agent_a2).get(f"/lists/{saved.pk}/").status_code == 200
