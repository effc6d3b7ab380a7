"""Move the personal values of audit events written before ADR 0011 to their own table.

The record kinds and how their records lead to their client come from the apps'
registrations (core.audit_personal), which read the timeline's tables: hence the
dependency on activities. On a new database there is nothing to move.
"""

from django.db import migrations

from klient.core.audit_personal_backfill import backfill, backfill_reverse


def forwards(apps, schema_editor):
    backfill(
        events=apps.get_model("core", "AuditEvent"),
        values=apps.get_model("core", "AuditPersonalValues"),
        connection=schema_editor.connection,
    )


def backwards(apps, schema_editor):
    backfill_reverse(
        events=apps.get_model("core", "AuditEvent"),
        values=apps.get_model("core", "AuditPersonalValues"),
        connection=schema_editor.connection,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_audit_personal_values"),
        ("contacts", "0005_list_columns"),
        ("activities", "0003_organization_open_tasks_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
