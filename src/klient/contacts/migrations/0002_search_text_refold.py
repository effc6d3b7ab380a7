"""Recompute every search_text: «ё» folded to «е», people's organizations' names added.

Raw SQL over the tables, in chunks of ids, so it runs the same whatever the models look
like later. The search index is dropped first and rebuilt once at the end: on SQLite
the per-row triggers would otherwise rewrite the FTS table row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations

from klient.contacts import search_index
from klient.contacts.normalize import organization_search_text_build, search_text_build

CHUNK = 2000
OrganizationText = Callable[[tuple[Any, ...]], str]
PersonText = Callable[[str, list[str], list[str], list[str]], str]


def _organization_text(row: tuple[Any, ...]) -> str:
    name, legal_name, tax_id, email, phone = row
    return organization_search_text_build(
        name=name, legal_name=legal_name, tax_id=tax_id, email=email, phone=phone
    )


def _person_text(full_name: str, emails: list[str], phones: list[str], orgs: list[str]) -> str:
    return search_text_build(names=[full_name], emails=emails, phones=phones, organizations=orgs)


def _legacy_join(names: list[str], emails: list[str], phones: list[str]) -> str:
    """The text before this migration: lower-cased names and emails, phone digits."""
    parts = [name.lower() for name in names if name] + [e.lower() for e in emails if e]
    parts += ["".join(ch for ch in phone if ch.isdigit()) for phone in phones if phone]
    return " ".join(part for part in parts if part)


def _legacy_organization_text(row: tuple[Any, ...]) -> str:
    name, legal_name, tax_id, email, phone = row
    return _legacy_join([name, legal_name, tax_id], [email], [phone])


def _legacy_person_text(
    full_name: str, emails: list[str], phones: list[str], orgs: list[str]
) -> str:
    return _legacy_join([full_name], emails, phones)


def _grouped(cursor: Any, sql: str, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    cursor.execute(sql.format(marks=", ".join(["%s"] * len(ids))), ids)
    for person_id, value in cursor.fetchall():
        found.setdefault(person_id, []).append(value)
    return found


def search_texts_rebuild(
    connection: Any, *, organization_text: OrganizationText, person_text: PersonText
) -> None:
    with connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT id, name, legal_name, tax_id, email, phone FROM contacts_organization "
                "WHERE id > %s ORDER BY id LIMIT %s",
                [last, CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "UPDATE contacts_organization SET search_text = %s WHERE id = %s",
                [(organization_text(tuple(row[1:])), row[0]) for row in rows],
            )
            last = rows[-1][0]
        last = 0
        while True:
            cursor.execute(
                "SELECT id, full_name FROM contacts_person "
                "WHERE id > %s AND merged_into_id IS NULL ORDER BY id LIMIT %s",
                [last, CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            ids = [row[0] for row in rows]
            emails = _grouped(
                cursor,
                "SELECT person_id, email FROM contacts_emailaddress "
                "WHERE person_id IN ({marks}) ORDER BY is_primary DESC, id",
                ids,
            )
            phones = _grouped(
                cursor,
                "SELECT person_id, number FROM contacts_phonenumber "
                "WHERE person_id IN ({marks}) ORDER BY is_primary DESC, id",
                ids,
            )
            organizations = _grouped(
                cursor,
                "SELECT a.person_id, o.name FROM contacts_affiliation a "
                "JOIN contacts_organization o ON o.id = a.organization_id "
                "WHERE a.person_id IN ({marks}) ORDER BY a.is_primary DESC, a.id",
                ids,
            )
            cursor.executemany(
                "UPDATE contacts_person SET search_text = %s WHERE id = %s",
                [
                    (
                        person_text(
                            full_name,
                            emails.get(person_id, []),
                            phones.get(person_id, []),
                            organizations.get(person_id, []),
                        ),
                        person_id,
                    )
                    for person_id, full_name in rows
                ],
            )
            last = ids[-1]


def forward(apps: Any, schema_editor: Any) -> None:
    search_index.uninstall(schema_editor)
    search_texts_rebuild(
        schema_editor.connection,
        organization_text=_organization_text,
        person_text=_person_text,
    )
    search_index.install(schema_editor)


def backward(apps: Any, schema_editor: Any) -> None:
    search_index.uninstall(schema_editor)
    search_texts_rebuild(
        schema_editor.connection,
        organization_text=_legacy_organization_text,
        person_text=_legacy_person_text,
    )
    search_index.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_squashed")]

    operations = [migrations.RunPython(forward, backward)]
