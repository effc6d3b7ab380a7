"""Search reads «ё» as «е» both ways, and finds people by their organization's name."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klient.contacts.bulk import (
    OrganizationRow,
    PersonRow,
    organizations_bulk_insert,
    people_bulk_insert,
)
from klient.contacts.models import Organization, Person
from klient.contacts.normalize import search_terms, search_text_build
from klient.contacts.selectors import organization_list, person_list
from klient.contacts.services import (
    affiliation_remove,
    affiliation_set,
    organization_create,
    organization_delete,
    organization_update,
    person_create,
    person_merge,
)


def _found(user, query):
    return sorted(p.last_name for p in person_list(user=user, filters={"q": query}))


def test_search_text_folds_yo_to_ye():
    assert search_text_build(names=["Фёдор ЁЛКИН"], emails=[], phones=[]) == "федор елкин"


def test_search_terms_fold_yo_to_ye():
    assert search_terms("Фёдор  ЁЛК") == ["федор", "елк"]


@pytest.mark.parametrize("query", ["федор", "фёдор", "ФЁДОР", "Федор Ёлкин"])
def test_person_with_yo_is_found_with_either_letter(admin, query):
    person_create(actor=admin, first_name="Фёдор", last_name="Ёлкин")
    person_create(actor=admin, first_name="Федор", last_name="Елкин")
    assert set(_found(admin, query)) == {"Елкин", "Ёлкин"}


def test_short_query_with_yo_matches_a_word_start(admin):
    person_create(actor=admin, first_name="Фёдор", last_name="Ёж")
    assert _found(admin, "ёж") == ["Ёж"]
    assert _found(admin, "еж") == ["Ёж"]


def test_organization_with_yo_is_found_with_ye(admin):
    organization_create(actor=admin, name="Ёлочка")
    assert [o.name for o in organization_list(user=admin, filters={"q": "елочк"})] == ["Ёлочка"]


@pytest.fixture
def meridian(admin):
    return organization_create(actor=admin, name="Меридиан", legal_name="ООО «Меридиан-Юг»")


@pytest.fixture
def staff(admin, meridian):
    return [
        person_create(
            actor=admin, first_name="Анна", last_name="Орлова", organization_id=meridian.pk
        ),
        person_create(
            actor=admin, first_name="Борис", last_name="Панов", organization_id=meridian.pk
        ),
        person_create(actor=admin, first_name="Вера", last_name="Сидорова"),
    ]


def test_people_are_found_by_their_organizations_name(admin, staff):
    assert _found(admin, "меридиан") == ["Орлова", "Панов"]
    assert _found(admin, "МЕРИД") == ["Орлова", "Панов"]
    assert _found(admin, "ме") == ["Орлова", "Панов"]  # a short term: a word's start
    assert _found(admin, "анна меридиан") == ["Орлова"]


def test_person_search_text_ends_with_organization_names(admin, staff, meridian):
    other = organization_create(actor=admin, name="Север Ёж")
    affiliation_set(actor=admin, person=staff[0], organization=other, role="other")
    staff[0].refresh_from_db()
    assert staff[0].search_text == "анна орлова\nмеридиан север еж"


def test_renaming_an_organization_renames_it_in_its_peoples_search(admin, staff, meridian):
    organization_update(actor=admin, organization=meridian, data={"name": "Параллель"})
    assert _found(admin, "меридиан") == []
    assert _found(admin, "паралл") == ["Орлова", "Панов"]
    assert Person.objects.get(pk=staff[1].pk).search_text == "борис панов\nпараллель"


def test_rename_costs_the_same_queries_for_any_number_of_people(admin, staff, meridian):
    def rename_queries(name):
        with CaptureQueriesContext(connection) as captured:
            organization_update(actor=admin, organization=meridian, data={"name": name})
        return len(captured.captured_queries)

    few = rename_queries("Параллель")
    for n in range(10):
        person_create(actor=admin, last_name=f"Новиков{n}", organization_id=meridian.pk)
    assert rename_queries("Широта") == few
    assert len(_found(admin, "широта")) == 12


def test_other_fields_of_the_organization_do_not_enter_peoples_search(admin, staff, meridian):
    organization_update(actor=admin, organization=meridian, data={"tax_id": "7701234567"})
    assert _found(admin, "77012") == []
    assert _found(admin, "юг") == []  # the legal name


def test_linking_and_unlinking_updates_the_persons_search(admin, staff, meridian):
    vera = staff[2]
    affiliation_set(actor=admin, person=vera, organization=meridian, role="finance")
    assert _found(admin, "меридиан") == ["Орлова", "Панов", "Сидорова"]
    affiliation_remove(actor=admin, person=vera, organization=meridian)
    assert _found(admin, "меридиан") == ["Орлова", "Панов"]
    assert Person.objects.get(pk=vera.pk).search_text == "вера сидорова"


def test_deleting_an_organization_drops_its_name_from_peoples_search(admin, staff, meridian):
    organization_delete(actor=admin, organization=meridian)
    assert _found(admin, "меридиан") == []
    assert Person.objects.get(pk=staff[0].pk).search_text == "анна орлова"


def test_merge_keeps_the_duplicates_organization_in_search(admin, staff):
    duplicate = staff[0]
    primary = person_create(actor=admin, first_name="Анна", last_name="Орлова-Ким")
    person_merge(actor=admin, primary=primary, duplicate=duplicate)
    assert _found(admin, "меридиан") == ["Орлова-Ким", "Панов"]


def test_bulk_insert_builds_the_same_text_as_the_services(admin, meridian):
    typed = person_create(
        actor=admin,
        first_name="Фёдор",
        last_name="Ёлкин",
        emails=["f@x.org"],
        phones=["+79161234567"],
        organization_id=meridian.pk,
    )
    [loaded_id] = people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(
                first_name="Фёдор",
                last_name="Ёлкин",
                emails=["f@x.org"],
                phones=["+79161234567"],
                organizations=[(meridian.pk, "other")],
            )
        ],
    )
    assert Person.objects.get(pk=loaded_id).search_text == typed.search_text
    [org_id] = organizations_bulk_insert(
        workspace_id=admin.workspace_id,
        organizations=[OrganizationRow(name="Меридиан", legal_name="ООО «Меридиан-Юг»")],
    )
    assert Organization.objects.get(pk=org_id).search_text == meridian.search_text


def test_refold_migration_recomputes_stored_search_text(admin, staff, meridian):
    refold = importlib.import_module("klient.contacts.migrations.0002_search_text_refold")
    Person.objects.filter(pk=staff[0].pk).update(search_text="анна орлова")
    Organization.objects.filter(pk=meridian.pk).update(search_text="меридиан ооо «меридиан-юг»")
    yo = person_create(actor=admin, first_name="Фёдор", last_name="Ёлкин")
    Person.objects.filter(pk=yo.pk).update(search_text="фёдор ёлкин")

    refold.search_texts_rebuild(
        connection,
        organization_text=refold._organization_text,
        person_text=refold._person_text,
    )

    assert Person.objects.get(pk=staff[0].pk).search_text == "анна орлова\nмеридиан"
    assert Person.objects.get(pk=yo.pk).search_text == "федор елкин"
    assert Organization.objects.get(pk=meridian.pk).search_text == ("меридиан\nооо «меридиан-юг»")


def test_person_search_by_company_still_uses_the_search_index(admin, staff):
    # Enough people that scanning them costs more than the index would.
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[PersonRow(first_name="Имя", last_name=f"Фамилия{n}") for n in range(5000)],
    )
    rows = person_list(user=admin, filters={"q": "меридиан"}).order_by()
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "contacts_person_fts VIRTUAL TABLE INDEX" in plan
        else:
            # As autovacuum would: the bulk insert waits in the GIN index's pending list.
            cursor.execute("SELECT gin_clean_pending_list('contacts_person_search_trgm')")
            cursor.execute("ANALYZE contacts_person")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "contacts_person_search_trgm" in plan
