import pytest

from klient.contacts.normalize import search_terms
from klient.contacts.selectors import organization_list, person_list
from klient.contacts.services import organization_create, person_create


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("+7 (916) 123", ["7916123"]),
        ("916-12", ["91612"]),
        ("Кузн  Иван", ["кузн", "иван"]),
        ("", []),
        ("  ", []),
    ],
)
def test_search_terms(query, terms):
    assert search_terms(query) == terms


@pytest.fixture
def people(admin):
    return {
        "kuznetsov": person_create(
            actor=admin,
            first_name="Иван",
            last_name="Кузнецов",
            phones=["+79161234567"],
            emails=["ivan@romashka.ru"],
        ),
        "smith": person_create(
            actor=admin,
            first_name="John",
            last_name="Smith",
            phones=["+44 7911 123456"],
            emails=["john.smith@northwind.example"],
        ),
        "georgiev": person_create(
            actor=admin, first_name="Георги", last_name="Георгиев", phones=["+359 88 123 4567"]
        ),
    }


def _found(admin, query):
    return {person.last_name for person in person_list(user=admin, filters={"q": query})}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("кузн", {"Кузнецов"}),  # Cyrillic prefix, case folded
        ("КУЗНЕЦ", {"Кузнецов"}),
        ("нецов", {"Кузнецов"}),  # substring
        ("smi", {"Smith"}),
        ("SMITH", {"Smith"}),
        ("northwind", {"Smith"}),  # email fragment
        ("+7 (916) 123", {"Кузнецов"}),  # phone fragment as typed
        ("8 916 123", {"Кузнецов"}),  # Russian trunk prefix
        ("79161234567", {"Кузнецов"}),
        ("88 123", {"Георгиев"}),
        ("иван кузн", {"Кузнецов"}),  # all words must match
        ("Ге", {"Георгиев"}),  # short prefix
        ("нет такого", set()),
    ],
)
def test_person_search(admin, people, query, expected):
    assert _found(admin, query) == expected


def test_search_respects_visibility(agent_b, people):
    assert _found(agent_b, "кузн") == set()


def test_search_follows_updates(admin, people):
    from klient.contacts.services import person_update

    person_update(actor=admin, person=people["georgiev"], data={"last_name": "Стоянов"})
    assert _found(admin, "георгиев") == set()
    assert _found(admin, "стоян") == {"Стоянов"}


def test_organization_search_by_name_and_tax_id(admin):
    organization_create(actor=admin, name="ООО «Ромашка»", tax_id="7701234567")
    organization_create(actor=admin, name="Northwind Ltd")
    names = {o.name for o in organization_list(user=admin, filters={"q": "ромаш"})}
    assert names == {"ООО «Ромашка»"}
    names = {o.name for o in organization_list(user=admin, filters={"q": "77012"})}
    assert names == {"ООО «Ромашка»"}


def test_search_treats_wildcard_characters_literally(admin):
    """`_`, `*`, `?` and `[` in a query match themselves, not any character."""
    person_create(
        actor=admin, first_name="A", last_name="Underscore", emails=["ivan_petrov@example.com"]
    )
    person_create(
        actor=admin, first_name="B", last_name="Letter", emails=["ivanxpetrov@example.com"]
    )
    person_create(actor=admin, first_name="C", last_name="Star", emails=["st*ar?x@example.com"])
    person_create(actor=admin, first_name="D", last_name="Plain", emails=["stuarts@example.com"])
    person_create(actor=admin, first_name="E", last_name="Bracket [old]")

    assert _found(admin, "ivan_petrov") == {"Underscore"}
    assert _found(admin, "ivanxpetrov") == {"Letter"}
    assert _found(admin, "st*ar?") == {"Star"}
    assert _found(admin, "[old]") == {"Bracket [old]"}
    assert _found(admin, "[ol") == {"Bracket [old]"}
