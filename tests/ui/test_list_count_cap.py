"""The client list counts its matches only up to a cap, and a search pages newest first.

Counting every match of a common name fragment walked all of them on each keystroke;
past LIST_COUNT_CAP the list says "1,000+" instead.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.contacts import services as contact_services
from klient.contacts.bulk import PersonRow, people_bulk_insert
from klient.core.views import LIST_COUNT_CAP


def _load(admin, count: int, last_name: str = "Алексеев") -> None:
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(first_name=f"Имя{n}", last_name=last_name, owner_id=admin.pk)
            for n in range(count)
        ],
    )


def _foot(content: bytes) -> str:
    found = re.search(r'<div class="list-foot">\s*<span>(.*?)</span>', content.decode(), re.S)
    assert found is not None
    return re.sub(r"[ \n]+", " ", found.group(1)).strip()  # keeps the no-break space


def test_more_matches_than_the_cap_show_the_cap_and_a_plus(client_for, admin):
    _load(admin, LIST_COUNT_CAP + 1)
    response = client_for(admin).get(reverse("contacts:client_list"), {"q": "алекс"})

    assert _foot(response.content) == "1–25 of 1,000+"


def test_the_capped_count_reads_as_russian_grouping(client_for, admin):
    _load(admin, LIST_COUNT_CAP + 1)
    response = client_for(admin).get(
        reverse("contacts:client_list"), {"q": "алекс"}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert _foot(response.content) == "1–25 из 1\xa0000+"


def test_exactly_the_cap_is_counted_exactly(client_for, admin):
    _load(admin, LIST_COUNT_CAP)
    response = client_for(admin).get(reverse("contacts:client_list"), {"q": "алекс"})

    assert _foot(response.content) == "1–25 of 1,000"


def test_the_count_stops_reading_one_past_the_cap(client_for, admin):
    _load(admin, 3)
    with CaptureQueriesContext(connection) as captured:
        client_for(admin).get(reverse("contacts:client_list"), {"q": "алекс"})

    counts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) FROM (SELECT "contacts_person"')
    ]
    assert len(counts) == 1 and f"LIMIT {LIST_COUNT_CAP + 1}" in counts[0]


def test_a_search_lists_the_newest_person_first_and_the_pager_walks_every_match(client_for, admin):
    created = [
        contact_services.person_create(actor=admin, first_name="Имя", last_name=f"Пагинов{n}").pk
        for n in range(30)
    ]
    contact_services.person_create(actor=admin, first_name="Другой", last_name="Человек")
    client = client_for(admin)
    url = reverse("contacts:client_list")

    first = client.get(url, {"q": "пагинов"}).content.decode()
    found = [int(pk) for pk in re.findall(r'href="/people/(\d+)/"', first)]
    assert found == created[::-1][:25]
    assert _foot(first.encode()) == "1–25 of 30"
    next_url = re.search(r'href="([^"]+)"[^>]*>Next page', first)
    assert next_url is not None

    second = client.get(next_url.group(1).replace("&amp;", "&")).content.decode()
    assert [int(pk) for pk in re.findall(r'href="/people/(\d+)/"', second)] == created[4::-1]
    assert _foot(second.encode()) == "26–30 of 30"


def _count(client, url: str, **data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries)


def test_search_page_queries_do_not_grow_with_matches(client_for, admin):
    client = client_for(admin)
    url = reverse("contacts:client_list")
    _load(admin, 5)
    small = _count(client, url, q="алекс")
    _load(admin, LIST_COUNT_CAP + 50)
    assert _count(client, url, q="алекс") == small
