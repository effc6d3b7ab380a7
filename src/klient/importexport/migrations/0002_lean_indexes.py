"""Drop the job_id index of the per-row marks: the (job, row_number) unique constraint
leads with the same column. See contacts 0005 for why the SQL is written out."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "importexport_importrow_job_id_aba6b215"


class Migration(migrations.Migration):
    dependencies = [
        ("importexport", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "importexport_importrow" ("job_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="importrow",
                    name="job",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="importexport.importjob",
                    ),
                ),
            ],
        ),
    ]
