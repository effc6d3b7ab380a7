"""Exports too big for one request: a job writes the file, the user downloads it later.

A request is checked whole first (export_sources). A small export is streamed by the
request as before; a bigger one (more than KLIENT_EXPORT_INLINE_ROWS records) becomes an
ExportJob and a durable job, so no web worker spends minutes on it and no proxy timeout
can cut the file short. The job writes under a temporary name and renames the file only
once it is complete: a user is never offered a partial file. One attempt writes at a
time (a lease with a heartbeat); a worker killed mid-file leaves a stale lease, and the
outbox's next dispatch starts the file over.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klient.core.errors import KlientError
from klient.core.jobs import JobDeferred
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record
from klient.importexport.export_sources import (
    ExportSource,
    ExportSpec,
    export_source,
    export_write,
)
from klient.importexport.models import ExportJob

logger = logging.getLogger(__name__)

# A running export reports progress at least every few seconds; one silent this long
# is presumed dead, and the next dispatch of its job starts the file over.
LEASE_SECONDS = 120
# A running export silent this long is failed by the purge: its job has given up.
STALLED = timedelta(hours=1)


class ExportBusy(JobDeferred):
    """Another live attempt is writing this export: the outbox tries again later."""


class _LeaseLost(Exception):
    """A newer attempt took the export over: this one stops and keeps nothing."""


@dataclass
class InlineExport:
    """A small export, checked and audited: the request streams it itself."""

    source: ExportSource
    file_name: str


def exports_dir() -> Path:
    path = Path(settings.KLIENT_HOME) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_file(job: ExportJob) -> Path | None:
    """The finished file, or None when there is none (yet, or any more)."""
    if job.status != ExportJob.Status.DONE or not job.file_path:
        return None
    path = exports_dir() / job.file_path
    return path if path.is_file() else None


def _spec(job: ExportJob) -> ExportSpec:
    return ExportSpec(
        kind=job.kind,
        file_format=job.file_format,
        filters=dict(job.filters),
        saved_list_id=job.saved_list_id,
        columns=list(job.columns),
        is_raw=job.is_raw,
    )


def _audit(user: User, spec: ExportSpec, export_id: int) -> None:
    audit_record(
        workspace=actor_workspace_id(user),
        actor=user,
        action=f"export.{spec.audit_name}",
        object_type=f"export.{spec.audit_name}",
        object_id=export_id,
        changes={
            "format": (None, spec.file_format),
            "filters": (None, {**spec.filters, "list": spec.saved_list_id}),
        },
    )


def export_request(*, user: User, spec: ExportSpec) -> ExportJob | InlineExport:
    """Check an export whole (the list is visible to the user, a raw export is an
    administrator's, the columns exist), audit it once, and decide how it is made: up
    to KLIENT_EXPORT_INLINE_ROWS records are streamed by the request; more become an
    export job. The same export already queued or running for the user is returned
    instead of a second one (a double click)."""
    source = export_source(user=user, spec=spec)
    limit = settings.KLIENT_EXPORT_INLINE_ROWS
    if source.count(cap=limit) <= limit:
        _audit(user, spec, 0)
        return InlineExport(source=source, file_name=spec.file_name())
    with transaction.atomic():
        active = ExportJob.objects.select_for_update().filter(
            workspace_id=actor_workspace_id(user),
            requested_by=user,
            status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        )
        for job in active:
            if _spec(job) == spec:
                return job
        job = ExportJob.objects.create(
            workspace_id=actor_workspace_id(user),
            requested_by=user,
            kind=spec.kind,
            file_format=spec.file_format,
            is_raw=spec.is_raw,
            filters=spec.filters,
            saved_list_id=spec.saved_list_id,
            columns=spec.columns,
            language=translation.get_language() or user.language or "",
            file_name=spec.file_name(),
        )
        _audit(user, spec, job.pk)
        from klient.importexport.jobs import export_run_job

        export_run_job.enqueue_in(job.workspace_id, export_id=job.pk)
    return job


def _lease_claim(export_id: int) -> tuple[ExportJob, str] | None:
    token = secrets.token_hex(8)
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=export_id).first()
        if job is None or job.is_finished:
            return None
        now = timezone.now()
        fresh = job.heartbeat_at is not None and job.heartbeat_at > now - timedelta(
            seconds=LEASE_SECONDS
        )
        if job.lease_owner and fresh:
            raise ExportBusy(f"export {export_id} is being written by {job.lease_owner}")
        job.lease_owner, job.heartbeat_at = token, now
        job.status, job.rows_done = ExportJob.Status.RUNNING, 0
        job.started_at = job.started_at or now
        job.save(update_fields=["lease_owner", "heartbeat_at", "status", "rows_done", "started_at"])
    return job, token


def _held(job: ExportJob, lease: str, **fields: object) -> None:
    """Update the export while this attempt still holds it; stop the attempt otherwise."""
    updated = ExportJob.objects.filter(pk=job.pk, lease_owner=lease).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not updated:
        raise _LeaseLost(job.pk)


def _requester(job: ExportJob) -> User:
    user = job.requested_by
    if user is None or not user.is_active or user.workspace_id != job.workspace_id:
        raise KlientError(_("The user who asked for this export can no longer sign in."))
    return user


def export_execute(*, export_id: int) -> ExportJob | None:
    """Write an export's file, as its requester sees the data now. Idempotent: a
    finished export is left alone. Any error fails the export with a message its page
    shows, and no file: a user can simply start it again."""
    claimed = _lease_claim(export_id)
    if claimed is None:
        return ExportJob.objects.filter(pk=export_id).first()
    job, lease = claimed
    partial = exports_dir() / f"{job.pk}-{lease}.part"
    try:
        with translation.override(job.language or None):
            try:
                _write(job, lease, partial)
            except KlientError as exc:
                _fail(job, lease, str(exc.message))
            except _LeaseLost:
                logger.info("export %s was taken over by another attempt", job.pk)
            except Exception:
                logger.exception("export %s failed", job.pk)
                _fail(
                    job,
                    lease,
                    _(
                        "The export failed because of an error on the server. Start it "
                        "again; if it fails again, tell your administrator."
                    ),
                )
    finally:
        partial.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _write(job: ExportJob, lease: str, partial: Path) -> None:
    source = export_source(user=_requester(job), spec=_spec(job))
    _held(job, lease, rows_total=source.count())
    with open(partial, "wb") as handle:
        rows = export_write(source, handle, progress=lambda done: _held(job, lease, rows_done=done))
        handle.flush()
        os.fsync(handle.fileno())  # the rename below must never expose unwritten bytes
    final = f"{job.pk}-{secrets.token_hex(8)}.{job.file_format}"
    size = partial.stat().st_size
    os.replace(partial, exports_dir() / final)
    try:
        _held(
            job,
            lease,
            status=ExportJob.Status.DONE,
            rows_done=rows,
            rows_total=rows,
            file_path=final,
            file_size=size,
            finished_at=timezone.now(),
            lease_owner="",
        )
    except BaseException:
        (exports_dir() / final).unlink(missing_ok=True)
        raise


def _fail(job: ExportJob, lease: str, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk, lease_owner=lease).update(
        status=ExportJob.Status.FAILED,
        error_message=message,
        finished_at=timezone.now(),
        lease_owner="",
    )


def exports_purge(*, older_than: timedelta | None = None) -> int:
    """Delete export files KLIENT_EXPORT_KEEP_HOURS after they were written (the export
    shows as expired), fail exports whose job gave up, and remove files no export
    points to (an attempt's leftovers). Returns how many exports expired. Idempotent."""
    if older_than is None:
        older_than = timedelta(hours=settings.KLIENT_EXPORT_KEEP_HOURS)
    now = timezone.now()
    cutoff = now - older_than
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff):
        with transaction.atomic():
            if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
                status=ExportJob.Status.EXPIRED, file_path=""
            ):
                continue
            audit_record(
                workspace=job.workspace_id,
                actor=None,
                action="export.purge",
                object_type="importexport.exportjob",
                object_id=job.pk,
                changes={"file": (job.file_name, None)},
            )
        if job.file_path:
            (exports_dir() / job.file_path).unlink(missing_ok=True)
        expired += 1
    _stalled_fail(now=now, cutoff=cutoff)
    kept = set(
        ExportJob.objects.filter(status=ExportJob.Status.DONE).values_list("file_path", flat=True)
    )
    for path in exports_dir().iterdir():
        try:
            if path.name not in kept and path.stat().st_mtime < cutoff.timestamp():
                path.unlink()
        except FileNotFoundError:
            continue  # removed meanwhile by its own attempt
    return expired


def _stalled_fail(*, now: datetime, cutoff: datetime) -> None:
    stalled = ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - STALLED
    ) | ExportJob.objects.filter(status=ExportJob.Status.QUEUED, created_at__lt=cutoff)
    for job in stalled:
        with translation.override(job.language or None):
            message = _("The export stopped before it finished. Start it again.")
        ExportJob.objects.filter(pk=job.pk, status=job.status, lease_owner=job.lease_owner).update(
            status=ExportJob.Status.FAILED, error_message=message, finished_at=now, lease_owner=""
        )
