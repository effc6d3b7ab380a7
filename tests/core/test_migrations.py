"""The hand-written SQL of the squashed migrations exists after `migrate` from zero.

pytest-django builds the test database by running every migration on an empty
database, so these checks read what a new installation gets, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from klient.core.models import AuditEvent
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_the_audit_log_trigger_exists_and_refuses_updates():
    assert "core_auditevent_no_update" in _triggers()
    event = AuditEvent.objects.create(
        workspace=WorkspaceFactory(), action="x", object_type="t", object_id=1
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")


def test_the_search_index_exists():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            expected = {
                f"{table}_fts_{suffix}"
                for table in ("contacts_person", "contacts_organization")
                for suffix in ("ai", "ad", "au")
            }
            assert expected <= _triggers()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_fts'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "contacts_person_fts",
                "contacts_organization_fts",
            }
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_search_trgm'")
            assert {row[0] for row in cursor.fetchall()} == {
                "contacts_person_search_trgm",
                "contacts_organization_search_trgm",
            }


def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
