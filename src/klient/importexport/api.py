"""REST endpoints of import and export: upload, map and start, follow, error report, files;
big exports answer 202 with a job to follow and download when done."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, InSchema, api_user
from klient.importexport import downloads, selectors, services
from klient.importexport.models import DedupeMode, ExportJob

router = Router(tags=["import-export"])


class ImportOut(Schema):
    id: int
    status: str
    kind: str
    dedupe: str
    is_dry_run: bool
    phone_region: str
    file_name: str
    file_format: str
    headers: list[str]
    mapping: list[str]
    unknown_columns: list[str]
    total: int
    processed: int
    percent: int
    created_count: int
    updated_count: int
    skipped_count: int
    invalid_count: int
    warned_count: int
    error_message: str
    created_at: datetime
    finished_at: datetime | None


class ImportStartIn(InSchema):
    """A mapping aligned with the headers, or {header: field}; or a preset by name."""

    mapping: list[Annotated[str, Field(max_length=40)]] | dict[str, str] | None = None
    preset: str = Field("", max_length=100)
    save_preset_as: str = Field("", max_length=100)
    # Where phones without a country code are read (ISO 3166 code); "" = the workspace's.
    phone_region: str = Field("", max_length=2)


class ImportUploadIn(Schema):
    # The key of a registered import kind: people, organizations, interactions, or one
    # another app adds; an unknown key is a 422 on `kind`.
    kind: str = Field("people", max_length=16)
    dedupe: DedupeMode = DedupeMode.SKIP
    dry_run: bool = False


@router.get("/imports", response={200: list[ImportOut], ERROR_CODES: ErrorOut})
def import_index(request: HttpRequest) -> Any:
    return list(selectors.import_list(user=api_user(request))[:100])


@router.post("/imports", response={201: ImportOut, ERROR_CODES: ErrorOut})
def import_add(
    request: HttpRequest, options: Form[ImportUploadIn], file: File[UploadedFile]
) -> Any:
    job = services.import_upload(
        actor=api_user(request),
        file_name=file.name or "upload",
        content=file.chunks(),
        kind=options.kind,
        dedupe=options.dedupe,
        dry_run=options.dry_run,
    )
    return Status(201, job)


@router.get("/imports/presets", response={200: list[str], ERROR_CODES: ErrorOut})
def preset_index(request: HttpRequest, kind: str = "people") -> Any:
    return selectors.preset_names(user=api_user(request), kind=kind)


@router.get("/imports/{import_id}", response={200: ImportOut, ERROR_CODES: ErrorOut})
def import_detail(request: HttpRequest, import_id: Id) -> Any:
    return selectors.import_get(user=api_user(request), import_id=import_id)


@router.post("/imports/{import_id}/start", response={202: ImportOut, ERROR_CODES: ErrorOut})
def import_begin(request: HttpRequest, import_id: Id, payload: ImportStartIn) -> Any:
    user = api_user(request)
    job = selectors.import_get(user=user, import_id=import_id)
    mapping = payload.mapping
    if payload.preset:
        mapping = services.mapping_for_preset(actor=user, job=job, name=payload.preset)
    job = services.import_start(
        actor=user,
        job=job,
        mapping=mapping,
        save_preset_as=payload.save_preset_as,
        phone_region=payload.phone_region,
    )
    job.refresh_from_db()  # in-process workers (tests, demo) may have finished it already
    return Status(202, job)


@router.get("/imports/{import_id}/errors.csv", response={ERROR_CODES: ErrorOut})
def import_error_report(request: HttpRequest, import_id: Id) -> Any:
    job = selectors.import_get(user=api_user(request), import_id=import_id)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in selectors.import_error_report_csv(job=job)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


class ExportJobOut(Schema):
    """An export written in the background; `download_url` once its file is ready."""

    id: int
    status: str
    kind: str
    format: str
    file_name: str
    rows_total: int
    rows_done: int
    percent: int
    file_size: int
    error_message: str
    created_at: datetime
    finished_at: datetime | None
    status_url: str
    download_url: str | None

    @staticmethod
    def resolve_format(obj: ExportJob) -> str:
        return obj.file_format

    @staticmethod
    def resolve_status_url(obj: ExportJob) -> str:
        return reverse("api:export_job_detail", kwargs={"export_id": obj.pk})

    @staticmethod
    def resolve_download_url(obj: ExportJob) -> str | None:
        if obj.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export_job_file", kwargs={"export_id": obj.pk})


EXPORT_RESPONSES: dict[Any, Any] = {202: ExportJobOut, ERROR_CODES: ErrorOut}


def _export(request: HttpRequest, kind: str, fmt: str) -> Any:
    """The file itself when small; 202 and the export job (follow `status_url`) when not."""
    result = downloads.export_download(
        user=api_user(request), kind=kind, fmt=fmt, query=request.GET
    )
    if isinstance(result, ExportJob):
        result.refresh_from_db()  # in-process workers (tests, demo) may have finished it already
        return Status(202, result)
    return result


@router.get("/exports/jobs", response={200: list[ExportJobOut], ERROR_CODES: ErrorOut})
def export_job_index(request: HttpRequest) -> Any:
    return list(selectors.export_list(user=api_user(request))[:100])


@router.get(
    "/exports/jobs/{export_id}",
    response={200: ExportJobOut, ERROR_CODES: ErrorOut},
    url_name="export_job_detail",
)
def export_job_detail(request: HttpRequest, export_id: Id) -> Any:
    return selectors.export_get(user=api_user(request), export_id=export_id)


@router.get(
    "/exports/jobs/{export_id}/file", response={ERROR_CODES: ErrorOut}, url_name="export_job_file"
)
def export_job_file(request: HttpRequest, export_id: Id) -> HttpResponseBase:
    job = selectors.export_get(user=api_user(request), export_id=export_id)
    return downloads.export_job_file(job)


@router.get("/exports/{kind}.{fmt}", response=EXPORT_RESPONSES)
def export_file(request: HttpRequest, kind: str, fmt: str) -> Any:
    """Any registered export kind: people.csv|xlsx|vcf, organizations.csv|xlsx,
    interactions.csv|xlsx, calendar.ics, and the kinds other apps add."""
    return _export(request, kind, fmt)
