"""People and organizations for type-ahead pickers (`klient.core.registry.picker_sources`).

A query goes through the list selectors, so the search index (case, ё/е, phone digits)
and the visibility rule are the same as the client list's. The matches are read in the
order the index hands them (`search_order_field`): the first few of a common fragment
among 100,000 organizations cost as little as those of a rare one, with no sort of every
match and no count. The candidates read are then ranked here: a name that starts with
the query first, then a name with a word that does, then the rest, by name.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from klient.contacts import selectors
from klient.contacts.normalize import search_fold, search_terms
from klient.contacts.search import search_order_field
from klient.core.models import User
from klient.core.registry import SearchHit

PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"
# How many matches a query reads from the index before ranking them.
CANDIDATES = 40


def _rank(query: str, hits: list[SearchHit], limit: int) -> list[SearchHit]:
    folded = search_fold(query)
    terms = search_terms(query)
    first = terms[0] if terms else folded

    def key(hit: SearchHit) -> tuple[int, str, int]:
        name = search_fold(hit.name)
        if name.startswith(folded):
            place = 0
        elif any(word.startswith(first) for word in name.split(" ")):
            place = 1
        else:
            place = 2
        return place, name, hit.id

    return sorted(hits, key=key)[:limit]


def _person_url(person_id: int) -> str:
    return reverse("contacts:person_detail", kwargs={"person_id": person_id})


def _organization_url(organization_id: int) -> str:
    return reverse("contacts:organization_detail", kwargs={"organization_id": organization_id})


_PERSON_VALUES = ("pk", "full_name", "primary_email", "primary_phone")
_ORGANIZATION_VALUES = ("pk", "name", "tax_id", "email")


def _person_hits(rows: Sequence[tuple[int, str, str, str]]) -> list[SearchHit]:
    return [
        SearchHit(PERSON, pk, name, _person_url(pk), email or phone)
        for pk, name, email, phone in rows
    ]


def _organization_hits(rows: Sequence[tuple[int, str, str, str]]) -> list[SearchHit]:
    return [
        SearchHit(ORGANIZATION, pk, name, _organization_url(pk), tax_id or email)
        for pk, name, tax_id, email in rows
    ]


def people_pick(user: User, query: str, limit: int) -> list[SearchHit]:
    """People the user may see whose name, email or phone matches; with no query, the
    first by last name (one walk of the name index)."""
    rows = selectors.person_list(user=user, filters={"q": query}).select_related(None)
    if not query.strip():
        ordered = rows.order_by("last_name", "first_name", "id")
        return _person_hits(list(ordered.values_list(*_PERSON_VALUES)[:limit]))
    field = search_order_field(query=query)
    found = list(rows.order_by(f"-{field}").values_list(*_PERSON_VALUES)[:CANDIDATES])
    return _rank(query, _person_hits(found), limit)


def organizations_pick(user: User, query: str, limit: int) -> list[SearchHit]:
    """Organizations the user may see whose name, legal name, tax id, email or phone
    matches; with no query, the first by name (one walk of the name index)."""
    rows = selectors.organization_list(user=user, filters={"q": query}).select_related(None)
    if not query.strip():
        ordered = rows.order_by("name", "id")
        return _organization_hits(list(ordered.values_list(*_ORGANIZATION_VALUES)[:limit]))
    field = search_order_field(query=query)
    found = list(rows.order_by(f"-{field}").values_list(*_ORGANIZATION_VALUES)[:CANDIDATES])
    return _rank(query, _organization_hits(found), limit)


def people_named(user: User, ids: Sequence[int]) -> list[SearchHit]:
    rows = selectors.person_list(user=user).select_related(None).filter(pk__in=list(ids))
    return _person_hits(list(rows.order_by("full_name", "id").values_list(*_PERSON_VALUES)))


def organizations_named(user: User, ids: Sequence[int]) -> list[SearchHit]:
    rows = selectors.organization_list(user=user).select_related(None).filter(pk__in=list(ids))
    return _organization_hits(list(rows.order_by("name", "id").values_list(*_ORGANIZATION_VALUES)))
