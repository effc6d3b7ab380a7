from django.db import migrations

from klient.contacts import search_index


def forwards(apps, schema_editor):
    search_index.install(schema_editor)


def backwards(apps, schema_editor):
    search_index.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
