"""One map of what each role may do, checked in services: pages and the API agree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from klient.contacts.models import Person
from klient.contacts.services import person_create
from klient.core.capabilities import ADMINS, Capability, can, capabilities
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db

# The default map, as documented on /settings/roles/. Changing who may do what is a
# product decision: this test makes it a visible one.
EXPECTED = {
    "records.write": {"admin", "manager", "agent"},
    "contacts.write": {"admin", "manager", "agent"},
    "contacts.delete": {"admin", "manager", "agent"},
    "contacts.merge": {"admin", "manager", "agent"},
    "contacts.lists": {"admin", "manager", "agent"},
    "activities.log": {"admin", "manager", "agent"},
    "activities.edit_any": {"admin", "manager"},
    "workspace.manage": {"admin"},
    "audit.read": {"admin"},
    "jobs.manage": {"admin"},
}


def test_the_default_map():
    registered = {item.key: set(item.roles) for item in capabilities}
    assert {key: registered.get(key) for key in EXPECTED} == EXPECTED


@pytest.mark.parametrize("username", ["admin", "manager_a", "agent_a", "analyst"])
def test_can_follows_the_map_for_each_role(request, username):
    user = request.getfixturevalue(username)
    for key, roles in EXPECTED.items():
        assert can(user, key) is (user.role in roles), key


def test_an_inactive_user_or_one_without_a_workspace_can_do_nothing(admin):
    admin.is_active = False
    assert not can(admin, "records.write")
    admin.is_active, admin.workspace_id = True, None
    assert not can(admin, "records.write")


def test_a_capability_names_real_roles():
    with pytest.raises(ValueError, match="owner"):
        Capability("x.y", "X", frozenset({"owner"}))


def test_an_unknown_capability_is_a_programming_error(admin):
    with pytest.raises(KeyError):
        can(admin, "no.such.thing")


@pytest.fixture
def merge_for_admins_only() -> Iterator[None]:
    """A workspace policy as a later release may offer it: only administrators merge."""
    original = capabilities.get("contacts.merge")
    capabilities.unregister("contacts.merge")
    capabilities.register(Capability("contacts.merge", original.label, ADMINS, original.order))
    yield
    capabilities.unregister("contacts.merge")
    capabilities.register(original)


def test_the_page_and_the_api_refuse_alike(agent_a, merge_for_admins_only):
    primary = person_create(actor=agent_a, last_name="Кузнецов")
    twin = person_create(actor=agent_a, last_name="Кузнецов")

    api = ApiClient(agent_a).post(f"/people/{primary.pk}/merge", {"duplicate_id": twin.pk})
    client = Client()
    client.force_login(agent_a)
    page = client.post(f"/people/{primary.pk}/merge/", {"duplicate_id": twin.pk})

    assert api.status_code == 403
    assert api.json()["message"] == "Only administrators can do this."
    assert page.status_code == 403
    assert Person.objects.get(pk=twin.pk).merged_into_id is None


def test_an_analyst_is_told_their_role_only_reads(analyst):
    response = ApiClient(analyst).post("/people", {"last_name": "Новый"})
    assert response.status_code == 403
    assert response.json()["message"] == "Your role can only read."


def test_the_roles_page_shows_the_map_to_administrators(admin, agent_a):
    client = Client()
    client.force_login(admin)
    page = client.get("/settings/roles/").content.decode()
    assert "activities.edit_any" in page
    assert page.count('aria-label="allowed"') == sum(len(r) for r in registered_roles())
    client.force_login(agent_a)
    assert client.get("/settings/roles/").status_code == 403


def registered_roles() -> list[frozenset[str]]:
    return [item.roles for item in capabilities]
