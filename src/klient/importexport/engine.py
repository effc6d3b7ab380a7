"""Run an import: read the file in batches, each batch one transaction with its checkpoint.

A batch commits its records, its idempotency record (ImportBatch), the row errors and
the advanced checkpoint together, so after a crash (kill -9 of a worker, the server,
the CLI) a resumed run starts after the last committed batch and nothing is applied
twice.
A lease (host:pid:nonce plus a heartbeat) keeps two processes from running the
same import at once; a dead holder's lease is taken over at once on its own host
and after KLIENT_IMPORT_LEASE_SECONDS from elsewhere.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klient.core.jobs import JobDeferred
from klient.core.models import User
from klient.core.services import audit_record, planner_statistics_refresh
from klient.importexport.batch import (
    BatchResult,
    bulk_write_session,
    checkpoint_commit,
    errors_write,
    marks_write,
)
from klient.importexport.errors import ImportFileError, LeaseLost
from klient.importexport.models import ImportJob, ImportRowError, RowOutcome
from klient.importexport.pipeline import ParsedRow, parsed_batches
from klient.importexport.readers import VCARD_MAPPING, TableReader, table_open
from klient.importexport.records import WARNINGS
from klient.importexport.registry import ImportKind, RowWriter, import_kinds
from klient.importexport.writer_context import WriteContext

# An import that changes this many records refreshes the planner statistics of the
# writer's tables: a first import of a million people must not leave search planning
# blind (core.services.planner_statistics_refresh).
STATISTICS_REFRESH_ROWS = 1000
# Parsers hand rows over in chunks of this size, and the writer writes each as it comes,
# inside a transaction that commits every KLIENT_IMPORT_BATCH_ROWS rows: big commits
# (each one writes every page it dirtied, and index pages are dirtied over and over),
# while memory holds one chunk at a time per process.
PARSE_CHUNK_ROWS = 5000


class ImportBusy(JobDeferred):
    """Another live process holds this import's lease: not a failed attempt, the outbox
    tries again later."""


@dataclass
class ImportProgress:
    """What a progress bar shows: rows done of total, speed and time left."""

    job_id: int
    done: int
    total: int
    rate: float
    eta_seconds: float | None
    created: int
    updated: int
    skipped: int
    invalid: int
    finished: bool = False

    def line(self) -> str:
        percent = f"{self.done * 100 // self.total}%" if self.total else "?"
        eta = f"{self.eta_seconds:.0f}s" if self.eta_seconds is not None else "?"
        return (
            f"{self.done:,}/{self.total:,} rows ({percent}), {self.rate:,.0f} rows/s, "
            f"ETA {eta} — created {self.created:,}, updated {self.updated:,}, "
            f"skipped {self.skipped:,}, invalid {self.invalid:,}"
        )


ProgressCallback = Callable[[ImportProgress], None]


def imports_dir() -> Path:
    path = Path(settings.KLIENT_HOME) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_file(job: ImportJob) -> Path:
    return imports_dir() / job.file_path


def _lease_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _holder_alive(lease: str) -> bool:
    host, _sep, rest = lease.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # cannot tell from here; the heartbeat decides
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lease_is_stale(job: ImportJob) -> bool:
    if not job.lease_owner:
        return True
    if not _holder_alive(job.lease_owner):
        return True
    limit = timedelta(seconds=settings.KLIENT_IMPORT_LEASE_SECONDS)
    return job.heartbeat_at is None or job.heartbeat_at < timezone.now() - limit


def lease_claim(job_id: int) -> tuple[ImportJob, str] | None:
    """Take the import for this process; None when it is finished or not startable."""
    token = _lease_token()
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished or job.status == ImportJob.Status.MAPPING:
            return None
        if not lease_is_stale(job):
            raise ImportBusy(f"import {job_id} is running in {job.lease_owner}")
        now = timezone.now()
        resumed = job.status == ImportJob.Status.RUNNING
        job.lease_owner, job.heartbeat_at = token, now
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.started_at or now
        if resumed and job.is_dry_run:
            # A dry run keeps its duplicate keys in memory only: start it over.
            ImportRowError.objects.filter(job=job).delete()
            job.processed = job.last_row = 0
            job.created_count = job.updated_count = job.skipped_count = job.invalid_count = 0
            job.warned_count = 0
        job.save()
    return job, token


def lease_release(job: ImportJob, lease: str) -> None:
    ImportJob.objects.filter(pk=job.pk, lease_owner=lease).update(lease_owner="")


def _team_id(user: User) -> int | None:
    return user.teams.values_list("pk", flat=True).order_by("pk").first()


def owners_index(workspace_id: int) -> dict[str, int]:
    """Every way a file may name a colleague: username, email, full name."""
    index: dict[str, int] = {}
    for user in User.objects.filter(workspace_id=workspace_id, is_active=True):
        for key in (
            user.username,
            user.email,
            user.get_full_name(),
            f"{user.last_name} {user.first_name}".strip(),
        ):
            if key:
                index.setdefault(key.lower(), user.pk)
    return index


def import_execute(
    *,
    job_id: int,
    progress_callback: ProgressCallback | None = None,
    batch_rows: int | None = None,
) -> ImportJob | None:
    """Run (or resume) an import to its end. Idempotent: a finished import is left alone."""
    rows_per_batch: int = batch_rows or settings.KLIENT_IMPORT_BATCH_ROWS
    claimed = lease_claim(job_id)
    if claimed is None:
        return ImportJob.objects.filter(pk=job_id).first()
    job, lease = claimed
    try:
        with translation.override(job.language or None):
            _run(job, lease, progress_callback, rows_per_batch)
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job.pk, lease_owner=lease).update(
            status=ImportJob.Status.FAILED,
            error_message=str(exc.message),
            finished_at=timezone.now(),
            lease_owner="",
        )
    finally:
        lease_release(job, lease)
    job.refresh_from_db()
    if job.is_finished:
        # The rows live in the database now; a copy of the client list must not linger.
        job_file(job).unlink(missing_ok=True)
    return job


def _run(job: ImportJob, lease: str, callback: ProgressCallback | None, batch_rows: int) -> None:
    user = job.created_by
    if user is None or user.workspace_id != job.workspace_id:
        raise ImportFileError(_("The user who started this import no longer exists."))
    if job.kind not in import_kinds:
        # The app that registered the kind was removed while the import waited.
        raise ImportFileError(
            _("Klient can no longer import “%(kind)s”.") % {"kind": job.kind}, code="kind_gone"
        )
    kind = import_kinds.get(job.kind)
    reader = table_open(job_file(job), max_bytes=max(job.file_size, 1))
    try:
        _run_rows(job, kind, lease, reader, user, callback, batch_rows)
    finally:
        reader.close()


def _run_rows(
    job: ImportJob,
    kind: ImportKind,
    lease: str,
    reader: TableReader,
    user: User,
    callback: ProgressCallback | None,
    batch_rows: int,
) -> None:
    if not job.total:
        job.total = reader.estimate_rows()
        ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    mapping = job.mapping or (VCARD_MAPPING if job.file_format == "vcard" else [])
    region = job.phone_region or job.workspace.default_region
    parser = kind.parser(
        headers=job.headers,
        mapping=mapping,
        region=region,
        owners=owners_index(job.workspace_id),
        unescape=job.file_format == "csv",
    )
    ctx = WriteContext(
        workspace_id=job.workspace_id,
        user=user,
        team_id=_team_id(user),
        job_id=job.pk,
        dedupe=job.dedupe,
        dry_run=job.is_dry_run,
        now=timezone.now(),
    )
    writer = kind.writer(ctx)
    # The checkpoint commits with each batch's ImportBatch record: resume right after it.
    after = job.last_row
    started, done_at_start = time.monotonic(), job.processed
    # A second process pays off (and its start-up is noise) only for a big file.
    in_process = job.total - after >= settings.KLIENT_IMPORT_PARSE_PROCESS_ROWS
    with bulk_write_session():
        chunks = parsed_batches(
            reader=reader,
            parser=parser,
            after=after,
            batch_rows=min(batch_rows, PARSE_CHUNK_ROWS),
            language=job.language,
            in_process=in_process,
            processes=settings.KLIENT_IMPORT_PARSE_PROCESSES,
        )
        while _batch_commit(
            job=job, lease=lease, writer=writer, chunks=chunks, batch_rows=batch_rows
        ):
            if callback is not None:
                callback(_progress(job, started, done_at_start))
    now = timezone.now()
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, lease_owner=lease).update(
            status=ImportJob.Status.DONE,
            finished_at=now,
            total=job.processed,
            lease_owner="",
            heartbeat_at=now,
        )
        if not updated:
            raise LeaseLost(job.pk)
        audit_record(
            workspace=job.workspace_id,
            actor=user,
            action="import.dry_run" if job.is_dry_run else "import.finish",
            object_type="importexport.importjob",
            object_id=job.pk,
            changes={
                "file": (None, job.file_name),
                "kind": (None, job.kind),
                "dedupe": (None, job.dedupe),
                "rows": (None, job.processed),
                "created": (None, job.created_count),
                "updated": (None, job.updated_count),
                "skipped": (None, job.skipped_count),
                "invalid": (None, job.invalid_count),
                "warned": (None, job.warned_count),
            },
        )
    job.total, job.status = job.processed, ImportJob.Status.DONE
    if not job.is_dry_run and job.created_count + job.updated_count >= STATISTICS_REFRESH_ROWS:
        planner_statistics_refresh(model._meta.db_table for model in writer.tables)
    if callback is not None:
        final = _progress(job, started, done_at_start)
        final.finished = True
        callback(final)


def _batch_commit(
    *,
    job: ImportJob,
    lease: str,
    writer: RowWriter,
    chunks: Iterator[list[ParsedRow]],
    batch_rows: int,
) -> bool:
    """Write parsed chunks in one transaction until it holds `batch_rows` rows, then
    commit it with the checkpoint. False when there was nothing left to write."""
    chunk = next(chunks, None)
    if chunk is None:
        return False
    total = BatchResult()
    with transaction.atomic():
        # First statement: takes the write lock and proves the lease is still ours.
        if not ImportJob.objects.filter(pk=job.pk, lease_owner=lease).update(
            heartbeat_at=timezone.now()
        ):
            raise LeaseLost(job.pk)
        # Work a writer defers to the end of the batch stays inside its transaction
        # (people index their search text there: PeopleWriter.batch_scope).
        with writer.batch_scope():
            rows = 0
            while chunk is not None:
                _chunk_write(job=job, writer=writer, chunk=chunk, total=total)
                rows += len(chunk)
                last_row = chunk[-1][0]
                chunk = next(chunks, None) if rows < batch_rows else None
            if not checkpoint_commit(
                job=job, lease=lease, result=total, last_row=last_row, now=timezone.now()
            ):
                raise LeaseLost(job.pk)
    return True


def _chunk_write(
    *, job: ImportJob, writer: RowWriter, chunk: list[ParsedRow], total: BatchResult
) -> None:
    """One parsed chunk's rows, its idempotency record and its error rows; `total` adds up
    the counts for the checkpoint."""
    result = BatchResult()
    valid: list[tuple[int, dict[str, Any]]] = []
    for number, record, errors in chunk:
        if record is None:
            result.errors.extend(
                (number, column, value, reason, ImportRowError.Level.ERROR)
                for column, value, reason in errors
            )
            result.mark(number, RowOutcome.INVALID)
        else:
            warnings = record.pop(WARNINGS, None)
            if warnings:
                result.errors.extend(
                    (number, column, value, reason, ImportRowError.Level.WARNING)
                    for column, value, reason in warnings
                )
                result.warned += 1
            valid.append((number, record))
    writer.write(valid, result)
    if not job.is_dry_run:
        marks_write(job.pk, result, first_row=chunk[0][0], last_row=chunk[-1][0])
    errors_write(job.pk, result)
    total.add(result)


def _progress(job: ImportJob, started: float, done_at_start: int) -> ImportProgress:
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = (job.processed - done_at_start) / elapsed
    total = max(job.total, job.processed)
    eta = (total - job.processed) / rate if rate > 0 else None
    return ImportProgress(
        job_id=job.pk,
        done=job.processed,
        total=total,
        rate=rate,
        eta_seconds=eta,
        created=job.created_count,
        updated=job.updated_count,
        skipped=job.skipped_count,
        invalid=job.invalid_count,
    )
