"""Type-ahead pickers: GET /pick/<kind>/?q= and the fields that use it.

The picker offers only records the user may see (the one visibility rule), folds case,
ё/е and phone digits like the client search, offers at most ten, and costs the same
number of queries whatever the number of records.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.contacts import services as contact_services
from klient.contacts.models import Affiliation, Person
from klient.core.pickers import PICK_LIMIT

pytestmark = pytest.mark.django_db

ORGS = "/pick/contacts.organization/"
PEOPLE = "/pick/contacts.person/"


def _names(client: Client, url: str, query: str) -> list[str]:
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return [option["name"] for option in response.json()["options"]]


@pytest.fixture
def dossier(agent_a, agent_a2, agent_b):
    """Organizations named alike in team A (agent_a's, agent_a2's) and team B (agent_b's),
    and a person in each."""
    made = {
        "own": contact_services.organization_create(actor=agent_a, name="Ромашка Север"),
        "team": contact_services.organization_create(actor=agent_a2, name="Ромашка Юг"),
        "other_team": contact_services.organization_create(actor=agent_b, name="Ромашка Запад"),
    }
    made["own_person"] = contact_services.person_create(
        actor=agent_a, first_name="Анна", last_name="Ромашкина"
    )
    made["other_person"] = contact_services.person_create(
        actor=agent_b, first_name="Алла", last_name="Ромашкина"
    )
    return made


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("agent_a", ["Ромашка Север", "Ромашка Юг"]),  # own and the team's
        ("agent_b", ["Ромашка Запад"]),
        ("manager_a", ["Ромашка Север", "Ромашка Юг"]),
        ("admin", ["Ромашка Запад", "Ромашка Север", "Ромашка Юг"]),
        ("analyst", ["Ромашка Запад", "Ромашка Север", "Ромашка Юг"]),
        ("other_workspace_admin", []),
    ],
)
def test_organizations_offered_are_those_the_role_may_see(
    request, client_for, dossier, username, expected
):
    client = client_for(request.getfixturevalue(username))
    assert _names(client, ORGS, "ромашка") == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("agent_a", ["Анна Ромашкина"]),
        ("agent_b", ["Алла Ромашкина"]),
        ("admin", ["Алла Ромашкина", "Анна Ромашкина"]),
        ("other_workspace_admin", []),
    ],
)
def test_people_offered_are_those_the_role_may_see(
    request, client_for, dossier, username, expected
):
    client = client_for(request.getfixturevalue(username))
    assert _names(client, PEOPLE, "ромашк") == expected


def test_a_merged_person_is_not_offered(client_for, agent_a):
    kept = contact_services.person_create(actor=agent_a, first_name="Олег", last_name="Яшин")
    twin = contact_services.person_create(actor=agent_a, first_name="Олег", last_name="Яшин")
    contact_services.person_merge(actor=agent_a, primary=kept, duplicate=twin)
    response = client_for(agent_a).get(PEOPLE, {"q": "яшин"})
    assert [option["id"] for option in response.json()["options"]] == [kept.pk]


def test_yo_and_ye_are_the_same_letter(client_for, agent_a):
    contact_services.organization_create(actor=agent_a, name="Ёлка и Фёдор")
    client = client_for(agent_a)
    assert _names(client, ORGS, "елка") == ["Ёлка и Фёдор"]
    assert _names(client, ORGS, "ФЁДОР") == ["Ёлка и Фёдор"]


def test_an_organization_is_found_by_phone_digits_and_tax_id(client_for, agent_a):
    contact_services.organization_create(
        actor=agent_a, name="Лютик", phone="+7 495 765-43-21", tax_id="7701234567"
    )
    client = client_for(agent_a)
    assert _names(client, ORGS, "8 (495) 765-43") == ["Лютик"]
    response = client.get(ORGS, {"q": "77012345"})
    assert response.json()["options"][0]["detail"] == "7701234567"


def test_a_person_is_found_by_email_and_shows_it(client_for, agent_a):
    person = contact_services.person_create(
        actor=agent_a, first_name="Мария", last_name="Ли", emails=["maria@example.org"]
    )
    response = client_for(agent_a).get(PEOPLE, {"q": "maria@exa"})
    assert response.json()["options"] == [
        {"id": person.pk, "name": "Мария Ли", "detail": "maria@example.org"}
    ]


def test_at_most_ten_are_offered_names_starting_with_the_query_first(client_for, agent_a):
    for index in range(14):
        contact_services.organization_create(actor=agent_a, name=f"ООО Вектор {index:02d}")
    contact_services.organization_create(actor=agent_a, name="Вектор")
    names = _names(client_for(agent_a), ORGS, "вектор")
    assert len(names) == PICK_LIMIT
    assert names[0] == "Вектор"
    assert names[1:] == sorted(names[1:])


def _queries(client: Client, url: str, query: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": query})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["agent_a", "manager_a", "admin"])
def test_queries_do_not_grow_with_the_number_of_records(request, client_for, username):
    user = request.getfixturevalue(username)
    client = client_for(user)
    for index in range(5):
        contact_services.organization_create(actor=user, name=f"Сигма {index}")
    small = [_queries(client, ORGS, query) for query in ("сигма", "си", "+7 495")]
    for index in range(5, 60):
        contact_services.organization_create(actor=user, name=f"Сигма {index}")
    assert [_queries(client, ORGS, query) for query in ("сигма", "си", "+7 495")] == small
    assert max(small) <= 5  # session, user, teams, the search


def test_an_empty_query_offers_nothing(client_for, agent_a, dossier):
    assert _names(client_for(agent_a), ORGS, "   ") == []


def test_bad_requests_get_typed_errors(client, client_for, agent_a):
    signed_in = client_for(agent_a)
    unknown = signed_in.get("/pick/contacts.nothing/", {"q": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    anonymous = client.get(ORGS, {"q": "x"})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    for query in ("a\x00b", '"*) OR (', "%", "x" * 5000, "ё" * 3):
        assert signed_in.get(ORGS, {"q": query}).status_code == 200
    assert signed_in.post(ORGS, {"q": "x"}).status_code == 405


# The person form's organization ------------------------------------------------------------


def test_the_person_form_offers_the_picker_with_the_organization_given(client_for, agent_a, org_a):
    page = client_for(agent_a).get(reverse("contacts:person_create"), {"organization": org_a.pk})
    html = page.content.decode()
    assert 'data-picker="/pick/contacts.organization/"' in html
    assert f'<option value="{org_a.pk}" selected>ООО Ромашка</option>' in html
    assert 'value="ООО Ромашка" role="combobox"' in html


def test_the_person_form_never_names_an_organization_the_user_may_not_see(
    client_for, agent_a, dossier
):
    hidden = dossier["other_team"]
    page = client_for(agent_a).get(reverse("contacts:person_create"), {"organization": hidden.pk})
    assert "Ромашка Запад" not in page.content.decode()


def test_a_person_is_created_in_any_visible_organization_not_only_those_listed(client_for, agent_a):
    for index in range(60):
        contact_services.organization_create(actor=agent_a, name=f"А-{index:02d}")
    last = contact_services.organization_create(actor=agent_a, name="Я последняя")
    client = client_for(agent_a)
    form = client.get(reverse("contacts:person_create")).content.decode()
    assert "Я последняя" not in form  # past the plain list: the type-ahead reaches it
    response = client.post(
        reverse("contacts:person_create"),
        {"first_name": "Ольга", "organization": last.pk, "lifecycle_stage": "lead"},
    )
    assert response.status_code == 302
    person = Person.objects.get(first_name="Ольга")
    assert list(
        Affiliation.objects.filter(person=person).values_list("organization_id", flat=True)
    ) == [last.pk]


@pytest.mark.parametrize("value", ["hidden", "abc", "99999999999999999999999", "-3"])
def test_a_person_form_with_an_organization_not_allowed_is_refused(
    client_for, agent_a, dossier, value
):
    organization = str(dossier["other_team"].pk) if value == "hidden" else value
    response = client_for(agent_a).post(
        reverse("contacts:person_create"),
        {"first_name": "Ольга", "organization": organization, "lifecycle_stage": "lead"},
    )
    assert response.status_code == 422
    assert not Person.objects.filter(first_name="Ольга").exists()
    assert "Ромашка Запад" not in response.content.decode()


def test_the_client_list_suggests_organizations_in_its_filter(client_for, agent_a):
    html = client_for(agent_a).get(reverse("contacts:client_list")).content.decode()
    assert 'data-picker-suggest="/pick/contacts.organization/"' in html
