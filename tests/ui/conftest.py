"""Fixtures for page tests: a signed-in Django test client per role and a small dossier."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from klient.activities import services as activity_services
from klient.contacts import services as contact_services


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Russian leaves Russian active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def org_a(agent_a):
    return contact_services.organization_create(
        actor=agent_a, name="ООО Ромашка", phone="+7 495 123-45-67", tags=["vip"]
    )


@pytest.fixture
def person_a(agent_a, org_a):
    """A person owned by agent_a (team A) with a phone, an email, a tag and an organization."""
    return contact_services.person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Петров",
        phones=["+7 916 123-45-67"],
        emails=["ivan@example.org"],
        organization_id=org_a.pk,
        tags=["vip"],
    )


@pytest.fixture
def call_a(agent_a, person_a):
    return activity_services.interaction_create(
        actor=agent_a,
        kind="call",
        person=person_a,
        direction="outbound",
        subject="Первый звонок",
        body="Обсудили поставку",
    )
