"""The importexport tables as of the squash of 2026-12-02 (the old migrations are in `replaces`).

A database migrated by an earlier release has applied every replaced migration, so
Django records this one as applied; a new database runs only this one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("importexport", "0001_initial"),
        ("importexport", "0002_lean_indexes"),
        ("importexport", "0003_import_batch"),
    ]

    dependencies = [
        ("core", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("people", "People"),
                            ("organizations", "Organizations"),
                            ("interactions", "Interactions"),
                        ],
                        max_length=16,
                        verbose_name="what to import",
                    ),
                ),
                (
                    "dedupe",
                    models.CharField(
                        choices=[
                            ("skip", "Skip duplicates"),
                            ("update", "Update: fill empty fields"),
                            ("overwrite", "Update: overwrite fields"),
                            ("create", "Create anyway"),
                        ],
                        default="skip",
                        max_length=10,
                        verbose_name="duplicates",
                    ),
                ),
                ("is_dry_run", models.BooleanField(default=False, verbose_name="dry run")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("mapping", "Waiting for column mapping"),
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="mapping",
                        max_length=10,
                    ),
                ),
                ("language", models.CharField(blank=True, default="", max_length=8)),
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                ("file_path", models.CharField(max_length=255)),
                ("file_size", models.BigIntegerField(default=0)),
                ("file_format", models.CharField(max_length=8)),
                ("encoding", models.CharField(blank=True, default="", max_length=32)),
                ("delimiter", models.CharField(blank=True, default="", max_length=2)),
                ("headers", models.JSONField(default=list)),
                ("sample", models.JSONField(default=list)),
                ("mapping", models.JSONField(default=list)),
                ("unknown_columns", models.JSONField(default=list)),
                ("total", models.PositiveIntegerField(default=0)),
                ("processed", models.PositiveIntegerField(default=0)),
                ("last_row", models.PositiveIntegerField(default=0)),
                ("created_count", models.PositiveIntegerField(default=0)),
                ("updated_count", models.PositiveIntegerField(default=0)),
                ("skipped_count", models.PositiveIntegerField(default=0)),
                ("invalid_count", models.PositiveIntegerField(default=0)),
                ("error_message", models.TextField(blank=True, default="")),
                ("lease_owner", models.CharField(blank=True, default="", max_length=120)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ImportBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_row", models.PositiveIntegerField()),
                ("last_row", models.PositiveIntegerField()),
                ("outcomes", models.TextField()),
                ("object_ids", models.JSONField(default=list)),
                (
                    "job",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="batches",
                        to="importexport.importjob",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ImportPreset",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("people", "People"),
                            ("organizations", "Organizations"),
                            ("interactions", "Interactions"),
                        ],
                        max_length=16,
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("mapping", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ImportRowError",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.PositiveIntegerField()),
                ("column", models.CharField(blank=True, default="", max_length=255)),
                ("value", models.TextField(blank=True, default="")),
                ("reason", models.TextField()),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="errors",
                        to="importexport.importjob",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="importjob",
            index=models.Index(fields=["workspace", "-created_at"], name="import_ws_created_idx"),
        ),
        migrations.AddConstraint(
            model_name="importbatch",
            constraint=models.UniqueConstraint(
                fields=("job", "first_row"), name="import_batch_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="importpreset",
            constraint=models.UniqueConstraint(
                fields=("workspace", "kind", "name"), name="import_preset_unique_name"
            ),
        ),
        migrations.AddIndex(
            model_name="importrowerror",
            index=models.Index(fields=["job", "row_number"], name="import_error_row_idx"),
        ),
    ]
