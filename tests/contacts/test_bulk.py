"""The batch loader writes people exactly as the services would, and search finds them."""

from datetime import UTC, datetime

from klient.contacts.bulk import (
    OrganizationRow,
    PersonRow,
    organizations_bulk_insert,
    people_bulk_insert,
)
from klient.contacts.models import Affiliation, EmailAddress, Person, PhoneNumber
from klient.contacts.selectors import organization_list, person_list
from klient.contacts.services import person_create


def _found(user, query):
    return sorted(p.last_name for p in person_list(user=user, filters={"q": query}))


def test_bulk_people_match_what_the_service_writes(admin, team_a):
    [org_id] = organizations_bulk_insert(
        workspace_id=admin.workspace_id, organizations=[OrganizationRow(name="Ромашка")]
    )
    created = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    ids = people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(
                first_name="Иван",
                last_name="Кузнецов",
                middle_name="Петрович",
                emails=["ivan@romashka.ru", "i.k@mail.ru"],
                phones=["+79161234567"],
                organizations=[(org_id, "decision_maker")],
                owner_id=admin.pk,
                team_id=team_a.pk,
                title="Директор",
                created_at=created,
            ),
            PersonRow(first_name="John", last_name="Smith"),
        ],
    )
    by_service = person_create(
        actor=admin,
        first_name="Иван",
        last_name="Кузнецов",
        middle_name="Петрович",
        emails=["ivan@romashka.ru", "i.k@mail.ru"],
        phones=["+79161234567"],
        organization_id=org_id,
    )

    bulk = Person.objects.get(pk=ids[0])
    by_service.refresh_from_db()
    assert (bulk.full_name, bulk.search_text, bulk.primary_email, bulk.primary_phone) == (
        by_service.full_name,
        by_service.search_text,
        by_service.primary_email,
        by_service.primary_phone,
    )
    assert (bulk.owner_id, bulk.team_id, bulk.title, bulk.created_at) == (
        admin.pk,
        team_a.pk,
        "Директор",
        created,
    )
    assert list(
        EmailAddress.objects.filter(person=bulk).order_by("id").values_list("email", "is_primary")
    ) == [("ivan@romashka.ru", True), ("i.k@mail.ru", False)]
    assert list(PhoneNumber.objects.filter(person=bulk).values_list("number", "is_primary")) == [
        ("+79161234567", True)
    ]
    assert list(
        Affiliation.objects.filter(person=bulk).values_list("organization_id", "role", "is_primary")
    ) == [(org_id, "decision_maker", True)]
    assert Person.objects.get(pk=ids[1]).full_name == "John Smith"


def test_bulk_people_are_searchable_and_later_writes_still_indexed(admin):
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(first_name="Мария", last_name="Петрова", phones=["+359881234567"]),
            PersonRow(first_name="Anna", last_name="Taylor"),
        ],
    )
    assert _found(admin, "петро") == ["Петрова"]
    assert _found(admin, "088 123 4567") == ["Петрова"]

    # The per-row index trigger is back after the batch: a normal write is found too.
    person_create(actor=admin, first_name="Пётр", last_name="Петров")
    assert _found(admin, "петро") == ["Петров", "Петрова"]


def test_bulk_ids_continue_after_existing_rows(admin):
    existing = person_create(actor=admin, last_name="First")
    ids = people_bulk_insert(
        workspace_id=admin.workspace_id, people=[PersonRow(last_name="A"), PersonRow(last_name="B")]
    )
    assert len(set(ids)) == 2 and min(ids) > existing.pk
    assert list(
        Person.objects.filter(pk__in=ids).order_by("pk").values_list("last_name", flat=True)
    ) == ["A", "B"]


def test_bulk_organizations_are_searchable(admin):
    organizations_bulk_insert(
        workspace_id=admin.workspace_id,
        organizations=[
            OrganizationRow(name="Northwind Logistics", tax_id="7701234567"),
            OrganizationRow(name="Балкан Транс"),
        ],
    )
    assert [o.name for o in organization_list(user=admin, filters={"q": "балкан"})] == [
        "Балкан Транс"
    ]
    assert [o.name for o in organization_list(user=admin, filters={"q": "770123"})] == [
        "Northwind Logistics"
    ]
