"""People's search text follows their organizations' names, one UPDATE for any number of people.

A person's `search_text` ends with the folded names of their organizations, after
`SEARCH_PART_SEPARATOR` (see normalize.search_text_build). An organization's own
`search_text` starts with its folded name, alone before that separator. So when an
organization is renamed, or a person's affiliations change, SQL rebuilds the people's
borrowed part from the organizations' stored search text: no person row passes through
Python, and the folding stays Python's (SQLite's lower() folds ASCII only). The result
is the text `search_text_build` gives for the same person, organizations in the same
order (primary first, then as linked).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from klient.contacts.models import Affiliation, Organization, Person


def _before_separator(column: str) -> str:
    """SQL for the part of `column` before the first separator (all of it when there is none)."""
    if connection.vendor == "postgresql":
        return f"split_part({column}, chr(10), 1)"
    return (
        f"CASE WHEN instr({column}, char(10)) > 0 "
        f"THEN substr({column}, 1, instr({column}, char(10)) - 1) ELSE {column} END"
    )


def _organization_names_sql(*, without_organization: bool) -> str:
    """A correlated subquery: the person's organizations' folded names, space-separated,
    primary first; NULL when there are none."""
    person = Person._meta.db_table
    affiliation = Affiliation._meta.db_table
    organization = Organization._meta.db_table
    name = _before_separator("o.search_text")
    where = f"a.person_id = {person}.id AND {name} <> ''"
    if without_organization:
        where += " AND a.organization_id <> %s"
    joined = f"FROM {affiliation} a JOIN {organization} o ON o.id = a.organization_id WHERE {where}"
    if connection.vendor == "postgresql":
        return f"(SELECT string_agg({name}, ' ' ORDER BY a.is_primary DESC, a.id) {joined})"
    # SQLite (3.40) has no ORDER BY inside an aggregate; it concatenates in the order
    # the ordered subquery yields its rows.
    return (
        f"(SELECT group_concat(n, ' ') FROM "
        f"(SELECT {name} AS n {joined} ORDER BY a.is_primary DESC, a.id))"
    )


def _people_update(*, where: str, params: list[Any], without_organization: int | None) -> int:
    person = Person._meta.db_table
    separator = "chr(10)" if connection.vendor == "postgresql" else "char(10)"
    names = _organization_names_sql(without_organization=without_organization is not None)
    sql = (
        f"UPDATE {person} SET search_text = {_before_separator('search_text')} "
        f"|| COALESCE({separator} || {names}, '') "
        f"WHERE merged_into_id IS NULL AND {where}"
    )
    head = [without_organization] if without_organization is not None else []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params])
        return int(cursor.rowcount)


def people_of_organizations_refresh(
    *, organization_ids: Sequence[int], without_organization: int | None = None
) -> int:
    """Rewrite the search text of everyone linked to these organizations; returns how many.

    Call it after an organization's search text changed (a rename), or, with
    `without_organization`, just before that organization is deleted (its links go with
    it). Runs inside the caller's transaction."""
    if not organization_ids:
        return 0
    marks = ", ".join(["%s"] * len(organization_ids))
    where = (
        f"id IN (SELECT person_id FROM {Affiliation._meta.db_table} "
        f"WHERE organization_id IN ({marks}))"
    )
    return _people_update(
        where=where, params=list(organization_ids), without_organization=without_organization
    )


def people_refresh(*, person_ids: Sequence[int]) -> int:
    """Rewrite these people's organization names (after their affiliations changed)."""
    if not person_ids:
        return 0
    marks = ", ".join(["%s"] * len(person_ids))
    return _people_update(
        where=f"id IN ({marks})", params=list(person_ids), without_organization=None
    )
