"""Reads of imports and exports: the user's imports and exports, presets, the row-level
error report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import Role, User
from klient.core.selectors import scoped
from klient.importexport.exporters import neutralize
from klient.importexport.models import (
    ExportJob,
    ImportBatch,
    ImportJob,
    ImportPreset,
    ImportRowError,
)
from klient.importexport.registry import import_kinds


def import_list(*, user: User) -> QuerySet[ImportJob]:
    """Admins see every import of the workspace; others their own."""
    rows = scoped(ImportJob, user=user)
    if user.role != Role.ADMIN:
        rows = rows.filter(created_by_id=user.pk)
    return rows.select_related("created_by").order_by("-created_at", "-id")


def import_get(*, user: User, import_id: int) -> ImportJob:
    job = import_list(user=user).filter(pk=import_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def export_list(*, user: User) -> QuerySet[ExportJob]:
    """The user's own exports, newest first: an export holds what its requester could see."""
    return (
        scoped(ExportJob, user=user).filter(requested_by_id=user.pk).order_by("-created_at", "-id")
    )


def export_get(*, user: User, export_id: int) -> ExportJob:
    """An export its requester, or an administrator of the workspace, may follow and
    download; anyone else is told it does not exist."""
    rows = scoped(ExportJob, user=user)
    if user.role != Role.ADMIN:
        rows = rows.filter(requested_by_id=user.pk)
    job = rows.filter(pk=export_id).first()
    if job is None:
        raise NotFound(_("Export not found."))
    return job


def import_row_outcomes(*, job: ImportJob) -> dict[int, tuple[str, int | None]]:
    """Source row number -> (RowOutcome, id of the record it created, updated or matched),
    for every row the import's committed batches handled."""
    outcomes: dict[int, tuple[str, int | None]] = {}
    for batch in ImportBatch.objects.filter(job=job).order_by("first_row"):
        for offset, (outcome, object_id) in enumerate(
            zip(batch.outcomes, batch.object_ids, strict=True)
        ):
            if outcome != ImportBatch.NO_ROW:
                outcomes[batch.first_row + offset] = (outcome, object_id)
    return outcomes


def preset_names(*, user: User, kind: str) -> list[str]:
    """Built-in presets for this kind first, then the workspace's own, by name."""
    builtin = list(import_kinds.get(kind).presets) if kind in import_kinds else []
    saved = list(
        scoped(ImportPreset, user=user)
        .filter(kind=kind)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return builtin + [name for name in saved if name not in builtin]


def import_errors(*, job: ImportJob) -> QuerySet[ImportRowError]:
    return ImportRowError.objects.filter(job=job).order_by("row_number", "id")


def import_error_report_csv(*, job: ImportJob) -> Iterator[str]:
    """The error report as CSV text chunks: row, column, value, reason and level (an error:
    the row was not imported; a warning: it was, without that value), in the user's
    language. The level comes last, so a report read by position keeps its columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM as UTF-8
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Reason"), _("Level")])
    levels = {code: str(label) for code, label in ImportRowError.Level.choices}
    rows = import_errors(job=job).values_list("row_number", "column", "value", "reason", "level")
    for index, (number, column, value, reason, level) in enumerate(rows.iterator(chunk_size=2000)):
        writer.writerow(
            [
                number,
                neutralize(column),
                neutralize(value),
                neutralize(reason),
                levels.get(level, level),
            ]
        )
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def import_summary(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "kind": job.kind,
        "file_name": job.file_name,
        "dry_run": job.is_dry_run,
        "dedupe": job.dedupe,
        "total": job.total,
        "processed": job.processed,
        "percent": job.percent,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "invalid": job.invalid_count,
        "warned": job.warned_count,
        "phone_region": job.phone_region,
        "error_message": job.error_message,
        "headers": job.headers,
        "mapping": job.mapping,
        "unknown_columns": job.unknown_columns,
    }
