"""Fixtures of the API tests: a client per user, an anonymous one, and a few records."""

from __future__ import annotations

import pytest

from klient.contacts.services import organization_create, person_create
from tests.api.client import ApiClient


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def person_a(agent_a):
    """Owned by agent_a, team A."""
    return person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Кузнецов",
        emails=["ivan@romashka.ru"],
        phones=["+79161234567"],
    )


@pytest.fixture
def person_b(agent_b):
    """Owned by agent_b, team B: invisible to agent_a and manager_a."""
    return person_create(actor=agent_b, first_name="Georgi", last_name="Georgiev")


@pytest.fixture
def stranger_person(other_workspace_admin):
    return person_create(actor=other_workspace_admin, first_name="Иван", last_name="Чужой")


@pytest.fixture
def org_b(agent_b):
    return organization_create(actor=agent_b, name="ООО Бета")
