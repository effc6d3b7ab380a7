"""Batch writers for organizations (dedupe on tax id, else name) and interactions
(dedupe on a content key stored as the interaction's idempotency key)."""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.models import Interaction
from klient.contacts.bulk import search_index_deferred
from klient.contacts.models import Organization, Person, Tag
from klient.contacts.normalize import organization_search_text_build
from klient.contacts.search_refresh import people_of_organizations_refresh
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
from klient.importexport.models import DedupeMode, ImportRowError, RowOutcome
from klient.importexport.writer_context import WriteContext

ORG_SCALARS = (
    "name",
    "legal_name",
    "tax_id",
    "website",
    "industry",
    "email",
    "phone",
    "address",
    "lifecycle_stage",
    "segment",
    "owner_id",
)


def organization_search_text(org: dict[str, Any]) -> str:
    """As contacts.services._organization_search_text computes it."""
    return organization_search_text_build(
        name=org["name"],
        legal_name=org["legal_name"],
        tax_id=org["tax_id"],
        email=org["email"],
        phone=org["phone"],
    )


def _org_key(record: dict[str, Any]) -> str:
    return "t:" + str(record["tax_id"]) if record["tax_id"] else "n:" + str(record["name"])


class OrganizationWriter:
    tables = (Organization,)  # whose planner statistics a big import refreshes (engine)

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.insert = TableInsert(Organization, with_id=True, now=db_now(ctx.now))
        through = Organization.tags.through._meta.db_table
        self.tag_sql = on_conflict_ignore(
            f"INSERT INTO {through} (organization_id, tag_id) VALUES (%s, %s)"
        )
        self.tags: dict[str, int] = {}

    def batch_scope(self) -> AbstractContextManager[None]:
        return nullcontext()  # nothing deferred to the end of a batch

    def _existing(self, records: list[dict[str, Any]]) -> dict[str, int]:
        ws = self.ctx.workspace_id
        found: dict[str, int] = {}
        tax_ids = [r["tax_id"] for r in records if r["tax_id"]]
        names = [r["name"] for r in records if not r["tax_id"]]
        for tax_id, org_id in sorted(
            lookup_pairs(
                "SELECT tax_id, id FROM contacts_organization WHERE workspace_id = %s AND tax_id",
                [ws],
                tax_ids,
            ),
            reverse=True,
        ):
            found["t:" + tax_id] = org_id
        for name, org_id in sorted(
            lookup_pairs(
                "SELECT name, id FROM contacts_organization WHERE workspace_id = %s AND name",
                [ws],
                names,
            ),
            reverse=True,
        ):
            found["n:" + name] = org_id
        return found

    def _load(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        rows = Organization.objects.filter(pk__in=ids)
        if not self.ctx.user.sees_all:
            rows = rows.filter(visibility_q(self.ctx.user))
        orgs = {row["id"]: {**row, "tags": []} for row in rows.values("id", *ORG_SCALARS)}
        for org_id, name in Organization.tags.through.objects.filter(
            organization_id__in=orgs
        ).values_list("organization_id", "tag__name"):
            orgs[org_id]["tags"].append(name)
        for org in orgs.values():
            org["original_tags"] = list(org["tags"])
        return orgs

    def write(self, rows: list[tuple[int, dict[str, Any]]], result: BatchResult) -> None:
        ctx, mode = self.ctx, self.ctx.dedupe
        keys = {} if mode == DedupeMode.CREATE else self._existing([r for _n, r in rows])
        existing = (
            self._load(set(keys.values()))
            if mode in (DedupeMode.UPDATE, DedupeMode.OVERWRITE)
            else {}
        )
        pending: dict[str, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        outcomes: list[tuple[int, str, dict[str, Any] | None]] = []
        for number, record in rows:
            key = _org_key(record)
            if mode == DedupeMode.CREATE or not (key in pending or key in keys or ctx.seen(key)):
                new.append(record)
                pending.setdefault(key, record)
                ctx.remember(key)
                outcomes.append((number, RowOutcome.CREATED, record))
                continue
            target = pending.get(key) or existing.get(keys.get(key, 0))
            if mode == DedupeMode.SKIP or target is None:
                outcomes.append((number, RowOutcome.SKIPPED, target))
                continue
            changes = self._merge(target, record, mode)
            if changes:
                target.setdefault("changes", {}).update(changes)
                pending.setdefault(key, target)
            outcomes.append((number, RowOutcome.UPDATED if changes else RowOutcome.SKIPPED, target))
        if not ctx.dry_run:
            self._insert(new)
            self._update([org for org in existing.values() if org.get("changes")])
        for number, outcome, org in outcomes:
            result.mark(number, outcome, org.get("id") if org else None)

    @staticmethod
    def _merge(target: dict[str, Any], record: dict[str, Any], mode: str) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for name in ORG_SCALARS:
            new, old = record.get(name), target.get(name) or ""
            if not new or new == old or (old and mode == DedupeMode.UPDATE):
                continue
            if name == "lifecycle_stage" and mode == DedupeMode.UPDATE:
                continue
            changes[name] = (old, new)
            target[name] = new
        added = [tag for tag in record["tags"] if tag not in target["tags"]]
        if added:
            changes["tags"] = (list(target["tags"]), target["tags"] + added)
            target["tags"] = target["tags"] + added
        return changes

    def _insert(self, new: list[dict[str, Any]]) -> None:
        if not new:
            return
        ids = ids_allocate(Organization, len(new))
        for org, org_id in zip(new, ids, strict=True):
            org.update(
                id=org_id,
                workspace_id=self.ctx.workspace_id,
                team_id=self.ctx.team_id,
                search_text=organization_search_text(org),
            )
            org.setdefault("owner_id", self.ctx.user.pk)
            org["original_tags"] = []
        with search_index_deferred(Organization._meta.db_table, ids):
            self.insert.run(new)
        self._tags_link(new)

    def _tags_link(self, orgs: list[dict[str, Any]]) -> None:
        pairs = []
        for org in orgs:
            for name in org["tags"]:
                if name in org.get("original_tags", []):
                    continue
                if name not in self.tags:
                    tag, _created = Tag.objects.get_or_create(
                        workspace_id=self.ctx.workspace_id, name=name
                    )
                    self.tags[name] = tag.pk
                pairs.append((org["id"], self.tags[name]))
        executemany(self.tag_sql, pairs)

    def _update(self, orgs: list[dict[str, Any]]) -> None:
        if not orgs:
            return
        quote = connection.ops.quote_name
        columns = [*ORG_SCALARS, "search_text", "updated_at"]
        sql = (
            f"UPDATE {quote(Organization._meta.db_table)} SET "
            + ", ".join(f"{quote(c)} = %s" for c in columns)
            + " WHERE id = %s"
        )
        now = db_now(self.ctx.now)
        params = []
        for org in orgs:
            org["search_text"], org["updated_at"] = organization_search_text(org), now
            params.append((*(org[c] for c in columns), org["id"]))
        executemany(sql, params)
        renamed = [org["id"] for org in orgs if "name" in org["changes"]]
        people_of_organizations_refresh(organization_ids=renamed)
        self._tags_link(orgs)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    workspace_id=self.ctx.workspace_id,
                    actor_id=self.ctx.user.pk,
                    action="organization.import_update",
                    object_type="contacts.organization",
                    object_id=org["id"],
                    at=timezone.now(),
                    stored_changes={k: [b, a] for k, (b, a) in org["changes"].items()},
                )
                for org in orgs
            ]
        )


def interaction_key(record: dict[str, Any]) -> str:
    """The natural key of an imported interaction: the same row imported again is found."""
    text = "\x1f".join(
        [
            record["kind"],
            record["occurred_at"].isoformat(),
            record["person_email"],
            record["person_phone"],
            record["organization"],
            record["subject"],
            record["body"],
        ]
    )
    return "import:" + hashlib.sha1(text.encode()).hexdigest()


class InteractionWriter:
    tables = (Interaction,)

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.insert = TableInsert(Interaction, with_id=True, now=db_now(ctx.now))

    def batch_scope(self) -> AbstractContextManager[None]:
        return nullcontext()  # nothing deferred to the end of a batch

    def _subjects(
        self, records: list[dict[str, Any]]
    ) -> tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
        ws = self.ctx.workspace_id
        by_email = lookup_pairs(
            "SELECT email, person_id FROM contacts_emailaddress WHERE workspace_id = %s AND email",
            [ws],
            [r["person_email"] for r in records if r["person_email"]],
        )
        by_phone = lookup_pairs(
            "SELECT number, person_id FROM contacts_phonenumber WHERE workspace_id = %s AND number",
            [ws],
            [r["person_phone"] for r in records if r["person_phone"]],
        )
        by_name = lookup_pairs(
            "SELECT name, id FROM contacts_organization WHERE workspace_id = %s AND name",
            [ws],
            [r["organization"] for r in records if r["organization"]],
        )
        # A row lands only on a client the importing user may see; another team's client
        # is no match, so the row is reported, not written onto a hidden timeline.
        seen_people = self.ctx.visible_ids(Person, [pk for _key, pk in by_email + by_phone])
        seen_orgs = self.ctx.visible_ids(Organization, [pk for _name, pk in by_name])
        people: dict[str, int] = {}
        for prefix, pairs in (("e:", by_email), ("p:", by_phone)):
            for key, person_id in sorted(pairs, reverse=True):
                if person_id in seen_people:
                    people[prefix + key] = person_id
        orgs: dict[str, int] = {}
        for name, org_id in sorted(by_name, reverse=True):
            if org_id in seen_orgs:
                orgs[name] = org_id
        teams: dict[tuple[str, int], int | None] = {}
        primary: dict[int, int] = {}
        for person_id, team_id in lookup_pairs(
            "SELECT id, team_id FROM contacts_person WHERE id", [], set(people.values())
        ):
            teams["p", person_id] = team_id
        for person_id, org_id in lookup_pairs(
            "SELECT person_id, organization_id FROM contacts_affiliation WHERE "
            "is_primary = %s AND person_id",
            [True],
            set(people.values()),
        ):
            primary[person_id] = org_id
        for org_id, team_id in lookup_pairs(
            "SELECT id, team_id FROM contacts_organization WHERE id", [], set(orgs.values())
        ):
            teams["o", org_id] = team_id
        return people, orgs, {"teams": teams, "primary": primary}

    def write(self, rows: list[tuple[int, dict[str, Any]]], result: BatchResult) -> None:
        ctx = self.ctx
        people, orgs, extra = self._subjects([r for _n, r in rows])
        for number, record in rows:
            record["key"] = (
                f"import:{ctx.job_id}:{number}"
                if ctx.dedupe == DedupeMode.CREATE
                else interaction_key(record)
            )
        existing = {
            key
            for (key,) in lookup_pairs(
                "SELECT idempotency_key FROM activities_interaction WHERE workspace_id = %s "
                "AND idempotency_key",
                [ctx.workspace_id],
                [r["key"] for _n, r in rows],
            )
        }
        new: list[dict[str, Any]] = []
        outcomes: list[tuple[int, str, dict[str, Any] | None]] = []
        for number, record in rows:
            person_id = people.get("e:" + record["person_email"]) or people.get(
                "p:" + record["person_phone"]
            )
            org_id = orgs.get(record["organization"]) if record["organization"] else None
            if person_id is None and org_id is None:
                result.errors.append(
                    (
                        number,
                        "",
                        record["person_email"] or record["person_phone"] or record["organization"],
                        _("No person or organization in Klient matches this row."),
                        ImportRowError.Level.ERROR,
                    )
                )
                outcomes.append((number, RowOutcome.INVALID, None))
                continue
            if record["key"] in existing or ctx.seen(record["key"]):
                outcomes.append((number, RowOutcome.SKIPPED, None))
                continue
            existing.add(record["key"])
            ctx.remember(record["key"])
            if org_id is None and person_id is not None:
                org_id = extra["primary"].get(person_id)
            team_id = (
                extra["teams"].get(("p", person_id))
                if person_id
                else extra["teams"].get(("o", org_id))
            )
            record.update(
                workspace_id=ctx.workspace_id,
                person_id=person_id,
                organization_id=org_id,
                author_id=ctx.user.pk,
                team_id=team_id,
                idempotency_key=record["key"],
                occurred_at=db_now(record["occurred_at"]),
            )
            new.append(record)
            outcomes.append((number, RowOutcome.CREATED, record))
        if new and not ctx.dry_run:
            for record, pk in zip(new, ids_allocate(Interaction, len(new)), strict=True):
                record["id"] = pk
            self.insert.run(new)
        for number, outcome, created in outcomes:
            result.mark(number, outcome, created.get("id") if created else None)
