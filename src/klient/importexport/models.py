"""Imports as resumable jobs: the file, its mapping, a checkpoint, batch records, errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.core.models import Workspace


class DedupeMode(models.TextChoices):
    SKIP = "skip", _("Skip duplicates")
    UPDATE = "update", _("Update: fill empty fields")
    OVERWRITE = "overwrite", _("Update: overwrite fields")
    CREATE = "create", _("Create anyway")


class ImportJob(models.Model):
    """One file being imported. Counters and the checkpoint commit with each batch."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The key of a registered import kind (registry.import_kinds), checked by the services:
    # apps add kinds, so the column has no fixed choices.
    kind = models.CharField(_("what to import"), max_length=16)
    dedupe = models.CharField(
        _("duplicates"), max_length=10, choices=DedupeMode.choices, default=DedupeMode.SKIP
    )
    is_dry_run = models.BooleanField(_("dry run"), default=False)
    # Where phones without a country code are read; "" = the workspace's default region.
    phone_region = models.CharField(_("phone region"), max_length=2, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    language = models.CharField(max_length=8, blank=True, default="")

    file_name = models.CharField(_("file"), max_length=255)
    # Relative to KLIENT_HOME/imports/, so a moved KLIENT_HOME keeps working.
    file_path = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=8)
    encoding = models.CharField(max_length=32, blank=True, default="")
    delimiter = models.CharField(max_length=2, blank=True, default="")
    headers = models.JSONField(default=list)
    sample = models.JSONField(default=list)
    # One target field per column ("" = ignored), aligned with `headers`.
    mapping = models.JSONField(default=list)
    unknown_columns = models.JSONField(default=list)

    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    last_row = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    # Rows imported with a warning (a phone left out); they are counted as created/updated too.
    warned_count = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")

    # Which process runs the import now ("host:pid:nonce") and when it last committed.
    lease_owner = models.CharField(max_length=120, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="import_ws_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.processed * 100 // self.total)


class RowOutcome(models.TextChoices):
    CREATED = "c", _("Created")
    UPDATED = "u", _("Updated")
    SKIPPED = "s", _("Skipped")
    INVALID = "i", _("Invalid")


class ImportBatch(models.Model):
    """The idempotency record of one committed batch: which source rows it handled, how.

    Written in the batch's own transaction, so a resumed import skips exactly the rows
    of committed batches (import id + row number) and a crash can never apply a row
    twice. One record per batch, not per row: a per-row mark cost every imported row two
    more B-tree inserts. `outcomes` has one RowOutcome character per row number from
    first_row to last_row ('-' where the file had no row there: blank lines), and
    `object_ids` the record each row created, updated or matched (null for none).
    """

    NO_ROW = "-"

    # Indexed by the (job, first_row) unique constraint's leading column.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="batches", db_index=False
    )
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    outcomes = models.TextField()
    object_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "first_row"], name="import_batch_unique")
        ]


class ImportRowError(models.Model):
    """One line of the downloadable error report: why a row was not imported (an error),
    or what an imported row was imported without (a warning)."""

    class Level(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField()
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.ERROR)
    column = models.CharField(max_length=255, blank=True, default="")
    value = models.TextField(blank=True, default="")
    reason = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_row_idx")]


class ImportPreset(models.Model):
    """A named column mapping saved by a workspace: file header -> field."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    kind = models.CharField(max_length=16)  # an import kind's key, as ImportJob.kind
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "name"], name="import_preset_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """An export too big to stream within one request, written to a file by a worker.

    The file is written under a temporary name and renamed when complete, so a file is
    offered only whole; it is deleted KLIENT_EXPORT_KEEP_HOURS after it was written."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("File deleted")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The key of a registered export kind (registry.export_kinds), checked by the services.
    kind = models.CharField(_("what to export"), max_length=16)
    file_format = models.CharField(_("format"), max_length=8)
    # The admins' migration copy: stored values, nothing neutralised (people, CSV only).
    is_raw = models.BooleanField(default=False)
    # As given and checked at the request; the worker applies them as the requester.
    filters = models.JSONField(default=dict)
    saved_list_id = models.BigIntegerField(null=True, blank=True)
    columns = models.JSONField(default=list)
    language = models.CharField(max_length=8, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)

    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The name the download gets, and where the file is, relative to KLIENT_HOME/exports/
    # ("" until the file is complete and again once it is deleted).
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=255, blank=True, default="")
    file_size = models.BigIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")

    # Which attempt writes the file now, and when it last reported progress.
    lease_owner = models.CharField(max_length=40, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "requested_by", "-created_at"], name="export_ws_user_idx"
            ),
            models.Index(fields=["status", "finished_at"], name="export_status_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        if not self.rows_total:
            return 0
        # Rows added while the file is written can take it past the count made first.
        return min(99, self.rows_done * 100 // self.rows_total)
