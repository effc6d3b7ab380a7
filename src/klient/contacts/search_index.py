"""The substring index behind client search: FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

Both index the `search_text` column that services keep (lower-cased names,
emails and phone digits). On SQLite an external-content FTS5 table mirrors the
column through triggers; on PostgreSQL a GIN trigram index serves LIKE '%x%'.
Idempotent, so a later migration that rebuilds a table can call it again.
"""

from __future__ import annotations

from typing import Any

INDEXED_TABLES = ("contacts_person", "contacts_organization")


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_text, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def install(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in INDEXED_TABLES:
        if vendor == "sqlite":
            for statement in _sqlite_statements(table):
                schema_editor.execute(statement)
        elif vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
                "USING gin (search_text gin_trgm_ops)"
            )


def uninstall(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in INDEXED_TABLES:
        if vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


def install_migration(apps: Any, schema_editor: Any) -> None:
    """`install` in the signature of a migration's RunPython."""
    install(schema_editor)


def uninstall_migration(apps: Any, schema_editor: Any) -> None:
    uninstall(schema_editor)
