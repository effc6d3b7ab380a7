"""Search narrows a queryset the same way wherever it is used: sliced, filtered, nested."""

import pytest

from klient.contacts.models import Person
from klient.contacts.selectors import person_list
from klient.contacts.services import person_create


@pytest.fixture
def people(admin, agent_a):
    return [
        person_create(
            actor=admin, first_name="Иван", last_name="Кузнецов", phones=["+79161234567"]
        ),
        person_create(actor=agent_a, first_name="Ирина", last_name="Кузнецова"),
        person_create(
            actor=admin, first_name="Георги", last_name="Иванов", phones=["+359 88 123 4567"]
        ),
        person_create(
            actor=admin, first_name="Emma", last_name="Watson", phones=["+44 7911 123456"]
        ),
    ]


def _names(rows):
    return sorted(p.last_name for p in rows)


def test_search_combines_with_other_filters_and_slices(admin, agent_a, people):
    rows = person_list(user=admin, filters={"q": "кузн", "owner_id": agent_a.pk})
    assert _names(rows) == ["Кузнецова"]
    assert _names(person_list(user=admin, filters={"q": "кузн"})[:1]) in (
        ["Кузнецов"],
        ["Кузнецова"],
    )
    assert person_list(user=admin, filters={"q": "кузн"}).count() == 2


def test_search_inside_a_subquery_keeps_its_own_filters(admin, agent_a, people):
    matched = person_list(user=admin, filters={"q": "кузн", "owner_id": agent_a.pk})
    nested = Person.objects.filter(pk__in=matched.values("pk"))
    assert _names(nested) == ["Кузнецова"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("088 123 4567", ["Иванов"]),  # Bulgarian national format, stored as +359…
        ("07911 123456", ["Watson"]),  # UK national format
        ("8 916 123", ["Кузнецов"]),  # Russian trunk prefix
        ("ива ив", ["Иванов", "Кузнецов"]),  # a short term beside a long one
    ],
)
def test_phone_typed_in_national_format(admin, people, query, expected):
    assert _names(person_list(user=admin, filters={"q": query})) == expected
