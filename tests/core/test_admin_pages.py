import pytest

from klient.core.models import AuditEvent, User
from tests.factories import TEST_PASSWORD


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_admin_creates_a_user_with_a_team_and_sees_the_first_password(admin_client, team_a):
    response = admin_client.post(
        "/settings/users/",
        {
            "username": "petya",
            "role": "agent",
            "first_name": "Пётр",
            "teams": [str(team_a.pk)],
        },
    )
    assert response.status_code == 200
    created = User.objects.get(username="petya")
    assert list(created.teams.all()) == [team_a]
    assert created.check_password(response.context["created_password"])
    assert AuditEvent.objects.filter(action="user.create", object_id=created.pk).exists()


def test_admin_changes_role_teams_and_deactivates(admin_client, agent_a, team_b):
    response = admin_client.post(
        f"/settings/users/{agent_a.pk}/",
        {
            "role": "manager",
            "teams": [str(team_b.pk)],
        },
    )
    assert response.status_code == 302
    agent_a.refresh_from_db()
    assert (agent_a.role, agent_a.is_active) == ("manager", False)
    assert list(agent_a.teams.all()) == [team_b]
    event = AuditEvent.objects.get(action="user.update", object_id=agent_a.pk)
    assert event.changes["role"] == ["agent", "manager"]
    assert event.changes["is_active"] == [True, False]


def test_admin_cannot_lock_themselves_out(admin_client, admin):
    response = admin_client.post(f"/settings/users/{admin.pk}/", {"role": "agent"})
    assert response.status_code == 422
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_audit_page_filters_by_action(admin_client, admin, agent_a):
    from klient.contacts.services import person_create

    person_create(actor=agent_a, last_name="Audited")
    response = admin_client.get("/settings/audit/", {"action": "person."})
    assert response.status_code == 200
    assert [e.action for e in response.context["page"].items] == ["person.create"]


@pytest.mark.parametrize("username", ["manager_a", "agent_a", "analyst"])
def test_settings_are_for_admins_only(client, request, username):
    user = request.getfixturevalue(username)
    client.login(username=user.username, password=TEST_PASSWORD)
    for url in ("/settings/users/", "/settings/teams/", "/settings/audit/"):
        assert client.get(url).status_code == 403


def test_other_workspace_user_cannot_be_edited(admin_client, other_workspace_admin):
    response = admin_client.post(f"/settings/users/{other_workspace_admin.pk}/", {"role": "agent"})
    assert response.status_code == 404
