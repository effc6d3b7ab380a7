"""The kinds this app imports and exports itself, registered by its plug (plug.py):
people, organizations and interactions both ways, and the calendar (tasks and meetings)
as an iCalendar export. Another app's kinds are registered the same way from its plug.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klient.core.models import User
from klient.core.params import param_id
from klient.importexport import exports
from klient.importexport.export_sources import ExportSpec
from klient.importexport.exporters import ical_chunks, vcard_chunks
from klient.importexport.fields import INTERACTIONS, ORGANIZATIONS, PEOPLE, PEOPLE_PRESETS
from klient.importexport.other_writers import InteractionWriter, OrganizationWriter
from klient.importexport.people_writer import PeopleWriter
from klient.importexport.records import (
    InteractionRowParser,
    OrganizationRowParser,
    PersonRowParser,
)
from klient.importexport.registry import (
    Counter,
    ExportKind,
    ImportKind,
    export_kinds,
    import_kinds,
)

ORGANIZATION_FILTERS = ("q", "owner_id", "team_id", "lifecycle_stage", "segment", "tag")


# Filters: a request's query string as the list selectors' filters -----------------------


def person_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    """The client list's query string as selector filters (`owner` is the list's name)."""
    filters: dict[str, Any] = {}
    for key in ("q", "lifecycle_stage", "segment", "tag", "preferred_channel"):
        if query.get(key):
            filters[key] = str(query[key])[:200]
    for key, source in (
        ("owner_id", "owner"),
        ("owner_id", "owner_id"),
        ("team_id", "team_id"),
        ("organization_id", "organization_id"),
    ):
        value = param_id(query, source)
        if value is not None:
            filters[key] = value
    return filters


def organization_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person_filters(query).items() if k in ORGANIZATION_FILTERS}


def interaction_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    filters: dict[str, Any] = {
        key: str(query[key])[:40] for key in ("kind", "direction") if query.get(key)
    }
    for key in ("person_id", "organization_id"):
        value = param_id(query, key)
        if value is not None:
            filters[key] = value
    return filters


# Sources: what the user may see, through the owning apps' selectors -----------------------


def _people(user: User, spec: ExportSpec) -> list[QuerySet[Any]]:
    return [
        exports.people_for_export(user=user, filters=spec.filters, saved_list_id=spec.saved_list_id)
    ]


def _organizations(user: User, spec: ExportSpec) -> list[QuerySet[Any]]:
    return [exports.organizations_for_export(user=user, filters=spec.filters)]


def _interactions(user: User, spec: ExportSpec) -> list[QuerySet[Any]]:
    return [exports.interactions_for_export(user=user, filters=spec.filters)]


def _calendar(user: User, spec: ExportSpec) -> list[QuerySet[Any]]:
    tasks, meetings = exports.calendar_for_export(user=user)
    return [tasks, meetings]


# Formats that are not tables ---------------------------------------------------------------


def _vcards(querysets: Sequence[QuerySet[Any]], count: Counter) -> Iterator[bytes]:
    for card in vcard_chunks(count(exports.person_records(querysets[0]))):
        yield card.encode("utf-8")


def _icalendar(querysets: Sequence[QuerySet[Any]], count: Counter) -> Iterator[bytes]:
    tasks, meetings = querysets
    return ical_chunks(
        tasks=count(exports.calendar_values(tasks, fields=exports.TASK_FIELDS)),
        meetings=count(exports.calendar_values(meetings, fields=exports.MEETING_FIELDS)),
        now=timezone.now(),
    )


def kinds_register() -> None:
    import_kinds.register(
        ImportKind(
            key="people",
            label=_("People"),
            fields=PEOPLE,
            required=(("first_name", "last_name", "full_name"),),
            parser=PersonRowParser,
            writer=PeopleWriter,
            presets=PEOPLE_PRESETS,
            reads_vcard=True,
            order=10,
        )
    )
    import_kinds.register(
        ImportKind(
            key="organizations",
            label=_("Organizations"),
            fields=ORGANIZATIONS,
            required=(("name",),),
            parser=OrganizationRowParser,
            writer=OrganizationWriter,
            order=20,
        )
    )
    import_kinds.register(
        ImportKind(
            key="interactions",
            label=_("Interactions"),
            fields=INTERACTIONS,
            required=(("kind",), ("person_email", "person_phone", "organization")),
            parser=InteractionRowParser,
            writer=InteractionWriter,
            order=30,
        )
    )
    export_kinds.register(
        ExportKind(
            key="people",
            label=_("People"),
            source=_people,
            formats=("csv", "xlsx", "vcf"),
            columns=exports.PERSON_COLUMNS,
            table=exports.person_rows_format,
            documents={"vcf": _vcards},
            filters=person_filters,
            saved_lists=True,
            list_filters=True,
            order=10,
        )
    )
    export_kinds.register(
        ExportKind(
            key="organizations",
            label=_("Organizations"),
            source=_organizations,
            columns=exports.ORGANIZATION_COLUMNS,
            table=exports.organization_rows_format,
            filters=organization_filters,
            list_filters=True,
            order=20,
        )
    )
    export_kinds.register(
        ExportKind(
            key="interactions",
            label=_("Interactions"),
            source=_interactions,
            columns=exports.INTERACTION_COLUMNS,
            table=exports.interaction_rows_format,
            filters=interaction_filters,
            order=30,
        )
    )
    export_kinds.register(
        ExportKind(
            key="calendar",
            label=_("Tasks and meetings"),
            source=_calendar,
            formats=("ics",),
            documents={"ics": _icalendar},
            file_stem="klient",
            order=40,
        )
    )
