"""Export downloads as HTTP responses, shared by the web pages and the REST API.

Each takes the user and the request's query string (the client list's filters and an
optional `columns=a,b,c` for the visible columns). Everything is checked, and the export
audited, before the first byte: once a streamed 200 has started, an error can only cut
the file. A small export is streamed; a big one comes back as the ExportJob that will
write it (export_jobs.export_request), for the caller to point the user at.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import User
from klient.importexport.export_jobs import InlineExport, export_file, export_request
from klient.importexport.export_sources import (
    CONTENT_TYPES,
    XLSX_TYPE,
    export_chunks,
    export_spec_parse,
    export_write,
    raw_spec,
)
from klient.importexport.models import ExportJob

__all__ = ["XLSX_TYPE", "export_download", "export_job_file", "people_raw_download"]


def _inline(export: InlineExport) -> HttpResponseBase:
    spec, name = export.source.spec, export.file_name
    content_type = CONTENT_TYPES[spec.file_format]
    if spec.file_format == "xlsx":
        # Spooled: small files stay in memory, big ones go to disk, never all rows in RAM.
        handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
        export_write(export.source, handle, progress=None)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response: HttpResponseBase
    if spec.file_format == "ics":
        response = HttpResponse(b"".join(export_chunks(export.source)), content_type=content_type)
    else:
        response = StreamingHttpResponse(export_chunks(export.source), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_download(
    *, user: User, kind: str, fmt: str, query: QueryDict
) -> HttpResponseBase | ExportJob:
    """The file of a small export, or the job writing a big one; `kind` is the key of a
    registered export kind (NotFound for any other)."""
    spec = export_spec_parse(kind=kind, fmt=fmt, query=query)
    export = export_request(user=user, spec=spec)
    return export if isinstance(export, ExportJob) else _inline(export)


def people_raw_download(*, user: User) -> HttpResponseBase | ExportJob:
    """Admins only: every column as stored (ids, codes, UTC), for moving to another system."""
    export = export_request(user=user, spec=raw_spec())
    return export if isinstance(export, ExportJob) else _inline(export)


def export_job_file(job: ExportJob) -> FileResponse:
    """A finished export's file under the name it was asked for."""
    path = export_file(job)
    if path is None:
        raise NotFound(_("This export has no file to download."))
    return FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES.get(job.file_format, "application/octet-stream"),
    )
