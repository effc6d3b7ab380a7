"""Shared fixtures: a workspace with two teams and one user of each role."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY

from tests.factories import TeamFactory, UserFactory, WorkspaceFactory


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Jobs run in-process during tests; the outbox still records them."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's million rounds cost ~0.3 s per user; tests hash with MD5 instead."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_dir(settings, tmp_path):
    """Uploaded and generated files go to the test's own folder, not KLIENT_HOME/files."""
    settings.KLIENT_FILES_DIR = tmp_path / "files"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


@pytest.fixture
def team_a(workspace):
    return TeamFactory(workspace=workspace, name="Sales A")


@pytest.fixture
def team_b(workspace):
    return TeamFactory(workspace=workspace, name="Sales B")


@pytest.fixture
def admin(workspace):
    return UserFactory(workspace=workspace, role="admin", username="admin")


@pytest.fixture
def manager_a(workspace, team_a):
    return UserFactory(workspace=workspace, role="manager", username="manager_a", teams=[team_a])


@pytest.fixture
def agent_a(workspace, team_a):
    return UserFactory(workspace=workspace, role="agent", username="agent_a", teams=[team_a])


@pytest.fixture
def agent_a2(workspace, team_a):
    return UserFactory(workspace=workspace, role="agent", username="agent_a2", teams=[team_a])


@pytest.fixture
def agent_b(workspace, team_b):
    return UserFactory(workspace=workspace, role="agent", username="agent_b", teams=[team_b])


@pytest.fixture
def analyst(workspace):
    return UserFactory(workspace=workspace, role="analyst", username="analyst")


@pytest.fixture
def other_workspace_admin(db):
    return UserFactory(workspace=WorkspaceFactory(), role="admin", username="stranger")
