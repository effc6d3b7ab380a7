"""Refuse UPDATE on the audit log at the database level: history cannot be rewritten.

DELETE stays possible for retention purges (and test database flushes). Installed by
the core migration; `tests/core/test_migrations.py` checks the trigger exists after a
migrate from zero on SQLite and PostgreSQL.
"""

from __future__ import annotations

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
