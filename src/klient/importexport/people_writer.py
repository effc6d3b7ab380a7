"""Write a batch of parsed people: dedupe on email and phone, then explicit INSERTs.

Dedupe looks keys up in the database once per batch (constant memory however big
the file), and rows earlier in the same batch count as existing, so a file that
names one person twice imports them once. full_name, search_text, primary_email and
primary_phone are computed with the same functions `contacts.services` uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from klient.contacts.bulk import search_index_deferred
from klient.contacts.models import Affiliation, EmailAddress, Organization, Person, PhoneNumber, Tag
from klient.contacts.normalize import organization_search_text_build
from klient.core.models import AuditEvent
from klient.core.selectors import visibility_q
from klient.importexport.batch import (
    BatchResult,
    TableInsert,
    db_now,
    executemany,
    ids_allocate,
    lookup_pairs,
    on_conflict_ignore,
)
from klient.importexport.models import DedupeMode, RowOutcome
from klient.importexport.records import person_derive
from klient.importexport.writer_context import WriteContext

SCALARS = (
    "first_name",
    "last_name",
    "middle_name",
    "title",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner_id",
    "lifecycle_stage",
)
EXISTING_VALUES = ("id", *SCALARS, "team_id", "full_name")


def channel_columns(value: str) -> tuple[str, ...]:
    return ("workspace_id", "person_id", value, "kind", "is_primary")


def merge_into(target: dict[str, Any], record: dict[str, Any], mode: str) -> dict[str, Any]:
    """Apply a duplicate row to a person: fill empty fields (update) or replace them with
    the row's non-empty values (overwrite); new emails, phones, tags and organization are
    added either way. Returns {field: (before, after)}."""
    changes: dict[str, Any] = {}
    for name in SCALARS:
        new = record.get(name)
        if not new:
            continue
        old = target.get(name) or ""
        if old == new or (old and mode == DedupeMode.UPDATE):
            continue
        if name == "lifecycle_stage" and mode == DedupeMode.UPDATE:
            continue  # never empty, so "fill empty" leaves it
        changes[name] = (old, new)
        target[name] = new
    for name in ("emails", "phones", "tags"):
        added = [value for value in record[name] if value not in target[name]]
        if added:
            changes[name] = (list(target[name]), target[name] + added)
            target[name] = target[name] + added
    organization = record.get("organization")
    if organization and organization not in target["organizations"]:
        changes["organization"] = (None, organization)
        target["organizations"] = [*target["organizations"], organization]
    return changes


class PeopleWriter:
    tables = (Person, EmailAddress, PhoneNumber, Organization, Affiliation)  # see engine

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        now = db_now(ctx.now)
        self.person_insert = TableInsert(Person, with_id=True, now=now)
        self.org_insert = TableInsert(Organization, with_id=True, now=now)
        self.email_insert = TableInsert(EmailAddress, with_id=False, now=now)
        self.phone_insert = TableInsert(PhoneNumber, with_id=False, now=now)
        # Channel rows are built as tuples in this column order (a million dicts cost more
        # than the INSERTs); a changed model fails here, loudly, not with shifted values.
        if self.email_insert.attnames != list(
            channel_columns("email")
        ) or self.phone_insert.attnames != list(channel_columns("number")):
            raise RuntimeError("EmailAddress/PhoneNumber columns changed; update PeopleWriter")
        self.email_kind = EmailAddress._meta.get_field("kind").get_default()
        self.phone_kind = PhoneNumber._meta.get_field("kind").get_default()
        self.affiliation_sql = on_conflict_ignore(
            TableInsert(Affiliation, with_id=False, now=now).sql
        )
        self.affiliation_insert = TableInsert(Affiliation, with_id=False, now=now)
        through = Person.tags.through._meta.db_table
        self.tag_sql = on_conflict_ignore(
            f"INSERT INTO {through} (person_id, tag_id) VALUES (%s, %s)"
        )
        self.organizations: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.pending_index: list[int] = []

    # -- dedupe ---------------------------------------------------------------------------

    def _existing_keys(self, records: list[dict[str, Any]]) -> dict[str, int]:
        ws = self.ctx.workspace_id
        emails = [email for record in records for email in record["emails"]]
        phones = [phone for record in records for phone in record["phones"]]
        found: dict[str, int] = {}
        for email, person_id in lookup_pairs(
            "SELECT email, person_id FROM contacts_emailaddress WHERE workspace_id = %s AND email",
            [ws],
            emails,
        ):
            found.setdefault("e:" + email, person_id)
        for number, person_id in lookup_pairs(
            "SELECT number, person_id FROM contacts_phonenumber WHERE workspace_id = %s AND number",
            [ws],
            phones,
        ):
            found.setdefault("p:" + number, person_id)
        return found

    def _existing_people(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """Matched people the importing user may change, with their channels and links."""
        if not ids:
            return {}
        rows = Person.objects.filter(pk__in=ids, merged_into__isnull=True)
        if not self.ctx.user.sees_all:
            rows = rows.filter(visibility_q(self.ctx.user))
        people = {
            row["id"]: {**row, "emails": [], "phones": [], "tags": [], "organizations": []}
            for row in rows.values(*EXISTING_VALUES)
        }
        if not people:
            return people
        for person_id, email in (
            EmailAddress.objects.filter(person_id__in=people)
            .order_by("-is_primary", "id")
            .values_list("person_id", "email")
        ):
            people[person_id]["emails"].append(email)
        for person_id, number in (
            PhoneNumber.objects.filter(person_id__in=people)
            .order_by("-is_primary", "id")
            .values_list("person_id", "number")
        ):
            people[person_id]["phones"].append(number)
        for person_id, name in Person.tags.through.objects.filter(person_id__in=people).values_list(
            "person_id", "tag__name"
        ):
            people[person_id]["tags"].append(name)
        for person_id, name in (
            Affiliation.objects.filter(person_id__in=people)
            .order_by("-is_primary", "id")
            .values_list("person_id", "organization__name")
        ):
            people[person_id]["organizations"].append(name)
        for person in people.values():
            person["original"] = {
                key: (list(value) if isinstance(value, list) else value)
                for key, value in person.items()
            }
        return people

    # -- the batch ------------------------------------------------------------------------

    @contextmanager
    def batch_scope(self) -> Iterator[None]:
        """Around the whole batch transaction: the new people's search text is indexed in
        one INSERT ... SELECT as its last statement. Last, because once SQLite has written
        to the FTS5 table in a transaction, every later statement -- each row of the
        email, phone and idempotency inserts -- pays a savepoint on it. Without this
        scope the insert trigger indexes each row, which is just slower."""
        self.pending_index = []
        with search_index_deferred(Person._meta.db_table, self.pending_index):
            yield

    def write(self, rows: list[tuple[int, dict[str, Any]]], result: BatchResult) -> None:
        ctx = self.ctx
        mode = ctx.dedupe
        keys = (
            {}
            if mode == DedupeMode.CREATE
            else self._existing_keys([record for _n, record in rows])
        )
        existing = (
            self._existing_people(set(keys.values()))
            if mode in (DedupeMode.UPDATE, DedupeMode.OVERWRITE)
            else {}
        )
        new: list[dict[str, Any]] = []
        pending: dict[str, dict[str, Any]] = {}
        outcomes: list[tuple[int, str, dict[str, Any] | None]] = []
        for number, record in rows:
            record_keys = ["e:" + e for e in record["emails"]] + [
                "p:" + p for p in record["phones"]
            ]
            target: dict[str, Any] | None = None
            matched, matched_id = False, None
            if mode != DedupeMode.CREATE:
                for key in record_keys:
                    if key in pending:
                        target, matched = pending[key], True
                        break
                    if key in keys or ctx.seen(key):
                        matched, matched_id = True, keys.get(key)
                        target = existing.get(keys[key]) if key in keys else None
                        break
            if not matched:
                person = {
                    **record,
                    "organizations": [record["organization"]] if record["organization"] else [],
                }
                new.append(person)
                for key in record_keys:
                    pending.setdefault(key, person)
                    ctx.remember(key)
                outcomes.append((number, RowOutcome.CREATED, person))
                continue
            if mode == DedupeMode.SKIP or target is None:
                # The mark still says which record the row matched.
                outcomes.append((number, RowOutcome.SKIPPED, target or {"id": matched_id}))
                continue
            changes = merge_into(target, record, mode)
            if not changes:
                outcomes.append((number, RowOutcome.SKIPPED, target))
                continue
            target.setdefault("changes", {}).update(changes)
            for key in record_keys:
                pending.setdefault(key, target)
                ctx.remember(key)
            outcomes.append((number, RowOutcome.UPDATED, target))
        if not ctx.dry_run:
            self._insert_new(new)
            self._update_existing([p for p in existing.values() if p.get("changes")])
        for number, outcome, matched_record in outcomes:
            result.mark(number, outcome, matched_record.get("id") if matched_record else None)

    def _insert_new(self, new: list[dict[str, Any]]) -> None:
        if not new:
            return
        ctx = self.ctx
        ids = ids_allocate(Person, len(new))
        for person, person_id in zip(new, ids, strict=True):
            person["id"] = person_id
            if person.get("changes"):
                # A later row of the batch added to it: the parser's derived columns
                # (search text, primary email) miss what it added.
                person_derive(person)
            person["workspace_id"] = ctx.workspace_id
            person.setdefault("owner_id", ctx.user.pk)
            person["team_id"] = ctx.team_id
        self.person_insert.run(new)
        self.pending_index.extend(ids)  # indexed when the batch ends: batch_scope
        self._channels_insert(new, only_new=False)
        self._links_insert(new)

    def _channels_insert(self, people: list[dict[str, Any]], *, only_new: bool) -> None:
        ws = self.ctx.workspace_id
        emails, phones = [], []
        for person in people:
            original = (
                person.get("original", {"emails": [], "phones": []})
                if only_new
                else {"emails": [], "phones": []}
            )
            person_id = person["id"]
            for index, email in enumerate(person["emails"]):
                if email not in original["emails"]:
                    emails.append((ws, person_id, email, self.email_kind, index == 0))
            for index, number in enumerate(person["phones"]):
                if number not in original["phones"]:
                    phones.append((ws, person_id, number, self.phone_kind, index == 0))
        self.email_insert.run_tuples(emails)
        self.phone_insert.run_tuples(phones)

    def _links_insert(self, people: list[dict[str, Any]], *, only_new: bool = False) -> None:
        ws = self.ctx.workspace_id
        affiliations, tag_pairs = [], []
        names = {name for p in people for name in p["organizations"]}
        tag_names = {name for p in people for name in p["tags"]}
        if not names and not tag_names:
            return
        org_ids = self._organizations_resolve(names)
        tag_ids = self._tags_resolve(tag_names)
        for person in people:
            original = person.get("original") if only_new else None
            linked = list(original["organizations"]) if original else []
            for name in person["organizations"]:
                if name not in linked:
                    # The first organization a person gets is the primary one.
                    affiliations.append(
                        self.affiliation_insert.params(
                            {
                                "workspace_id": ws,
                                "person_id": person["id"],
                                "organization_id": org_ids[name],
                                "is_primary": not linked,
                            }
                        )
                    )
                    linked.append(name)
            had_tags = original["tags"] if original else []
            tag_pairs += [
                (person["id"], tag_ids[name]) for name in person["tags"] if name not in had_tags
            ]
        executemany(self.affiliation_sql, affiliations)
        executemany(self.tag_sql, tag_pairs)

    def _organizations_resolve(self, names: set[str]) -> dict[str, int]:
        missing = [name for name in names if name not in self.organizations]
        if missing:
            if len(self.organizations) > 50_000:
                self.organizations.clear()
            pairs = lookup_pairs(
                "SELECT name, id FROM contacts_organization WHERE workspace_id = %s AND name",
                [self.ctx.workspace_id],
                missing,
            )
            # Another team's organization of that name is not the importer's to link to:
            # as when none exists, the importer gets an organization of their own.
            visible = self.ctx.visible_ids(Organization, [org_id for _name, org_id in pairs])
            for name, org_id in sorted(pairs, reverse=True):
                if org_id in visible:
                    self.organizations[name] = org_id  # the oldest of same-named ones wins
        create = sorted(name for name in names if name not in self.organizations)
        if create:
            rows = []
            ids = ids_allocate(Organization, len(create))
            for name, org_id in zip(create, ids, strict=True):
                rows.append(
                    {
                        "id": org_id,
                        "workspace_id": self.ctx.workspace_id,
                        "name": name,
                        "owner_id": self.ctx.user.pk,
                        "team_id": self.ctx.team_id,
                        "search_text": organization_search_text_build(name=name),
                    }
                )
                self.organizations[name] = org_id
            with search_index_deferred(Organization._meta.db_table, ids):
                self.org_insert.run(rows)
        return {name: self.organizations[name] for name in names}

    def _tags_resolve(self, names: set[str]) -> dict[str, int]:
        for name in names:
            if name not in self.tags:
                tag, _created = Tag.objects.get_or_create(
                    workspace_id=self.ctx.workspace_id, name=name
                )
                self.tags[name] = tag.pk
        return {name: self.tags[name] for name in names}

    def _update_existing(self, people: list[dict[str, Any]]) -> None:
        if not people:
            return
        quote = connection.ops.quote_name
        columns = [
            *SCALARS,
            "full_name",
            "primary_email",
            "primary_phone",
            "search_text",
            "updated_at",
        ]
        sql = (
            f"UPDATE {quote(Person._meta.db_table)} SET "
            + ", ".join(f"{quote(c)} = %s" for c in columns)
            + " WHERE id = %s"
        )
        now = db_now(self.ctx.now)
        params = []
        for person in people:
            person_derive(person)
            person["updated_at"] = now
            params.append((*(person[c] for c in columns), person["id"]))
        executemany(sql, params)
        self._channels_insert(people, only_new=True)
        self._links_insert(people, only_new=True)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    workspace_id=self.ctx.workspace_id,
                    actor_id=self.ctx.user.pk,
                    action="person.import_update",
                    object_type="contacts.person",
                    object_id=person["id"],
                    at=timezone.now(),
                    stored_changes={
                        name: [before, after] for name, (before, after) in person["changes"].items()
                    },
                )
                for person in people
            ]
        )
