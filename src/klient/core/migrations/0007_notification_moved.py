# The in-app notification model moved to the notifications app, which keeps its table
# (core_notification): removed from core's state only, nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_numbering_public_links"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
