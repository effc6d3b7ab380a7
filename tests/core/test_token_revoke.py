"""API tokens outlive a password change; the user and an administrator can revoke them all;
an administrator's password reset ends the colleague's sessions."""

import pytest
from django.test import Client

from klient.core.errors import NotFound, PermissionDenied
from klient.core.models import AuditEvent
from klient.core.services import token_authenticate, token_create, token_revoke_all
from tests.factories import TEST_PASSWORD


@pytest.fixture
def client_of():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_a_token_keeps_working_after_a_password_change(client_of, agent_a):
    secret = token_create(user=agent_a)
    response = client_of(agent_a).post(
        "/accounts/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-Passw0rd-42",
            "new_password2": "a-new-Passw0rd-42",
        },
    )
    assert response.status_code == 302
    assert token_authenticate(secret) == agent_a


def test_a_password_change_signs_out_other_sessions(client_of, agent_a):
    other_session = client_of(agent_a)
    client_of(agent_a).post(
        "/accounts/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-Passw0rd-42",
            "new_password2": "a-new-Passw0rd-42",
        },
    )
    assert other_session.get("/notifications/").status_code == 302


def test_the_user_revokes_all_their_tokens_from_their_page(client_of, agent_a, agent_b):
    mine = [token_create(user=agent_a), token_create(user=agent_a)]
    theirs = token_create(user=agent_b)
    response = client_of(agent_a).post("/accounts/tokens/revoke/")
    assert response.status_code == 302
    assert [token_authenticate(secret) for secret in mine] == [None, None]
    assert token_authenticate(theirs) == agent_b


def test_the_tokens_page_lists_live_tokens_by_name(client_of, agent_a):
    token_create(user=agent_a, name="ERP sync")
    gone = token_create(user=agent_a, name="old")
    token_revoke_all(user=agent_a, actor=agent_a)
    token_create(user=agent_a, name="Telephony")
    response = client_of(agent_a).get("/accounts/tokens/")
    assert response.status_code == 200
    assert [token.name for token in response.context["tokens"]] == ["Telephony"]
    assert gone[:10] not in response.content.decode()


def test_an_administrator_revokes_a_colleagues_tokens(client_of, admin, agent_a):
    secret = token_create(user=agent_a)
    response = client_of(admin).post(f"/settings/users/{agent_a.pk}/tokens/revoke/")
    assert response.status_code == 302
    assert token_authenticate(secret) is None
    event = AuditEvent.objects.get(action="token.revoke_all")
    assert (event.actor_id, event.object_id, event.changes) == (
        admin.pk,
        agent_a.pk,
        {"live_tokens": [1, 0]},
    )


def test_the_users_page_shows_each_colleagues_live_tokens(client_of, admin, agent_a):
    token_create(user=agent_a)
    token_create(user=agent_a)
    response = client_of(admin).get("/settings/users/")
    counts = {user.username: user.live_tokens for user in response.context["users"]}
    assert counts == {"admin": 0, "agent_a": 2}


def test_a_colleague_without_admin_rights_cannot_revoke(agent_a, agent_a2):
    token_create(user=agent_a2)
    with pytest.raises(PermissionDenied):
        token_revoke_all(user=agent_a2, actor=agent_a)


def test_an_administrator_of_another_workspace_cannot_revoke(other_workspace_admin, agent_a):
    secret = token_create(user=agent_a)
    with pytest.raises(NotFound):
        token_revoke_all(user=agent_a, actor=other_workspace_admin)
    assert token_authenticate(secret) == agent_a


def test_an_administrators_password_reset_ends_the_colleagues_sessions(client_of, admin, agent_a):
    session = client_of(agent_a)
    secret = token_create(user=agent_a)
    response = client_of(admin).post(f"/settings/users/{agent_a.pk}/password/")
    agent_a.refresh_from_db()
    assert response.status_code == 200
    assert agent_a.check_password(response.context["reset_password"])
    assert session.get("/notifications/").status_code == 302
    assert token_authenticate(secret) == agent_a


def test_a_password_reset_is_audited_without_the_password(client_of, admin, agent_a):
    client_of(admin).post(f"/settings/users/{agent_a.pk}/password/")
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor_id, event.object_id, event.changes) == (admin.pk, agent_a.pk, {})


def test_no_password_reset_across_workspaces(client_of, admin, other_workspace_admin):
    response = client_of(admin).post(f"/settings/users/{other_workspace_admin.pk}/password/")
    other_workspace_admin.refresh_from_db()
    assert response.status_code == 404
    assert other_workspace_admin.check_password(TEST_PASSWORD)
