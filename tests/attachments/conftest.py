"""Fixtures of the attachments tests: a files folder of each test's own, clients of two
teams and of another workspace, signed-in clients, and small files made in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from klient.contacts.services import organization_create, person_create


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path) -> Path:
    """Every test writes under its own KLIENT_FILES_DIR."""
    folder = tmp_path / "files"
    settings.KLIENT_FILES_DIR = folder
    return folder


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.fixture
def client_for():
    def make(user, language: str | None = None) -> Client:
        client = Client()
        client.force_login(user)
        if language:
            client.cookies["klient_language"] = language
        return client

    return make


@pytest.fixture
def person_a(agent_a, team_a):
    """agent_a's client on team A: seen by agent_a, agent_a2, manager_a, admin, analyst."""
    return person_create(actor=agent_a, first_name="Иван", last_name="Петров", team_id=team_a.pk)


@pytest.fixture
def person_b(agent_b, team_b):
    """agent_b's client on team B: hidden from agent_a and manager_a."""
    return person_create(
        actor=agent_b, first_name="Georgi", last_name="Georgiev", team_id=team_b.pk
    )


@pytest.fixture
def org_a(agent_a, team_a):
    return organization_create(actor=agent_a, name="ООО Ромашка", team_id=team_a.pk)


@pytest.fixture
def stranger_person(other_workspace_admin):
    return person_create(actor=other_workspace_admin, first_name="Иван", last_name="Чужой")
