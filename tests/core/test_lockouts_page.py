"""/settings/lockouts/: administrators see locked accounts and addresses and unlock them."""

import pytest
from django.test import Client

from klient.core.models import AuditEvent, AuthThrottle
from tests.factories import TEST_PASSWORD

OFFICE = "203.0.113.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KLIENT_LOGIN_FAILURE_LIMIT = 3
    settings.KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.KLIENT_LOGIN_COOLOFF_MINUTES = 15


def fail_sign_in(username, times, *, address=OFFICE):
    for _ in range(times):
        Client().post(
            "/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )


def sign_in(username, *, address="198.51.100.20"):
    return Client().post(
        "/accounts/login/", {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=address
    )


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def shown(response):
    return [(lock.scope, lock.key) for lock in response.context["lockouts"]]


def test_a_locked_account_is_listed(admin_client, agent_a):
    fail_sign_in("agent_a", 3)
    response = admin_client.get("/settings/lockouts/")
    assert response.status_code == 200
    assert shown(response) == [("account", "agent_a")]


def test_a_locked_address_is_listed(admin_client, agent_a, agent_b):
    fail_sign_in("agent_a", 2)
    fail_sign_in("agent_b", 2)
    fail_sign_in("nobody", 2)
    response = admin_client.get("/settings/lockouts/")
    assert shown(response) == [("address", OFFICE)]


def test_accounts_of_another_workspace_are_not_listed(admin_client, other_workspace_admin):
    fail_sign_in("stranger", 3, address="198.51.100.77")
    response = admin_client.get("/settings/lockouts/")
    assert shown(response) == []


def test_unlocking_lets_the_user_sign_in_at_once(admin_client, agent_a):
    fail_sign_in("agent_a", 3)
    lock = AuthThrottle.objects.get(scope="account")
    response = admin_client.post(f"/settings/lockouts/{lock.pk}/unlock/")
    assert response.status_code == 302
    assert sign_in("agent_a").status_code == 302


def test_unlocking_is_audited(admin_client, admin, agent_a):
    fail_sign_in("agent_a", 3)
    lock = AuthThrottle.objects.get(scope="account")
    admin_client.post(f"/settings/lockouts/{lock.pk}/unlock/")
    event = AuditEvent.objects.get(action="auth.unlock")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.pk,
        "core.auththrottle",
        lock.pk,
    )
    assert event.changes["scope"] == ["account", None]
    assert event.changes["key"] == ["agent_a", None]


def test_another_workspaces_lock_cannot_be_lifted(admin_client, other_workspace_admin):
    fail_sign_in("stranger", 3, address="198.51.100.77")
    lock = AuthThrottle.objects.get(scope="account")
    response = admin_client.post(f"/settings/lockouts/{lock.pk}/unlock/")
    assert response.status_code == 404
    assert AuthThrottle.objects.filter(pk=lock.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_administrators(method, manager_a, agent_a):
    fail_sign_in("agent_a", 3)
    lock = AuthThrottle.objects.get(scope="account")
    client = Client()
    client.force_login(manager_a)
    url = "/settings/lockouts/" if method == "get" else f"/settings/lockouts/{lock.pk}/unlock/"
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert AuthThrottle.objects.filter(pk=lock.pk).exists()


def test_the_page_states_the_limits(admin_client):
    response = admin_client.get("/settings/lockouts/")
    assert (
        "An account is locked after 3 failed sign-ins, an address after 6, for 15 min."
        in response.content.decode()
    )
