"""Creating a person whose email or phone is already in the dossier: warned first, never
told about people the user may not see."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from klient.contacts.errors import PossibleDuplicates
from klient.contacts.models import Person
from klient.contacts.selectors import person_channel_matches
from klient.contacts.services import person_create, person_merge
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**values: str) -> dict[str, str]:
    return {"first_name": "Иван", "last_name": "Петров", "lifecycle_stage": "lead", **values}


@pytest.fixture
def ivan(agent_a):
    return person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Петров",
        emails=["ivan@example.org"],
        phones=["+7 916 123-45-67"],
    )


@pytest.fixture
def hidden_ivan(agent_b):
    """Another team's client: agent_a may not see him."""
    return person_create(
        actor=agent_b, first_name="Иван", last_name="Скрытов", emails=["ivan@example.org"]
    )


# --- the service and the lookup ------------------------------------------------------------------


def test_check_refuses_to_create_and_names_what_is_shared(agent_a, ivan):
    with pytest.raises(PossibleDuplicates) as caught:
        person_create(
            actor=agent_a,
            last_name="Петров",
            emails=["IVAN@Example.org"],
            phones=["8 (916) 123-45-67"],
            check_duplicates=True,
        )
    [match] = caught.value.matches
    assert (match.person.pk, match.emails, match.phones) == (
        ivan.pk,
        ["ivan@example.org"],
        ["+79161234567"],
    )
    assert caught.value.fields == {"duplicate_ids": str(ivan.pk)}
    assert Person.objects.count() == 1


def test_without_the_check_the_service_creates_as_before(agent_a, ivan):
    twin = person_create(actor=agent_a, last_name="Петров", emails=["ivan@example.org"])
    assert Person.objects.filter(pk__in=[ivan.pk, twin.pk]).count() == 2


def test_matches_come_oldest_first(agent_a, ivan):
    second = person_create(actor=agent_a, last_name="Второй", phones=["+7 916 123-45-67"])
    found = person_channel_matches(
        user=agent_a, emails=["ivan@example.org"], phones=["+79161234567"]
    )
    assert [match.person.pk for match in found] == [ivan.pk, second.pk]


def test_hidden_people_are_not_matches(agent_a, hidden_ivan):
    assert person_channel_matches(user=agent_a, emails=["ivan@example.org"], phones=[]) == []


def test_merged_people_are_not_matches(admin, agent_a, ivan):
    survivor = person_create(actor=agent_a, last_name="Петров")
    person_merge(actor=admin, primary=survivor, duplicate=ivan)
    assert [
        m.person.pk
        for m in person_channel_matches(user=agent_a, emails=["ivan@example.org"], phones=[])
    ] == [survivor.pk]


# --- the page -------------------------------------------------------------------------------------


def test_form_warns_with_a_link_to_the_existing_person_and_saves_nothing(agent_a, ivan):
    response = _client(agent_a).post(
        reverse("contacts:person_create"), _form(emails="Ivan@Example.ORG")
    )

    assert response.status_code == 409
    assert [match.person.pk for match in response.context["duplicates"]] == [ivan.pk]
    content = response.content.decode()
    assert f'href="{reverse("contacts:person_detail", args=[ivan.pk])}"' in content
    assert 'name="confirm_duplicates" value="1"' in content
    assert Person.objects.count() == 1


def test_form_warns_of_the_same_phone_typed_another_way(agent_a, ivan):
    response = _client(agent_a).post(
        reverse("contacts:person_create"), _form(phones="8 916 123 45 67")
    )

    assert response.status_code == 409
    [match] = response.context["duplicates"]
    assert (match.person.pk, match.emails, match.phones) == (ivan.pk, [], ["+79161234567"])


def test_save_anyway_creates_the_person(agent_a, ivan):
    response = _client(agent_a).post(
        reverse("contacts:person_create"),
        _form(emails="ivan@example.org", confirm_duplicates="1"),
    )

    twin = Person.objects.exclude(pk=ivan.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person_detail", args=[twin.pk])
    assert list(twin.emails.values_list("email", flat=True)) == ["ivan@example.org"]


def test_another_teams_duplicate_is_not_revealed_to_an_agent(agent_a, hidden_ivan):
    response = _client(agent_a).post(
        reverse("contacts:person_create"), _form(emails="ivan@example.org")
    )

    assert response.status_code == 302
    assert Person.objects.filter(last_name="Петров", owner=agent_a).count() == 1


def test_an_admin_is_warned_of_any_teams_person(admin, hidden_ivan):
    response = _client(admin).post(
        reverse("contacts:person_create"), _form(emails="ivan@example.org")
    )
    assert response.status_code == 409
    assert [match.person.pk for match in response.context["duplicates"]] == [hidden_ivan.pk]


def test_an_invalid_form_reports_its_errors_rather_than_duplicates(agent_a, ivan):
    response = _client(agent_a).post(
        reverse("contacts:person_create"), _form(emails="ivan@example.org", phones="12")
    )
    assert response.status_code == 422
    assert response.context["duplicates"] == []


# --- the API --------------------------------------------------------------------------------------


def test_api_creates_a_duplicate_by_default(agent_a, ivan):
    response = ApiClient(agent_a).post(
        "/people", {"last_name": "Петров", "emails": ["ivan@example.org"]}
    )
    assert response.status_code == 201
    assert Person.objects.count() == 2


def test_api_check_duplicates_answers_409_with_the_visible_ids(agent_a, ivan):
    response = ApiClient(agent_a).post(
        "/people?check_duplicates=true", {"last_name": "Петров", "phones": ["+7 916 1234567"]}
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "possible_duplicates",
        "message": "A person with the same email or phone already exists.",
        "fields": {"duplicate_ids": str(ivan.pk)},
    }
    assert Person.objects.count() == 1


def test_api_check_duplicates_ignores_hidden_people(agent_a, hidden_ivan):
    response = ApiClient(agent_a).post(
        "/people?check_duplicates=true", {"last_name": "Петров", "emails": ["ivan@example.org"]}
    )
    assert response.status_code == 201
