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

from klient.core.errors import NotFound, PermissionDenied
from klient.core.models import User
from klient.core.params import param_id
from klient.importexport import exports
from klient.importexport.exporters import csv_chunks, xlsx_write
from klient.importexport.registry import ExportKind, export_kind_get, export_kinds

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_TYPE,
    "vcf": "text/vcard; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
# What the export page's buttons say.
FORMAT_NAMES = {"csv": "CSV", "xlsx": "XLSX", "vcf": "vCard", "ics": "iCalendar (.ics)"}
# Rows between two progress reports of a job (each is one UPDATE).
PROGRESS_ROWS = 1000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportSpec:
    """A checked export request, as an export job stores it. `kind` is the key of a
    registered export kind (registry.export_kinds)."""

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
        stem = export_kinds.get(self.kind).file_stem if self.kind in export_kinds else ""
        return f"{stem or self.kind}-{stamp}.{self.file_format}"


def _requested_columns(query: Mapping[str, Any]) -> list[str] | None:
    raw = str(query.get("columns") or "")
    return [part.strip() for part in raw.split(",") if part.strip()] or None


def export_spec_parse(*, kind: str, fmt: str, query: Mapping[str, Any]) -> ExportSpec:
    """A request's format, filters, list and columns, checked (NotFound for a kind nobody
    registered or a format the kind has not, ValidationFailed for a bad filter or column)."""
    entry = export_kind_get(kind)
    if fmt not in entry.formats:
        raise NotFound()
    filters = entry.filters(query)
    saved_list_id = param_id(query, "list") if entry.saved_lists else None
    columns = (
        exports.columns_pick(dict(entry.columns), _requested_columns(query))
        if entry.columns
        else []
    )
    return ExportSpec(
        kind=kind, file_format=fmt, filters=filters, saved_list_id=saved_list_id, columns=columns
    )


def raw_spec() -> ExportSpec:
    return ExportSpec(
        kind="people",
        file_format="csv",
        columns=list(exports.RAW_PERSON_COLUMNS),
        is_raw=True,
    )


@dataclass
class ExportSource:
    """The rows of a checked export as one user sees them; nothing is read until written."""

    spec: ExportSpec
    kind: ExportKind
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
    """Resolve the spec for the user: the kind must be registered (NotFound) and open to
    the user's role (PermissionDenied), the list visible to them (NotFound), a raw export
    is an administrator's (PermissionDenied), the columns must exist."""
    entry = export_kind_get(spec.kind)
    if not entry.visible_to(user):
        raise PermissionDenied()
    if spec.is_raw:  # the administrators' migration copy of people
        exports.person_raw_require(user=user)
        columns = list(exports.RAW_PERSON_COLUMNS)
        people = exports.people_for_export(user=user)
        return ExportSource(
            spec=spec, kind=entry, querysets=[people], columns=columns, headers=columns
        )
    querysets = list(entry.source(user, spec))
    if not entry.columns:
        return ExportSource(spec=spec, kind=entry, querysets=querysets)
    # Checked again here: a job may run after an upgrade that renamed a column.
    columns = exports.columns_pick(dict(entry.columns), spec.columns)
    return ExportSource(
        spec=spec,
        kind=entry,
        querysets=querysets,
        columns=columns,
        headers=[str(entry.columns[key]) for key in columns],
    )


def _counted(rows: Iterable[Any], progress: Progress | None, done: list[int]) -> Iterator[Any]:
    """Pass the rows through, reporting the running count every PROGRESS_ROWS rows."""
    for row in rows:
        yield row
        done[0] += 1
        if progress is not None and done[0] % PROGRESS_ROWS == 0:
            progress(done[0])


def _table_rows(source: ExportSource, progress: Progress | None, done: list[int]) -> Any:
    spec, rows, table = source.spec, source.querysets[0], source.kind.table
    if spec.is_raw:
        return _counted(exports.person_raw_format(rows), progress, done)
    if table is None:
        raise NotFound()
    return _counted(table(rows, columns=source.columns), progress, done)


def export_chunks(
    source: ExportSource, *, progress: Progress | None = None, done: list[int] | None = None
) -> Iterator[bytes]:
    """The file of a text format (CSV, vCard, iCalendar) in chunks; `done[0]` counts the
    records written so far."""
    done = [0] if done is None else done
    spec = source.spec
    if spec.file_format == "csv":
        rows = _table_rows(source, progress, done)
        for chunk in csv_chunks(source.headers, rows, human=not spec.is_raw):
            yield chunk.encode("utf-8")
    elif spec.file_format in source.kind.documents:
        document = source.kind.documents[spec.file_format]
        yield from document(source.querysets, lambda rows: _counted(rows, progress, done))
    else:
        raise NotFound()


def export_write(source: ExportSource, target: IO[bytes], *, progress: Progress | None) -> int:
    """Write the whole file to `target`; returns how many records it holds."""
    done = [0]
    if source.spec.file_format == "xlsx":
        xlsx_write(target, source.headers, _table_rows(source, progress, done))
    else:
        for chunk in export_chunks(source, progress=progress, done=done):
            target.write(chunk)
    return done[0]
