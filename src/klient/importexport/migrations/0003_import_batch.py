"""One idempotency record per committed batch instead of a mark per row.

Imports running across the upgrade lose nothing: a resume starts after the job's own
checkpoint (`last_row`), which was always committed with the marks it replaces.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("importexport", "0002_lean_indexes"),
    ]

    operations = [
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
        migrations.DeleteModel(
            name="ImportRow",
        ),
        migrations.AddConstraint(
            model_name="importbatch",
            constraint=models.UniqueConstraint(
                fields=("job", "first_row"), name="import_batch_unique"
            ),
        ),
    ]
