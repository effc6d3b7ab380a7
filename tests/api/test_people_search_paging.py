"""GET /people with `q` pages newest person first, the order the search index walks."""

from __future__ import annotations

import pytest

from klient.contacts.services import organization_create, person_create
from tests.api.client import ApiClient, walk

pytestmark = pytest.mark.django_db


def test_a_search_walks_every_match_newest_first_without_repeats(admin):
    created = [person_create(actor=admin, last_name=f"Пагинов{n}").pk for n in range(11)]
    person_create(actor=admin, last_name="Другой")

    items = walk(ApiClient(admin), "/people", q="пагинов", limit=4)

    assert [item["id"] for item in items] == created[::-1]


def test_an_organization_search_walks_every_match_newest_first(admin):
    created = [organization_create(actor=admin, name=f"Ромашка {n}").pk for n in range(5)]
    organization_create(actor=admin, name="Лютик")

    items = walk(ApiClient(admin), "/organizations", q="ромашка", limit=2)

    assert [item["id"] for item in items] == created[::-1]
