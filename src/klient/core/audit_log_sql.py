"""Refuse UPDATE on the audit log at the database level: history cannot be rewritten.

DELETE stays possible for retention purges (and test database flushes). Installed by
the core migration; `tests/core/test_migrations.py` checks the trigger exists after a
migrate from zero on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TRIGGER = "core_auditevent_no_update"

SQLITE_UP = (
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
)
PG_UP = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_update()""",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        for statement in PG_UP:
            schema_editor.execute(statement)


def uninstall(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON core_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditevent_refuse_update()")


# The personal values of audit events (core.audit_personal, ADR 0011) are never rewritten
# either: an erasure deletes them, nothing updates them.
PERSONAL_TRIGGER = "core_auditpersonalvalues_no_update"
PERSONAL_SQLITE_UP = (
    f"CREATE TRIGGER IF NOT EXISTS {PERSONAL_TRIGGER} BEFORE UPDATE ON core_auditpersonalvalues "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
)
PERSONAL_PG_UP = [
    """CREATE OR REPLACE FUNCTION core_auditpersonalvalues_refuse_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {PERSONAL_TRIGGER} BEFORE UPDATE ON core_auditpersonalvalues
    FOR EACH ROW EXECUTE FUNCTION core_auditpersonalvalues_refuse_update()""",
]


def personal_install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(PERSONAL_SQLITE_UP)
    elif vendor == "postgresql":
        for statement in PERSONAL_PG_UP:
            schema_editor.execute(statement)


def personal_uninstall(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {PERSONAL_TRIGGER}")
    elif vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {PERSONAL_TRIGGER} ON core_auditpersonalvalues"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditpersonalvalues_refuse_update()")


@contextmanager
def update_allowed(connection: Any) -> Iterator[None]:
    """Lift the audit log's UPDATE refusal for the block; call it inside a transaction
    (a migration's), so a failure restores the refusal with everything else. Only for a
    one-time move of stored values that changes no history (core migration 0011)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        elif vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
    yield
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(SQLITE_UP)
        elif vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")
