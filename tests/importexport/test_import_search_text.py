"""An import writes the search text the services write: «ё» folded, the company's name in it."""

from __future__ import annotations

import pytest

from klient.contacts.models import Organization, Person
from klient.contacts.selectors import person_list
from klient.contacts.services import organization_create, person_create

pytestmark = pytest.mark.django_db


def _found(user, query):
    return sorted(p.last_name for p in person_list(user=user, filters={"q": query}))


def test_imported_person_has_the_search_text_the_service_writes(admin, write_file, run_import):
    meridian = organization_create(actor=admin, name="Меридиан")
    typed = person_create(
        actor=admin,
        first_name="Фёдор",
        last_name="Ёлкин",
        emails=["typed@example.org"],
        phones=["+7 916 123-45-67"],
        organization_id=meridian.pk,
    )
    rows = [
        ["Имя", "Фамилия", "Email", "Телефон", "Компания"],
        ["Фёдор", "Ёлкин", "imported@example.org", "+7 916 123-45-68", "Меридиан"],
    ]
    run_import(admin, write_file("p.csv", rows), dedupe="create")

    imported = Person.objects.exclude(pk=typed.pk).get()
    assert imported.search_text == "федор елкин imported@example.org 79161234568\nмеридиан"
    assert imported.search_text == typed.search_text.replace("typed", "imported").replace(
        "79161234567", "79161234568"
    )


def test_imported_people_are_found_with_ye_and_by_company(admin, write_file, run_import):
    rows = [["Имя", "Фамилия", "Компания"], ["Пётр", "Семёнов", "Ёлка"]]
    run_import(admin, write_file("p.csv", rows))
    assert _found(admin, "петр семенов") == ["Семёнов"]
    assert _found(admin, "елка") == ["Семёнов"]


def test_a_company_added_by_a_duplicate_row_enters_the_search_text(admin, write_file, run_import):
    person_create(actor=admin, first_name="Анна", last_name="Орлова", emails=["anna@example.org"])
    rows = [["Фамилия", "Email", "Компания"], ["Орлова", "anna@example.org", "Меридиан"]]
    run_import(admin, write_file("p.csv", rows), dedupe="update")
    assert Person.objects.get().search_text == "анна орлова anna@example.org\nмеридиан"


def test_a_later_row_of_the_same_file_adds_its_company_to_a_new_person(
    admin, write_file, run_import
):
    rows = [
        ["Имя", "Фамилия", "Email", "Компания"],
        ["Анна", "Орлова", "anna@example.org", ""],
        ["Анна", "Орлова", "anna@example.org", "Меридиан"],
    ]
    run_import(admin, write_file("p.csv", rows), dedupe="update")
    assert Person.objects.get().search_text == "анна орлова anna@example.org\nмеридиан"


def test_organization_import_renaming_a_company_renames_it_in_peoples_search(
    admin, write_file, run_import
):
    meridian = organization_create(actor=admin, name="Меридиан", tax_id="7701234567")
    person_create(actor=admin, first_name="Анна", last_name="Орлова", organization_id=meridian.pk)
    rows = [["Название", "ИНН"], ["Параллель", "7701234567"]]
    run_import(admin, write_file("o.csv", rows), kind="organizations", dedupe="overwrite")

    assert Organization.objects.get().name == "Параллель"
    assert _found(admin, "параллель") == ["Орлова"]
    assert _found(admin, "меридиан") == []
