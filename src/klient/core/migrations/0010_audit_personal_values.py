"""Clients' personal values of audit events in their own table (ADR 0011).

The audit table itself is not touched: its `changes` column only gets a new name in the
model (`stored_changes`, state only), so no table rebuild can drop its append-only
trigger. The new table gets a trigger of its own refusing UPDATE.
"""

import django.db.models.deletion
from django.db import migrations, models

from klient.core import audit_log_sql


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_periodic_run"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="auditevent", old_name="changes", new_name="stored_changes"
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="stored_changes",
                    field=models.JSONField(blank=True, db_column="changes", default=dict),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="AuditPersonalValues",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="personal_values",
                        serialize=False,
                        to="core.auditevent",
                    ),
                ),
                ("subject_kind", models.CharField(max_length=64)),
                ("subject_id", models.BigIntegerField()),
                ("changes", models.JSONField(default=dict)),
                (
                    "workspace",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.workspace",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["workspace", "subject_kind", "subject_id"],
                        name="audit_personal_subject_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(audit_log_sql.personal_install, audit_log_sql.personal_uninstall),
    ]
