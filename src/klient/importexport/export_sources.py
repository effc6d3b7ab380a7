"""What an export holds, checked before anything is written: the kind, format, filters,
list and columns of a request, and the rows they give as the requesting user sees them.

Shared by the streamed downloads (downloads.py) and the export jobs (export_jobs.py), so
a file a worker writes holds exactly what a streamed download of it would have held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.params import param_id
from klient.importexport import exports
from klient.importexport.exporters import csv_chunks, ical_chunks, vcard_chunks, xlsx_write
from klient.importexport.models import ExportKind

FORMATS: dict[str, tuple[str, ...]] = {
    ExportKind.PEOPLE: ("csv", "xlsx", "vcf"),
    ExportKind.ORGANIZATIONS: ("csv", "xlsx"),
    ExportKind.INTERACTIONS: ("csv", "xlsx"),
    ExportKind.CALENDAR: ("ics",),
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_TYPE,
    "vcf": "text/vcard; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
# Rows between two progress reports of a job (each is one UPDATE).
PROGRESS_ROWS = 1000
TABLE_COLUMNS: dict[str, dict[str, Any]] = {
    ExportKind.PEOPLE: exports.PERSON_COLUMNS,
    ExportKind.ORGANIZATIONS: exports.ORGANIZATION_COLUMNS,
    ExportKind.INTERACTIONS: exports.INTERACTION_COLUMNS,
}
ORGANIZATION_FILTERS = ("q", "owner_id", "team_id", "lifecycle_stage", "segment", "tag")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportSpec:
    """A checked export request, as an export job stores it."""

    kind: str
    file_format: str
    filters: dict[str, Any] = field(default_factory=dict)
    saved_list_id: int | None = None
    columns: list[str] = field(default_factory=list)
    is_raw: bool = False

    @property
    def audit_name(self) -> str:
        return "people_raw" if self.is_raw else self.kind

    def file_name(self) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if self.is_raw:
            return f"people-raw-{stamp}.csv"
        if self.kind == ExportKind.CALENDAR:
            return f"klient-{stamp}.ics"
        return f"{self.kind}-{stamp}.{self.file_format}"


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


def _requested_columns(query: Mapping[str, Any]) -> list[str] | None:
    raw = str(query.get("columns") or "")
    return [part.strip() for part in raw.split(",") if part.strip()] or None


def export_spec_parse(*, kind: str, fmt: str, query: Mapping[str, Any]) -> ExportSpec:
    """A request's format, filters and columns, checked (NotFound for a format the kind
    has not, ValidationFailed for a bad filter or column)."""
    if fmt not in FORMATS.get(kind, ()):
        raise NotFound()
    if kind == ExportKind.PEOPLE:
        return ExportSpec(
            kind=kind,
            file_format=fmt,
            filters=person_filters(query),
            saved_list_id=param_id(query, "list"),
            columns=exports.columns_pick(exports.PERSON_COLUMNS, _requested_columns(query)),
        )
    if kind == ExportKind.ORGANIZATIONS:
        filters = {k: v for k, v in person_filters(query).items() if k in ORGANIZATION_FILTERS}
        columns = exports.columns_pick(exports.ORGANIZATION_COLUMNS, _requested_columns(query))
        return ExportSpec(kind=kind, file_format=fmt, filters=filters, columns=columns)
    if kind == ExportKind.INTERACTIONS:
        filters = {key: str(query[key])[:40] for key in ("kind", "direction") if query.get(key)}
        for key in ("person_id", "organization_id"):
            value = param_id(query, key)
            if value is not None:
                filters[key] = value
        columns = exports.columns_pick(exports.INTERACTION_COLUMNS, _requested_columns(query))
        return ExportSpec(kind=kind, file_format=fmt, filters=filters, columns=columns)
    return ExportSpec(kind=kind, file_format=fmt)


def raw_spec() -> ExportSpec:
    return ExportSpec(
        kind=ExportKind.PEOPLE,
        file_format="csv",
        columns=list(exports.RAW_PERSON_COLUMNS),
        is_raw=True,
    )


@dataclass
class ExportSource:
    """The rows of a checked export as one user sees them; nothing is read until written."""

    spec: ExportSpec
    querysets: list[QuerySet[Any]]
    # The table's columns (keys), checked, and their headers in the active language.
    columns: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    def count(self, *, cap: int | None = None) -> int:
        """How many records the file will hold; with a cap, counting stops past it."""
        total = 0
        for rows in self.querysets:
            plain = rows.order_by()
            total += plain.count() if cap is None else plain[: cap + 1].count()
        return total


def export_source(*, user: User, spec: ExportSpec) -> ExportSource:
    """Resolve the spec for the user: the list must be visible to them (NotFound), a raw
    export needs an administrator (PermissionDenied), the columns must exist."""
    if spec.kind == ExportKind.CALENDAR:
        tasks, meetings = exports.calendar_for_export(user=user)
        return ExportSource(spec=spec, querysets=[tasks, meetings])
    if spec.kind == ExportKind.PEOPLE and spec.is_raw:
        exports.person_raw_require(user=user)
        columns = list(exports.RAW_PERSON_COLUMNS)
        people = exports.people_for_export(user=user)
        return ExportSource(spec=spec, querysets=[people], columns=columns, headers=columns)
    rows: QuerySet[Any]
    if spec.kind == ExportKind.PEOPLE:
        rows = exports.people_for_export(
            user=user, filters=spec.filters, saved_list_id=spec.saved_list_id
        )
    elif spec.kind == ExportKind.ORGANIZATIONS:
        rows = exports.organizations_for_export(user=user, filters=spec.filters)
    else:
        rows = exports.interactions_for_export(user=user, filters=spec.filters)
    available = TABLE_COLUMNS[ExportKind(spec.kind)]
    # Checked again here: a job may run after an upgrade that renamed a column.
    columns = exports.columns_pick(available, spec.columns)
    return ExportSource(
        spec=spec,
        querysets=[rows],
        columns=columns,
        headers=[str(available[key]) for key in columns],
    )


def _counted(rows: Iterable[Any], progress: Progress | None, done: list[int]) -> Iterator[Any]:
    """Pass the rows through, reporting the running count every PROGRESS_ROWS rows."""
    for row in rows:
        yield row
        done[0] += 1
        if progress is not None and done[0] % PROGRESS_ROWS == 0:
            progress(done[0])


def _table_rows(source: ExportSource, progress: Progress | None, done: list[int]) -> Any:
    spec, rows, columns = source.spec, source.querysets[0], source.columns
    if spec.is_raw:
        table = exports.person_raw_format(rows)
    elif spec.kind == ExportKind.PEOPLE:
        table = exports.person_rows_format(rows, columns=columns)
    elif spec.kind == ExportKind.ORGANIZATIONS:
        table = exports.organization_rows_format(rows, columns=columns)
    else:
        table = exports.interaction_rows_format(rows, columns=columns)
    return _counted(table, progress, done)


def export_chunks(
    source: ExportSource, *, progress: Progress | None = None, done: list[int] | None = None
) -> Iterator[bytes]:
    """The file of a text format (CSV, vCard, iCalendar) in chunks; `done[0]` counts the
    records written so far."""
    done = [0] if done is None else done
    spec = source.spec
    if spec.file_format == "ics":
        tasks, meetings = source.querysets
        yield from ical_chunks(
            tasks=_counted(
                exports.calendar_values(tasks, fields=exports.TASK_FIELDS), progress, done
            ),
            meetings=_counted(
                exports.calendar_values(meetings, fields=exports.MEETING_FIELDS), progress, done
            ),
            now=timezone.now(),
        )
        return
    if spec.file_format == "vcf":
        records = exports.person_records(source.querysets[0])
        text: Iterator[str] = vcard_chunks(_counted(records, progress, done))
    elif spec.file_format == "csv":
        rows = _table_rows(source, progress, done)
        text = csv_chunks(source.headers, rows, human=not spec.is_raw)
    else:
        raise NotFound()
    for chunk in text:
        yield chunk.encode("utf-8")


def export_write(source: ExportSource, target: IO[bytes], *, progress: Progress | None) -> int:
    """Write the whole file to `target`; returns how many records it holds."""
    done = [0]
    if source.spec.file_format == "xlsx":
        xlsx_write(target, source.headers, _table_rows(source, progress, done))
    else:
        for chunk in export_chunks(source, progress=progress, done=done):
            target.write(chunk)
    return done[0]
