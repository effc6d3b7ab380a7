"""The people list as a table: sort by any sortable column, numbered pages, page size,
the column chooser remembered per user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klient.contacts.list_registry import list_columns
from klient.contacts.models import ListPreference, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/clients/"


@pytest.fixture
def three(workspace, admin):
    """Three people whose names, additions and changes run in different orders."""
    now = timezone.now()
    rows = [("Борис", "Яковлев", 2, 1), ("Анна", "Белова", 0, 2), ("Вера", "Андреева", 1, 0)]
    people = {}
    for first, last, created, updated in rows:
        person = PersonFactory(workspace=workspace, first_name=first, last_name=last, owner=admin)
        Person.objects.filter(pk=person.pk).update(
            created_at=now - timedelta(days=10 - created),
            updated_at=now - timedelta(days=5 - updated),
        )
        people[last] = person
    return people


def _names(response) -> list[str]:
    return re.findall(r'<a href="/people/\d+/">([^<]+)</a>', response.content.decode())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_url_is_still_named_client_list():
    assert reverse("contacts:client_list") == URL


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Вера Андреева", "Анна Белова", "Борис Яковлев"]),
        ("-name", ["Борис Яковлев", "Анна Белова", "Вера Андреева"]),
        ("created", ["Анна Белова", "Вера Андреева", "Борис Яковлев"]),
        ("-created", ["Борис Яковлев", "Вера Андреева", "Анна Белова"]),
        ("updated", ["Вера Андреева", "Борис Яковлев", "Анна Белова"]),
        ("-updated", ["Анна Белова", "Борис Яковлев", "Вера Андреева"]),
    ],
)
def test_each_sortable_column_sorts_both_ways(admin, sort, expected):
    ListPreference.objects.create(user=admin, list_key="people", columns=["name", "created"])

    response = _client(admin).get(URL, {"sort": sort})

    assert _names(response) == expected


@pytest.mark.usefixtures("three")
def test_without_a_sort_the_latest_change_comes_first(admin):
    response = _client(admin).get(URL)

    assert _names(response) == ["Анна Белова", "Борис Яковлев", "Вера Андреева"]


@pytest.mark.usefixtures("three")
def test_the_sorted_header_says_so_and_links_to_the_other_direction(admin):
    response = _client(admin).get(URL, {"sort": "name"})

    html = response.content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort-link" href="/clients/?sort=-name"'
        in html
    )
    assert 'aria-sort="descending"' not in html


@pytest.mark.usefixtures("three")
def test_an_unsortable_column_is_not_offered_nor_obeyed(admin):
    response = _client(admin).get(URL, {"sort": "stage"})

    assert 'data-sort="stage"' not in response.content.decode()
    assert _names(response) == ["Анна Белова", "Борис Яковлев", "Вера Андреева"]


@pytest.fixture
def sixty(workspace, admin):
    for n in range(60):
        PersonFactory(
            workspace=workspace, first_name="Имя", last_name=f"Фамилия{n:02d}", owner=admin
        )


@pytest.mark.usefixtures("sixty")
def test_page_numbers_lead_to_the_rows_of_that_page(admin):
    response = _client(admin).get(URL, {"sort": "name", "page": "2"})

    names = _names(response)
    assert names[0] == "Имя Фамилия25"
    assert names[-1] == "Имя Фамилия49"
    html = response.content.decode()
    assert '<span class="btn btn-sm pager-current" aria-current="page">2</span>' in html
    assert 'href="/clients/?sort=name&amp;page=3"' in html
    assert 'href="/clients/?sort=name&amp;page=1" rel="prev"' in html
    assert "26–50 of 60" in html


@pytest.mark.usefixtures("sixty")
def test_the_last_page_has_no_next_link(admin):
    response = _client(admin).get(URL, {"sort": "name", "page": "3"})

    assert len(_names(response)) == 10
    assert 'rel="next"' not in response.content.decode()


@pytest.mark.usefixtures("sixty")
@pytest.mark.parametrize(("size", "shown"), [("25", 25), ("50", 50), ("100", 60), ("7", 25)])
def test_the_page_size_is_one_of_25_50_or_100(admin, size, shown):
    response = _client(admin).get(URL, {"size": size})

    assert len(_names(response)) == shown


@pytest.mark.usefixtures("three")
def test_the_column_chooser_is_remembered_for_that_user_only(admin, agent_a):
    client = _client(admin)
    response = client.post(
        reverse("contacts:people_columns"),
        {"columns": ["name", "created", "nonsense"], "list_query": "sort=name"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/clients/?sort=name"

    html = client.get(URL).content.decode()
    shown = re.findall(r'<td data-column="([a-z_]+)"', html)
    assert sorted(set(shown)) == ["created", "name"]
    other = _client(agent_a).get(URL).content.decode()
    assert 'data-column="organization"' in other or "No people yet." in other
    assert ListPreference.objects.get(user=admin).columns == ["name", "created"]


def test_nothing_checked_in_the_chooser_means_the_default_columns(admin):
    _client(admin).post(reverse("contacts:people_columns"), {"list_query": ""})

    expected = [c.key for c in list_columns if c.default_visible]
    assert ListPreference.objects.get(user=admin).columns == expected
