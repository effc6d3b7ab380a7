"""Saved lists get a sharing choice (docs/adr/0006-saved-list-sharing.md).

Lists that exist when this runs were read by the whole workspace: they become
"workspace" lists, so nobody loses a list they use. A list made after it starts private.
"""

import django.db.models.deletion
from django.db import migrations, models

CHOICES = [("private", "Only me"), ("team", "My team"), ("workspace", "Everyone in the company")]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_search_text_refold"),
        ("core", "0001_squashed"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedlist",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.team",
            ),
        ),
        # Added with "workspace" so the rows already there keep being shared as before...
        migrations.AddField(
            model_name="savedlist",
            name="visibility",
            field=models.CharField(
                choices=CHOICES, default="workspace", max_length=10, verbose_name="shared with"
            ),
        ),
        # ...then new lists start private (a Python-side default: no SQL runs for this).
        migrations.AlterField(
            model_name="savedlist",
            name="visibility",
            field=models.CharField(
                choices=CHOICES, default="private", max_length=10, verbose_name="shared with"
            ),
        ),
        migrations.AddConstraint(
            model_name="savedlist",
            constraint=models.CheckConstraint(
                condition=models.Q(("visibility__in", ["private", "team", "workspace"])),
                name="saved_list_known_visibility",
            ),
        ),
    ]
