"""POST /auth/token, its throttling, invalid bearer tokens, and revoking all tokens."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from klient.core.models import ApiToken, AuditEvent, AuthThrottle
from tests.api.client import ApiClient
from tests.factories import TEST_PASSWORD

TOKEN_URL = "/api/v1/auth/token"
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KLIENT_LOGIN_FAILURE_LIMIT = 5
    settings.KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    settings.KLIENT_TOKEN_FAILURE_LIMIT = 3
    settings.KLIENT_LOGIN_COOLOFF_MINUTES = 15


def obtain(body, *, address=OFFICE):
    return Client().post(
        TOKEN_URL, data=json.dumps(body), content_type="application/json", REMOTE_ADDR=address
    )


def with_token(secret, path="/me", *, address=OFFICE):
    return Client().get(
        f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=address
    )


def test_a_username_and_password_give_a_working_token(agent_a):
    response = obtain({"username": "agent_a", "password": TEST_PASSWORD, "name": "ERP sync"})
    body = response.json()
    assert response.status_code == 201
    assert set(body) == {"token", "prefix", "name", "user_id"}
    assert (body["name"], body["user_id"], body["prefix"]) == (
        "ERP sync",
        agent_a.pk,
        body["token"][:10],
    )
    assert with_token(body["token"]).json()["username"] == "agent_a"
    assert ApiToken.objects.get(user=agent_a).name == "ERP sync"


def test_a_wrong_password_is_a_typed_401(agent_a):
    response = obtain({"username": "agent_a", "password": "wrong"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Wrong username or password.",
        "fields": {},
    }


def test_a_deactivated_user_gets_no_token(agent_a):
    agent_a.is_active = False
    agent_a.save()
    response = obtain({"username": "agent_a", "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_a_missing_password_is_a_field_error(agent_a):
    response = obtain({"username": "agent_a"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["password"]


def test_the_fifth_wrong_password_is_a_typed_429_with_retry_after(agent_a):
    for _ in range(4):
        obtain({"username": "agent_a", "password": "wrong"})
    response = obtain({"username": "agent_a", "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json() == {
        "code": "throttled",
        "message": "Too many failed sign-in attempts. Try again in 15 min.",
        "fields": {},
    }


def test_failures_on_the_login_page_lock_the_token_endpoint_too(agent_a):
    for _ in range(5):
        Client().post(
            "/accounts/login/", {"username": "agent_a", "password": "wrong"}, REMOTE_ADDR=OFFICE
        )
    response = obtain({"username": "agent_a", "password": TEST_PASSWORD}, address=ELSEWHERE)
    assert response.status_code == 429
    assert not ApiToken.objects.filter(user=agent_a).exists()


def test_invalid_bearer_tokens_are_401_until_the_address_limit(db):
    statuses = [with_token(f"kl_guess{n}").status_code for n in range(2)]
    assert statuses == [401, 401]


def test_invalid_bearer_tokens_past_the_limit_are_a_typed_429(db):
    for n in range(2):
        with_token(f"kl_guess{n}")
    response = with_token("kl_guess-last")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json()["code"] == "throttled"
    assert response.json()["message"] == (
        "Too many requests with an invalid API token from your address. Try again in 15 min."
    )


def test_invalid_tokens_from_one_address_leave_another_alone(db):
    for n in range(5):
        with_token(f"kl_guess{n}")
    assert with_token("kl_guess-x", address=ELSEWHERE).status_code == 401


def test_a_valid_token_still_works_from_a_locked_address(agent_a):
    secret = ApiClient(agent_a).headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    for n in range(5):
        with_token(f"kl_guess{n}")
    assert with_token(secret).status_code == 200


def test_a_valid_token_costs_no_throttle_query(agent_a):
    secret = ApiClient(agent_a).headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    with CaptureQueriesContext(connection) as queries:
        response = with_token(secret)
    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "auththrottle" in q["sql"]] == []
    assert not AuthThrottle.objects.exists()


def test_revoke_all_ends_every_token_of_the_caller(agent_a, agent_b):
    api = ApiClient(agent_a)
    ApiClient(agent_a)  # a second token of agent_a
    other = ApiClient(agent_b)
    response = api.post("/auth/tokens/revoke-all")
    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert api.get("/me").status_code == 401
    assert other.get("/me").status_code == 200


def test_revoke_all_is_audited(agent_a):
    ApiClient(agent_a).post("/auth/tokens/revoke-all")
    event = AuditEvent.objects.get(action="token.revoke_all")
    assert (event.object_id, event.actor_id, event.changes) == (
        agent_a.pk,
        agent_a.pk,
        {"live_tokens": [1, 0]},
    )
