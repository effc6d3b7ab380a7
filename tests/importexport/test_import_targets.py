"""An import lands only on records its user may see: a file names clients by email, phone
or name, and another team's client or organization is no match, as if it did not exist."""

from __future__ import annotations

import pytest

from klient.activities.models import Interaction
from klient.contacts.models import Affiliation, Organization, Person
from klient.contacts.services import organization_create, person_create
from klient.importexport.models import ImportRowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_b_client(agent_b):
    org = organization_create(actor=agent_b, name="ООО Бета")
    person = person_create(
        actor=agent_b, last_name="Бетов", emails=["beta@example.com"], organization_id=org.pk
    )
    return {"organization": org, "person": person}


def test_people_are_not_linked_to_another_teams_organization(
    agent_a, team_a, team_b_client, write_file, run_import
):
    path = write_file("p.csv", [["Фамилия", "Компания"], ["Петров", "ООО Бета"]])

    job = run_import(agent_a, path)

    assert (job.created_count, job.invalid_count) == (1, 0)
    petrov = Person.objects.get(last_name="Петров")
    linked = Affiliation.objects.get(person=petrov).organization
    assert linked.pk != team_b_client["organization"].pk
    assert (linked.name, linked.owner_id, linked.team_id) == ("ООО Бета", agent_a.pk, team_a.pk)
    assert Organization.objects.filter(name="ООО Бета").count() == 2


def test_an_administrator_links_to_the_organization_that_exists(
    admin, team_b_client, write_file, run_import
):
    path = write_file("p.csv", [["Фамилия", "Компания"], ["Петров", "ООО Бета"]])

    run_import(admin, path)

    petrov = Person.objects.get(last_name="Петров")
    assert Affiliation.objects.get(person=petrov).organization_id == (
        team_b_client["organization"].pk
    )


def test_interactions_do_not_land_on_another_teams_client(
    agent_a, team_b_client, write_file, run_import
):
    path = write_file(
        "i.csv",
        [
            ["Тип", "Дата", "Тема", "Email контакта", "Компания"],
            ["call", "2024-03-07", "by email", "beta@example.com", ""],
            ["note", "2024-03-07", "by name", "", "ООО Бета"],
        ],
    )

    job = run_import(agent_a, path, kind="interactions")

    assert (job.created_count, job.invalid_count) == (0, 2)
    assert not Interaction.objects.exists()
    assert sorted(ImportRowError.objects.values_list("row_number", "value")) == [
        (2, "beta@example.com"),
        (3, "ООО Бета"),
    ]


def test_interactions_land_on_the_importers_own_client(
    agent_b, team_b_client, write_file, run_import
):
    path = write_file(
        "i.csv", [["Тип", "Дата", "Email контакта"], ["call", "2024-03-07", "beta@example.com"]]
    )

    job = run_import(agent_b, path, kind="interactions")

    assert job.created_count == 1
    assert Interaction.objects.get().person_id == team_b_client["person"].pk
