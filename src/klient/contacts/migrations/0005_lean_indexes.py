"""Drop indexes that other indexes already cover; index merged_into only where set.

Each dropped index cost every imported person, email and phone a B-tree insert. The
columns stay foreign keys; their lookups use the leading column of the composite
indexes ((workspace, ...) and the (person, email|number) unique constraints). The
state changes are Django's; the database changes are plain DROP/CREATE INDEX, because
Django's SQLite AlterField would rebuild the tables (slow on a big database, and the
rebuild would drop the search-index triggers).
"""

import django.db.models.deletion
from django.db import migrations, models

# (index, table, column) as Django named them when it created the foreign keys.
COVERED = [
    ("contacts_organization_workspace_id_63318df6", "contacts_organization", "workspace_id"),
    ("contacts_person_workspace_id_84a20a04", "contacts_person", "workspace_id"),
    ("contacts_person_merged_into_id_55f532ee", "contacts_person", "merged_into_id"),
    ("contacts_emailaddress_workspace_id_06c09b60", "contacts_emailaddress", "workspace_id"),
    ("contacts_emailaddress_person_id_90575dd6", "contacts_emailaddress", "person_id"),
    ("contacts_phonenumber_workspace_id_9105c54c", "contacts_phonenumber", "workspace_id"),
    ("contacts_phonenumber_person_id_b478124a", "contacts_phonenumber", "person_id"),
]


def _unindexed_fk(to: str, **kwargs: object) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, to=to, **kwargs
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_search_index_rows"),
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="emailaddress",
                    name="person",
                    field=_unindexed_fk("contacts.person", related_name="emails"),
                ),
                migrations.AlterField(
                    model_name="emailaddress",
                    name="workspace",
                    field=_unindexed_fk("core.workspace"),
                ),
                migrations.AlterField(
                    model_name="phonenumber",
                    name="person",
                    field=_unindexed_fk("contacts.person", related_name="phones"),
                ),
                migrations.AlterField(
                    model_name="phonenumber",
                    name="workspace",
                    field=_unindexed_fk("core.workspace"),
                ),
                migrations.AlterField(
                    model_name="organization",
                    name="workspace",
                    field=_unindexed_fk("core.workspace"),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="workspace",
                    field=_unindexed_fk("core.workspace"),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="contacts.person",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="person_merged_into_idx",
            ),
        ),
    ]
