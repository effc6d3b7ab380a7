"""Export downloads as HTTP responses, shared by the web pages and the REST API.

Each takes the user and the request's query string (the client list's filters and an
optional `columns=a,b,c` for the visible columns) and streams the file.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.params import param_id
from klient.core.services import audit_record
from klient.importexport import exports
from klient.importexport.exporters import csv_chunks, ical_bytes, vcard_chunks, xlsx_write

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_FORMATS = ("csv", "xlsx")


def person_filters(query: QueryDict) -> dict[str, Any]:
    """The client list's query string as selector filters (`owner` is the list's name)."""
    filters: dict[str, Any] = {}
    for key in ("q", "lifecycle_stage", "segment", "tag", "preferred_channel"):
        if query.get(key):
            filters[key] = query[key][:200]
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


def requested_columns(query: QueryDict) -> list[str] | None:
    raw = query.get("columns", "")
    return [part.strip() for part in raw.split(",") if part.strip()] or None


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _download(chunks: Any, *, content_type: str, filename: str) -> HttpResponseBase:
    response = StreamingHttpResponse((c.encode("utf-8") for c in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(headers: list[str], rows: Any, filename: str) -> HttpResponseBase:
    # Spooled: small files stay in memory, big ones go to disk, never all rows in RAM.
    handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    xlsx_write(handle, headers, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _table(fmt: str, headers: list[str], rows: Any, name: str) -> HttpResponseBase:
    if fmt == "xlsx":
        return _xlsx(headers, rows, f"{name}.xlsx")
    if fmt == "csv":
        return _download(
            csv_chunks(headers, rows),
            content_type="text/csv; charset=utf-8",
            filename=f"{name}.csv",
        )
    raise NotFound()


def _audit_export(user: User, what: str, fmt: str, filters: dict[str, Any]) -> None:
    audit_record(
        workspace=user.workspace_id or 0,
        actor=user,
        action=f"export.{what}",
        object_type=f"export.{what}",
        object_id=0,
        changes={"format": (None, fmt), "filters": (None, filters)},
    )


def people_download(*, user: User, fmt: str, query: QueryDict) -> HttpResponseBase:
    """Every check (format, filters, columns, the list) runs before the audit event and
    the first byte: once a streamed 200 has started, an error can only cut the file."""
    if fmt not in ("csv", "xlsx", "vcf"):
        raise NotFound()
    filters = person_filters(query)
    saved_list_id = param_id(query, "list")
    columns = exports.columns_pick(exports.PERSON_COLUMNS, requested_columns(query))
    people = exports.people_for_export(user=user, filters=filters, saved_list_id=saved_list_id)
    _audit_export(user, "people", fmt, {**filters, "list": saved_list_id})
    name = f"people-{_stamp()}"
    if fmt == "vcf":
        return _download(
            vcard_chunks(exports.person_records(people)),
            content_type="text/vcard; charset=utf-8",
            filename=f"{name}.vcf",
        )
    headers = [str(exports.PERSON_COLUMNS[key]) for key in columns]
    return _table(fmt, headers, exports.person_rows_format(people, columns=columns), name)


def organizations_download(*, user: User, fmt: str, query: QueryDict) -> HttpResponseBase:
    if fmt not in TABLE_FORMATS:
        raise NotFound()
    filters = {
        k: v
        for k, v in person_filters(query).items()
        if k in ("q", "owner_id", "team_id", "lifecycle_stage", "segment", "tag")
    }
    columns = exports.columns_pick(exports.ORGANIZATION_COLUMNS, requested_columns(query))
    headers = [str(exports.ORGANIZATION_COLUMNS[key]) for key in columns]
    _audit_export(user, "organizations", fmt, filters)
    rows = exports.organization_export_rows(user=user, columns=columns, filters=filters)
    return _table(fmt, headers, rows, f"organizations-{_stamp()}")


def interactions_download(*, user: User, fmt: str, query: QueryDict) -> HttpResponseBase:
    if fmt not in TABLE_FORMATS:
        raise NotFound()
    filters: dict[str, Any] = {key: query[key] for key in ("kind", "direction") if query.get(key)}
    for key in ("person_id", "organization_id"):
        value = param_id(query, key)
        if value is not None:
            filters[key] = value
    columns = exports.columns_pick(exports.INTERACTION_COLUMNS, requested_columns(query))
    headers = [str(exports.INTERACTION_COLUMNS[key]) for key in columns]
    _audit_export(user, "interactions", fmt, filters)
    rows = exports.interaction_export_rows(user=user, columns=columns, filters=filters)
    return _table(fmt, headers, rows, f"interactions-{_stamp()}")


def calendar_download(*, user: User) -> HttpResponse:
    tasks, meetings = exports.calendar_items(user=user)
    _audit_export(user, "calendar", "ics", {})
    response = HttpResponse(
        ical_bytes(tasks=tasks, meetings=meetings, now=timezone.now()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="klient-{_stamp()}.ics"'
    return response


def people_raw_download(*, user: User) -> HttpResponseBase:
    """Admins only: every column as stored (ids, codes, UTC), for moving to another system."""
    rows = exports.person_raw_rows(user=user)
    first = next(rows, None)  # runs the admin check now, not mid-stream
    _audit_export(user, "people_raw", "csv", {})

    def all_rows() -> Any:
        if first is not None:
            yield first
            yield from rows

    return _download(
        csv_chunks(exports.RAW_PERSON_COLUMNS, all_rows(), human=False),
        content_type="text/csv; charset=utf-8",
        filename=f"people-raw-{_stamp()}.csv",
    )
