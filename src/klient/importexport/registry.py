"""What can be imported and exported: kinds that apps register from their `plug.py`.

The import engine (engine.py) owns everything a kind shares: reading the file, the
column mapping and its checks, the dedupe mode, dry run, the error report, progress,
checkpoints and resume. A kind brings only what differs: the fields a column may map
to, how a row becomes a record (`parser`) and how a chunk of records is written
(`writer`, a `RowWriter`). An export kind brings the rows a user may see (`source`), its
columns and how a record reads as a table row; the export pages, the API, background
export jobs and their audit are shared. This app registers people, organizations,
interactions and the calendar (kinds.py); an app above it (sales) registers its own from
its plug, so a new kind never means editing this app. CONTRIBUTING.md, "An importable
kind", walks through one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.registry import Label, Registry

if TYPE_CHECKING:
    from klient.core.models import User
    from klient.importexport.batch import BatchResult
    from klient.importexport.export_sources import ExportSpec
    from klient.importexport.writer_context import WriteContext

# The key is stored in the 16-character `kind` columns of imports, presets and exports,
# and is a segment of the export URLs (/export/<key>.<format>).
_KEY = re.compile(r"[a-z][a-z0-9_]{0,15}")

RowError = tuple[str, str, str]  # column, value, reason


def _key_check(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(f"kind key {key!r}: 1-16 of a-z, 0-9 and _, starting with a letter")


# Imports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetField:
    """A field a file's column may be mapped to. The mapping guess compares headers with
    the key, the label in every interface language and the synonyms (fields.py)."""

    key: str
    label: Label
    synonyms: tuple[str, ...] = ()
    multi: bool = False  # several columns may feed it (emails, phones, tags)


class RecordParser(Protocol):
    """One row's cells (aligned with the file's headers) -> a clean record, or None and
    what is wrong with it. Pure, no database: parsing runs in a thread or in forked
    processes beside the writer (pipeline.py), in the importing user's language."""

    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]: ...


class ParserFactory(Protocol):
    """Makes the run's parser: `mapping` has one field key per header ("" = ignored),
    `region` reads phones without a country code, `owners` maps every way a file may
    name a colleague to their id, `unescape` undoes the formula guard of our CSV exports.
    A subclass of `records.RowParser` is one."""

    def __call__(
        self,
        *,
        headers: list[str],
        mapping: list[str],
        region: str,
        owners: Mapping[str, int],
        unescape: bool,
    ) -> RecordParser: ...


class RowWriter(Protocol):
    """Writes a kind's records, chunk by chunk, inside the engine's transactions.

    Made once per run (and again on resume) with the run's `WriteContext`. `write` gets
    the valid rows of a chunk as (row number, record) in file order and must, for every
    row, call `result.mark(number, outcome, object_id)` once: CREATED, UPDATED, SKIPPED
    (a duplicate left alone) or INVALID (with a line in `result.errors`). It honours
    `ctx.dedupe` (match existing records on the kind's natural key: skip, fill empty
    fields, overwrite, or create anyway) and `ctx.dry_run` (write nothing, report the
    same outcomes; `ctx.remember(key)` / `ctx.seen(key)` find duplicates between chunks
    then, as nothing is in the database to find them). Rows the parser refused never
    reach it. A record is matched only if the importing user may see it.
    """

    @property
    def tables(self) -> Sequence[type[Model]]:
        """The tables a big import fills: their planner statistics are refreshed after it."""
        ...

    def batch_scope(self) -> AbstractContextManager[None]:
        """Wraps each committed batch, inside its transaction: work deferred to the end of
        a batch (people index their search text there) happens in it."""
        ...

    def write(self, rows: list[tuple[int, dict[str, Any]]], result: BatchResult) -> None: ...


@dataclass(frozen=True)
class ImportKind:
    """What a file may hold. `required` lists groups of field keys; a mapping must name
    at least one field of each group. `presets` are built-in mappings ({preset name:
    {file header: field key}}) for other products' exports."""

    key: str
    label: Label
    fields: tuple[TargetField, ...]
    required: tuple[tuple[str, ...], ...]
    parser: ParserFactory
    writer: Callable[[WriteContext], RowWriter]
    presets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    reads_vcard: bool = False
    order: int = 100

    def __post_init__(self) -> None:
        _key_check(self.key)
        keys = {target.key for target in self.fields}
        missing = [key for group in self.required for key in group if key not in keys]
        if missing:
            raise ValueError(f"import kind {self.key!r}: required fields not in fields: {missing}")


import_kinds: Registry[ImportKind] = Registry("import kinds")


def import_kind_get(key: str) -> ImportKind:
    """The registered kind; a key no app registers (now) is a bad `kind` value."""
    if key not in import_kinds:
        raise ValidationFailed(fields={"kind": _("Unknown value “%(value)s”.") % {"value": key}})
    return import_kinds.get(key)


def import_kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, str(kind.label)) for kind in import_kinds]


def import_kind_label(key: str) -> str:
    """The kind's name in the active language; the key of a kind no longer registered."""
    return str(import_kinds.get(key).label) if key in import_kinds else key


# Exports ------------------------------------------------------------------------------------


class TableFormat(Protocol):
    """The records of a source as table rows of `columns` (keys of the kind's columns),
    formatted for people: labels not codes, local times. A chunk of records costs a
    fixed number of queries, never one per row."""

    def __call__(self, rows: QuerySet[Any], *, columns: list[str]) -> Iterator[list[Any]]: ...


# Passes rows through while counting them (progress of a background export).
Counter = Callable[[Iterable[Any]], Iterator[Any]]
# A format that is not a table (vCard, iCalendar): the source's querysets -> the file's
# bytes in chunks; each record goes through the Counter on its way into the file.
DocumentFormat = Callable[[Sequence[QuerySet[Any]], Counter], Iterator[bytes]]


def no_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ExportKind:
    """Something a user can download.

    - `source(user, spec)`: the querysets the file holds, filtered by `spec.filters` (and
      `spec.saved_list_id` when `saved_lists`), as the user may see them: built on the
      owning app's selectors, so its visibility rule applies; raise NotFound for a list
      the user may not see. Nothing is read until the file is written.
    - `filters(query)`: the request's query string as checked filters (ValidationFailed
      for a bad value); stored with a background export, given back to `source`.
    - `columns` and `table`: the CSV and XLSX formats; `documents`: any other format.
    - `roles`: who may export it at all (None: every role); it is refused to others
      (PermissionDenied) and left out of their export page.
    - `list_filters`: the export page passes the client list's query string on.
    """

    key: str
    label: Label
    source: Callable[[User, ExportSpec], Sequence[QuerySet[Any]]]
    formats: tuple[str, ...] = ("csv", "xlsx")
    columns: Mapping[str, Label] = field(default_factory=dict)
    table: TableFormat | None = None
    documents: Mapping[str, DocumentFormat] = field(default_factory=dict)
    filters: Callable[[Mapping[str, Any]], dict[str, Any]] = no_filters
    saved_lists: bool = False
    list_filters: bool = False
    roles: frozenset[str] | None = None
    file_stem: str = ""  # the download's name before the date; the key when empty
    order: int = 100

    def __post_init__(self) -> None:
        _key_check(self.key)
        tables = [fmt for fmt in self.formats if fmt in ("csv", "xlsx")]
        if tables and (self.table is None or not self.columns):
            raise ValueError(f"export kind {self.key!r}: CSV and XLSX need columns and a table")
        others = [fmt for fmt in self.formats if fmt not in tables and fmt not in self.documents]
        if others:
            raise ValueError(f"export kind {self.key!r}: no writer for {others}")

    def visible_to(self, user: User) -> bool:
        return self.roles is None or user.role in self.roles


export_kinds: Registry[ExportKind] = Registry("export kinds")


def export_kind_get(key: str) -> ExportKind:
    """The registered kind; a key no app registers (now) does not exist."""
    if key not in export_kinds:
        raise NotFound()
    return export_kinds.get(key)


def export_kind_label(key: str) -> str:
    return str(export_kinds.get(key).label) if key in export_kinds else key
