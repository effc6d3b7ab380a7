"""Reads behind exports: the same lists and filters as the list views, streamed in chunks.

A chunk of 1,000 records costs a handful of queries (emails, phones, organizations,
tags fetched for the whole chunk), never one per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.activities.kinds import interaction_kinds
from klient.activities.models import Interaction, Task
from klient.activities.selectors import interaction_list, task_list
from klient.contacts.list_selectors import saved_list_get, saved_list_people
from klient.contacts.models import (
    Affiliation,
    Channel,
    EmailAddress,
    LifecycleStage,
    Organization,
    Person,
    PhoneNumber,
)
from klient.contacts.selectors import PERSON_FILTER_KEYS, organization_list, person_list
from klient.core.errors import PermissionDenied, ValidationFailed
from klient.core.models import Role, User

CHUNK = 1000

PERSON_COLUMNS: dict[str, Any] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "middle_name": gettext_lazy("Middle name"),
    "title": gettext_lazy("Job title"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "organization": gettext_lazy("Organization"),
    "tags": gettext_lazy("Tags"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "segment": gettext_lazy("Segment"),
    "preferred_channel": gettext_lazy("Preferred channel"),
    "preferred_language": gettext_lazy("Preferred language"),
    "owner": gettext_lazy("Owner"),
    "updated_at": gettext_lazy("Updated"),
}
ORGANIZATION_COLUMNS: dict[str, Any] = {
    "name": gettext_lazy("Name"),
    "legal_name": gettext_lazy("Legal name"),
    "tax_id": gettext_lazy("Tax ID"),
    "website": gettext_lazy("Website"),
    "industry": gettext_lazy("Industry"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "tags": gettext_lazy("Tags"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "segment": gettext_lazy("Segment"),
    "owner": gettext_lazy("Owner"),
    "updated_at": gettext_lazy("Updated"),
}
INTERACTION_COLUMNS: dict[str, Any] = {
    "kind": gettext_lazy("Kind"),
    "direction": gettext_lazy("Direction"),
    "channel": gettext_lazy("Channel"),
    "occurred_at": gettext_lazy("When"),
    "duration_seconds": gettext_lazy("Duration, s"),
    "subject": gettext_lazy("Subject"),
    "body": gettext_lazy("Text"),
    "person_email": gettext_lazy("Person email"),
    "person_phone": gettext_lazy("Person phone"),
    "organization": gettext_lazy("Organization"),
}


def columns_pick(available: dict[str, Any], requested: list[str] | None) -> list[str]:
    """The visible columns asked for, in the order asked; all of them when none are."""
    if not requested:
        return list(available)
    unknown = [key for key in requested if key not in available]
    if unknown:
        raise ValidationFailed(
            fields={"columns": _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return list(dict.fromkeys(requested))


def _chunks(rows: QuerySet[Any]) -> Iterator[list[Any]]:
    """Keyset pagination by id: steady memory and no OFFSET cost however long the list."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def people_for_export(
    *, user: User, filters: dict[str, Any] | None = None, saved_list_id: int | None = None
) -> QuerySet[Person]:
    if saved_list_id:
        return saved_list_people(
            user=user, saved_list=saved_list_get(user=user, saved_list_id=saved_list_id)
        )
    clean = {
        key: value
        for key, value in (filters or {}).items()
        if key in PERSON_FILTER_KEYS and value not in (None, "")
    }
    return person_list(user=user, filters=clean)


PERSON_VALUES = (
    "id",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "title",
    "lifecycle_stage",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner__username",
    "owner_id",
    "team_id",
    "updated_at",
    "created_at",
)


def _value_chunks(rows: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[list[tuple[Any, ...]]]:
    """`_chunks` as tuples of `fields` (the first one the id): building model instances
    cost an export more than its queries did."""
    last = 0
    plain = rows.select_related(None).order_by("pk")
    while True:
        chunk = list(plain.filter(pk__gt=last).values_list(*fields)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _owned_by(field: str, ids: list[int]) -> Q:
    """Rows belonging to these ids (ascending). Mostly they are consecutive, and a range
    costs the database and Django far less than a thousand-value IN list; the extra rows
    a range takes in are dropped by the caller."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


def person_records(rows: QuerySet[Person]) -> Iterator[dict[str, Any]]:
    """Each person as a dict with emails, phones, primary organization and tags."""
    for chunk in _value_chunks(rows, PERSON_VALUES):
        ids = [row[0] for row in chunk]
        emails: dict[int, list[str]] = {pk: [] for pk in ids}
        phones: dict[int, list[str]] = {pk: [] for pk in ids}
        tags: dict[int, list[str]] = {pk: [] for pk in ids}
        orgs: dict[int, str] = {}
        for pk, email in (
            EmailAddress.objects.filter(_owned_by("person_id", ids))
            .order_by("-is_primary", "id")
            .values_list("person_id", "email")
        ):
            if pk in emails:
                emails[pk].append(email)
        for pk, number in (
            PhoneNumber.objects.filter(_owned_by("person_id", ids))
            .order_by("-is_primary", "id")
            .values_list("person_id", "number")
        ):
            if pk in phones:
                phones[pk].append(number)
        for pk, name in (
            Person.tags.through.objects.filter(_owned_by("person_id", ids))
            .order_by("tag__name")
            .values_list("person_id", "tag__name")
        ):
            if pk in tags:
                tags[pk].append(name)
        for pk, name in (
            Affiliation.objects.filter(_owned_by("person_id", ids))
            .order_by("-is_primary", "id")
            .values_list("person_id", "organization__name")
        ):
            orgs.setdefault(pk, name)
        for (
            pk,
            first_name,
            last_name,
            middle_name,
            full_name,
            title,
            lifecycle_stage,
            segment,
            preferred_channel,
            preferred_language,
            owner,
            owner_id,
            team_id,
            updated_at,
            created_at,
        ) in chunk:
            yield {
                "id": pk,
                "first_name": first_name,
                "last_name": last_name,
                "middle_name": middle_name,
                "full_name": full_name,
                "title": title,
                "emails": emails[pk],
                "phones": phones[pk],
                "organization": orgs.get(pk, ""),
                "tags": tags[pk],
                "lifecycle_stage": lifecycle_stage,
                "segment": segment,
                "preferred_channel": preferred_channel,
                "preferred_language": preferred_language,
                "owner": owner or "",
                "owner_id": owner_id,
                "team_id": team_id,
                "updated_at": updated_at,
                "created_at": created_at,
            }


def _labels(choices: Any) -> dict[str, str]:
    """Code -> label in the active language, worked out once per export, not per cell."""
    return {code: str(label) for code, label in choices.choices}


def _local(value: Any, zone: Any = None) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def person_rows_format(rows: QuerySet[Person], *, columns: list[str]) -> Iterator[list[str]]:
    """People already chosen (and checked, see export_sources.export_source) as rows of the
    visible columns, formatted: labels, local times."""
    stages, channels = _labels(LifecycleStage), _labels(Channel)
    zone = timezone.get_current_timezone()
    for person in person_records(rows):
        stage, channel = person["lifecycle_stage"], person["preferred_channel"]
        values = {
            **person,
            "email": ", ".join(person["emails"]),
            "phone": ", ".join(person["phones"]),
            "tags": ", ".join(person["tags"]),
            "lifecycle_stage": stages.get(stage, stage),
            "preferred_channel": channels.get(channel, channel),
            "updated_at": _local(person["updated_at"], zone),
        }
        yield [values[key] for key in columns]


def organizations_for_export(
    *, user: User, filters: dict[str, Any] | None = None
) -> QuerySet[Organization]:
    return organization_list(user=user, filters={k: v for k, v in (filters or {}).items() if v})


def organization_rows_format(
    rows: QuerySet[Organization], *, columns: list[str]
) -> Iterator[list[str]]:
    stages, zone = _labels(LifecycleStage), timezone.get_current_timezone()
    for chunk in _chunks(rows):
        ids = [org.pk for org in chunk]
        tags: dict[int, list[str]] = {pk: [] for pk in ids}
        for pk, name in (
            Organization.tags.through.objects.filter(organization_id__in=ids)
            .order_by("tag__name")
            .values_list("organization_id", "tag__name")
        ):
            tags[pk].append(name)
        for org in chunk:
            values = {
                "name": org.name,
                "legal_name": org.legal_name,
                "tax_id": org.tax_id,
                "website": org.website,
                "industry": org.industry,
                "email": org.email,
                "phone": org.phone,
                "address": org.address,
                "tags": ", ".join(tags[org.pk]),
                "lifecycle_stage": stages.get(org.lifecycle_stage, org.lifecycle_stage),
                "segment": org.segment,
                "owner": org.owner.username if org.owner else "",
                "updated_at": _local(org.updated_at, zone),
            }
            yield [values[key] for key in columns]


def interactions_for_export(
    *, user: User, filters: dict[str, Any] | None = None
) -> QuerySet[Interaction]:
    return interaction_list(user=user, filters=filters or {})


def interaction_rows_format(
    rows: QuerySet[Interaction], *, columns: list[str]
) -> Iterator[list[str]]:
    kinds = {kind.key: str(kind.label) for kind in interaction_kinds}
    directions = _labels(Interaction.Direction)
    zone = timezone.get_current_timezone()
    for chunk in _chunks(rows):
        person_ids = {item.person_id for item in chunk if item.person_id}
        emails = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "primary_email"))
        phones = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "primary_phone"))
        for item in chunk:
            values = {
                "kind": kinds.get(item.kind, item.kind),
                "direction": directions.get(item.direction, item.direction),
                "channel": item.channel,
                "occurred_at": _local(item.occurred_at, zone),
                "duration_seconds": ""
                if item.duration_seconds is None
                else str(item.duration_seconds),
                "subject": item.subject,
                "body": item.body,
                "person_email": emails.get(item.person_id, ""),
                "person_phone": phones.get(item.person_id, ""),
                "organization": item.organization.name if item.organization else "",
            }
            yield [values[key] for key in columns]


TASK_FIELDS = ("id", "title", "description", "due_at", "status", "completed_at")
MEETING_FIELDS = ("id", "subject", "body", "occurred_at", "duration_seconds")


def calendar_for_export(*, user: User) -> tuple[QuerySet[Task], QuerySet[Interaction]]:
    """The user's visible tasks and meetings for an iCalendar export."""
    return (
        task_list(user=user),
        interaction_list(user=user, filters={"kind": Interaction.Kind.MEETING}),
    )


def calendar_values(rows: QuerySet[Any], *, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Rows as dicts of `fields`, a chunk at a time in id order."""
    last = 0
    plain = rows.select_related(None).order_by("pk")
    while True:
        chunk = list(plain.filter(pk__gt=last).values(*fields)[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["id"]


RAW_PERSON_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "middle_name",
    "title",
    "emails",
    "phones",
    "organization",
    "tags",
    "lifecycle_stage",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
]


def person_raw_require(*, user: User) -> None:
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators can make a raw export."))


def person_raw_format(rows: QuerySet[Person]) -> Iterator[list[Any]]:
    """Admin-only migration export: codes not labels, ids, UTC times, nothing neutralised."""
    for person in person_records(rows):
        values = {
            **person,
            "emails": ", ".join(person["emails"]),
            "phones": ", ".join(person["phones"]),
            "tags": ", ".join(person["tags"]),
            "created_at": person["created_at"].isoformat(),
            "updated_at": person["updated_at"].isoformat(),
        }
        yield [values[key] for key in RAW_PERSON_COLUMNS]
