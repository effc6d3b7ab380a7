"""Sign-in throttling on the login page: per account, per address, in the user's language."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from klient.core.models import AuthThrottle
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Russian leaves Russian active in this thread; later tests expect English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KLIENT_LOGIN_FAILURE_LIMIT = 5
    settings.KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    settings.KLIENT_LOGIN_COOLOFF_MINUTES = 15


def sign_in(username, password, *, address=OFFICE, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return client, response


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_get_the_ordinary_answer(agent_a):
    for _ in range(4):
        _client, response = sign_in("agent_a", "wrong")
        assert response.status_code == 200
        assert (
            response.context["form"]
            .errors["__all__"][0]
            .startswith("Please enter a correct username and password.")
        )


def test_the_fifth_wrong_password_locks_the_account_for_the_cooloff(agent_a):
    for _ in range(4):
        sign_in("agent_a", "wrong")
    _client, response = sign_in("agent_a", "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.context["form"].errors["__all__"] == [
        "Too many failed sign-in attempts. Try again in 15 min."
    ]


def test_thirty_fast_guesses_then_the_right_password_is_refused(agent_a):
    statuses = [sign_in("agent_a", f"guess-{n}")[1].status_code for n in range(30)]
    client, response = sign_in("agent_a", TEST_PASSWORD, address=ELSEWHERE)
    assert statuses == [200] * 4 + [429] * 26
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lock_message_is_in_the_users_language(agent_a):
    for _ in range(5):
        _client, response = sign_in("agent_a", "wrong", language="ru")
    assert response.context["form"].errors["__all__"] == [
        "Слишком много неудачных попыток входа. Повторите через 15 мин."
    ]


def test_a_locked_account_is_not_counted_further(agent_a):
    for _ in range(9):
        sign_in("agent_a", "wrong", address=ELSEWHERE)
    row = AuthThrottle.objects.get(scope="account", key="agent_a")
    assert row.failures == 5


def test_usernames_differing_in_case_share_one_count(agent_a):
    for name in ["agent_a", "AGENT_A", "Agent_A", "agent_A", "AgEnT_a"]:
        _client, response = sign_in(name, "wrong")
    assert response.status_code == 429


def test_a_right_password_clears_the_accounts_count(agent_a):
    for _ in range(4):
        sign_in("agent_a", "wrong")
    client, _response = sign_in("agent_a", TEST_PASSWORD)
    _client, response = sign_in("agent_a", "wrong")
    assert is_signed_in(client)
    assert response.status_code == 200
    assert AuthThrottle.objects.get(scope="account", key="agent_a").failures == 1


def test_the_lock_ends_after_the_cooloff(agent_a):
    for _ in range(5):
        sign_in("agent_a", "wrong")
    past = timezone.now() - timedelta(minutes=16)
    AuthThrottle.objects.update(
        window_started_at=past - timedelta(minutes=15), locked_until=past, last_failure_at=past
    )
    client, response = sign_in("agent_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_guesses_across_accounts_lock_the_address(agent_a, agent_b, manager_a, analyst):
    names = ["agent_a", "agent_b", "manager_a", "analyst"] * 2
    statuses = [sign_in(name, "wrong")[1].status_code for name in names]
    _client, from_office = sign_in("admin-nobody", "wrong")
    assert statuses == [200] * 7 + [429]
    assert from_office.status_code == 429


def test_an_address_lock_leaves_other_addresses_alone(agent_a, agent_b, manager_a, analyst):
    for name in ["agent_a", "agent_b", "manager_a", "analyst"] * 2:
        sign_in(name, "wrong")
    client, response = sign_in("agent_b", TEST_PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_colleagues_mistyping_in_one_office_stay_below_the_address_limit(
    agent_a, agent_b, manager_a
):
    """Each colleague mistypes twice, then signs in: 6 failures, under the address's 8."""
    results = []
    for name in ["agent_a", "agent_b", "manager_a"]:
        sign_in(name, "typo-1")
        sign_in(name, "typo-2")
        client, response = sign_in(name, TEST_PASSWORD)
        results.append((response.status_code, is_signed_in(client)))
    assert results == [(302, True)] * 3


def test_unknown_usernames_are_counted_like_real_ones(db):
    for _ in range(4):
        sign_in("nobody-here", "wrong")
    _client, response = sign_in("nobody-here", "wrong")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_address_counts_apart(
    settings, agent_a, agent_b, manager_a, analyst
):
    settings.KLIENT_TRUSTED_PROXY = ["127.0.0.1"]
    guesser = Client(HTTP_X_FORWARDED_FOR=OFFICE)
    for name in ["agent_a", "agent_b", "manager_a", "analyst"] * 2:
        guesser.post(LOGIN, {"username": name, "password": "wrong"})
    colleague = Client(HTTP_X_FORWARDED_FOR=ELSEWHERE)
    response = colleague.post(LOGIN, {"username": "agent_b", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert AuthThrottle.objects.get(scope="address").key == OFFICE


def test_counts_whose_window_ended_are_dropped_on_the_next_failure(agent_a):
    sign_in("agent_a", "wrong")
    past = timezone.now() - timedelta(minutes=16)
    AuthThrottle.objects.update(window_started_at=past, last_failure_at=past)
    sign_in("nobody-here", "wrong", address=ELSEWHERE)
    assert sorted(AuthThrottle.objects.values_list("scope", "key")) == [
        ("account", "nobody-here"),
        ("address", ELSEWHERE),
    ]
