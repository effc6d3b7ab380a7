"""Batch inserts of organizations and people for loaders (demo data, benchmarks).

Django's `bulk_create` builds a model instance per row and reaches ~11k rows/s;
this path writes prepared tuples with one `executemany` per table on SQLite and
`COPY` on PostgreSQL, an order of magnitude faster. Ids are allocated up front
(inside the transaction: SQLite holds the write lock from BEGIN IMMEDIATE,
PostgreSQL draws them from the sequence), so emails, phones and affiliations
can reference their person without reading anything back.

Callers pass values that are already clean: emails lower-cased, phones in
E.164, choices valid. No audit event is written: a loader records one event
for the whole batch if it needs to. `search_text`, `full_name` and the primary
email/phone are computed here exactly as the services compute them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from klient.contacts.models import Affiliation, EmailAddress, Organization, Person, PhoneNumber
from klient.contacts.normalize import (
    full_name_join,
    organization_search_text_build,
    search_text_build,
)


@dataclass(slots=True)
class PersonRow:
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    # (organization id, affiliation role); the first one is the primary affiliation.
    organizations: Sequence[tuple[int, str]] = ()
    owner_id: int | None = None
    team_id: int | None = None
    title: str = ""
    lifecycle_stage: str = "lead"
    segment: str = ""
    preferred_channel: str = ""
    preferred_language: str = ""
    created_at: datetime | None = None


@dataclass(slots=True)
class OrganizationRow:
    name: str
    legal_name: str = ""
    tax_id: str = ""
    website: str = ""
    industry: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str = "lead"
    segment: str = ""
    created_at: datetime | None = None


@dataclass(slots=True)
class TableRows:
    """Rows for one table, in the column order of `columns`."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


PERSON_COLUMNS = (
    "id",
    "workspace_id",
    "owner_id",
    "team_id",
    "lifecycle_stage",
    "segment",
    "search_text",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "title",
    "preferred_channel",
    "preferred_language",
    "primary_email",
    "primary_phone",
)
ORGANIZATION_COLUMNS = (
    "id",
    "workspace_id",
    "owner_id",
    "team_id",
    "lifecycle_stage",
    "segment",
    "search_text",
    "created_at",
    "updated_at",
    "name",
    "legal_name",
    "tax_id",
    "website",
    "industry",
    "email",
    "phone",
    "address",
)
EMAIL_COLUMNS = ("workspace_id", "person_id", "email", "kind", "is_primary")
PHONE_COLUMNS = ("workspace_id", "person_id", "number", "kind", "is_primary")
AFFILIATION_COLUMNS = (
    "workspace_id",
    "person_id",
    "organization_id",
    "role",
    "job_title",
    "is_primary",
)


def db_datetime(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: naive UTC text, as Django writes it)."""
    if connection.vendor == "sqlite":
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return str(value)
    return value


def ids_allocate(*, model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that inserts them."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id, even a deleted one: respect sqlite_sequence.
            cursor.execute(
                f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), '
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + count))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_insert(batch: TableRows) -> int:
    """Write prepared rows: `executemany` on SQLite, `COPY` on PostgreSQL."""
    if not batch.rows:
        return 0
    names = ", ".join(f'"{column}"' for column in batch.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{batch.table}" ({names}) FROM STDIN') as copy:
                for row in batch.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(batch.columns))
            cursor.executemany(
                f'INSERT INTO "{batch.table}" ({names}) VALUES ({marks})', batch.rows
            )
    return len(batch.rows)


def people_rows_build(
    *,
    workspace_id: int,
    people: Sequence[PersonRow],
    ids: Sequence[int],
    now: datetime | None = None,
    organization_names: Mapping[int, str] | None = None,
) -> list[TableRows]:
    """The tuples `people_bulk_insert` writes, for the given ids (exposed for benchmarks).

    `organization_names` (id -> name) for the people's search text; looked up when not given."""
    stamp = db_datetime(now or timezone.now())
    org_names = (
        organization_names if organization_names is not None else organization_names_get(people)
    )
    person_rows: list[tuple[Any, ...]] = []
    email_rows: list[tuple[Any, ...]] = []
    phone_rows: list[tuple[Any, ...]] = []
    affiliation_rows: list[tuple[Any, ...]] = []
    for person_id, row in zip(ids, people, strict=True):
        full_name = full_name_join(
            first_name=row.first_name, last_name=row.last_name, middle_name=row.middle_name
        )
        emails = list(dict.fromkeys(row.emails))
        phones = list(dict.fromkeys(row.phones))
        linked = list(
            dict.fromkeys(organization_id for organization_id, _role in row.organizations)
        )
        person_rows.append(
            (
                person_id,
                workspace_id,
                row.owner_id,
                row.team_id,
                row.lifecycle_stage,
                row.segment,
                search_text_build(
                    names=[full_name],
                    emails=emails,
                    phones=phones,
                    organizations=[
                        org_names.get(organization_id, "") for organization_id in linked
                    ],
                ),
                db_datetime(row.created_at) if row.created_at else stamp,
                stamp,
                row.first_name,
                row.last_name,
                row.middle_name,
                full_name,
                row.title,
                row.preferred_channel,
                row.preferred_language,
                emails[0] if emails else "",
                phones[0] if phones else "",
            )
        )
        for index, email in enumerate(emails):
            email_rows.append((workspace_id, person_id, email, "work", index == 0))
        for index, phone in enumerate(phones):
            phone_rows.append((workspace_id, person_id, phone, "mobile", index == 0))
        seen: set[int] = set()
        for index, (organization_id, role) in enumerate(row.organizations):
            if organization_id not in seen:
                seen.add(organization_id)
                affiliation_rows.append(
                    (
                        workspace_id,
                        person_id,
                        organization_id,
                        role,
                        row.title if index == 0 else "",
                        index == 0,
                    )
                )
    return [
        TableRows(Person._meta.db_table, PERSON_COLUMNS, person_rows),
        TableRows(EmailAddress._meta.db_table, EMAIL_COLUMNS, email_rows),
        TableRows(PhoneNumber._meta.db_table, PHONE_COLUMNS, phone_rows),
        TableRows(Affiliation._meta.db_table, AFFILIATION_COLUMNS, affiliation_rows),
    ]


def organization_names_get(people: Sequence[PersonRow]) -> dict[int, str]:
    """The names of the organizations these people are linked to, in one query."""
    ids = {organization_id for row in people for organization_id, _role in row.organizations}
    if not ids:
        return {}
    return dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))


@contextmanager
def search_index_deferred(table: str, ids: Sequence[int]) -> Iterator[None]:
    """On SQLite, index the block's new rows' search_text in one INSERT ... SELECT instead
    of the per-row trigger, which costs ~5x more (the person table loads at ~5k rows/s
    with it, ~25k without). The trigger is dropped and re-created inside the caller's
    transaction: SQLite DDL is transactional, so no other connection ever sees it
    missing. `ids` (contiguous, freshly allocated) is read when the block ends, so the
    caller may fill the list inside it."""
    if connection.vendor != "sqlite":
        yield
        return
    trigger = f"{table}_fts_ai"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger]
        )
        found = cursor.fetchone()
        if found is None:
            yield
            return
        cursor.execute(f'DROP TRIGGER "{trigger}"')
        yield
        if ids:
            cursor.execute(
                f'INSERT INTO "{table}_fts" (rowid, search_text) '
                f'SELECT id, search_text FROM "{table}" WHERE id BETWEEN %s AND %s',
                [min(ids), max(ids)],
            )
        cursor.execute(found[0])


def people_bulk_insert(
    *, workspace_id: int, people: Sequence[PersonRow], now: datetime | None = None
) -> list[int]:
    """Insert people with their emails, phones and affiliations in one transaction.

    Returns the new ids in input order; search finds the people as soon as the
    transaction commits.
    """
    with transaction.atomic():
        ids = ids_allocate(model=Person, count=len(people))
        batches = people_rows_build(workspace_id=workspace_id, people=people, ids=ids, now=now)
        with search_index_deferred(Person._meta.db_table, ids):
            rows_insert(batches[0])
        for batch in batches[1:]:
            rows_insert(batch)
    return ids


def organizations_rows_build(
    *,
    workspace_id: int,
    organizations: Sequence[OrganizationRow],
    ids: Sequence[int],
    now: datetime | None = None,
) -> TableRows:
    stamp = db_datetime(now or timezone.now())
    rows = [
        (
            organization_id,
            workspace_id,
            row.owner_id,
            row.team_id,
            row.lifecycle_stage,
            row.segment,
            organization_search_text_build(
                name=row.name,
                legal_name=row.legal_name,
                tax_id=row.tax_id,
                email=row.email,
                phone=row.phone,
            ),
            db_datetime(row.created_at) if row.created_at else stamp,
            stamp,
            row.name,
            row.legal_name,
            row.tax_id,
            row.website,
            row.industry,
            row.email,
            row.phone,
            row.address,
        )
        for organization_id, row in zip(ids, organizations, strict=True)
    ]
    return TableRows(Organization._meta.db_table, ORGANIZATION_COLUMNS, rows)


def organizations_bulk_insert(
    *,
    workspace_id: int,
    organizations: Sequence[OrganizationRow],
    now: datetime | None = None,
) -> list[int]:
    """Insert organizations in one transaction; returns the new ids in input order."""
    with transaction.atomic():
        ids = ids_allocate(model=Organization, count=len(organizations))
        with search_index_deferred(Organization._meta.db_table, ids):
            rows_insert(
                organizations_rows_build(
                    workspace_id=workspace_id, organizations=organizations, ids=ids, now=now
                )
            )
    return ids


def chunked(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Lists of up to `size` items: loaders insert in transactions of bounded size."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
