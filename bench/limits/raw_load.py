"""Load limit: the same rows written with plain `executemany` in one transaction into bare
tables (no keys, no indexes, no triggers) on SQLite, or with `COPY` on PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class RawLoader:
    """Writes batches into `raw_<table>` copies; `seconds` counts only the writing."""

    def __init__(self, *, sqlite_path: str | None = None, pg_dsn: str | None = None) -> None:
        self.seconds = 0.0
        self.rows = 0
        self._created: set[str] = set()
        self._pg = None
        self._sqlite = None
        if pg_dsn:
            import psycopg

            self._pg = psycopg.connect(pg_dsn)
        else:
            assert sqlite_path
            self._sqlite_path = sqlite_path
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction in all.
            self._sqlite = sqlite3.connect(sqlite_path, isolation_level=None)
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA synchronous=FULL")
            self._sqlite.execute("BEGIN")

    def _create(self, table: str, columns: Sequence[str]) -> None:
        if table in self._created:
            return
        self._created.add(table)
        cols = ", ".join(f'"{c}"' for c in columns)
        if self._pg is not None:
            # Same column types as the real table, none of its constraints or indexes.
            self._pg.execute(f'DROP TABLE IF EXISTS "raw_{table}"')
            self._pg.execute(
                f'CREATE TABLE "raw_{table}" AS SELECT {cols} FROM "{table}" WITH NO DATA'
            )
        else:
            assert self._sqlite is not None
            self._sqlite.execute(f'DROP TABLE IF EXISTS "raw_{table}"')
            self._sqlite.execute(f'CREATE TABLE "raw_{table}" ({cols})')

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        self._create(table, columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        started = time.perf_counter()
        if self._pg is not None:
            with (
                self._pg.cursor() as cursor,
                cursor.copy(f'COPY "raw_{table}" ({cols}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            assert self._sqlite is not None
            marks = ", ".join("?" * len(columns))
            self._sqlite.executemany(f'INSERT INTO "raw_{table}" ({cols}) VALUES ({marks})', rows)
        self.seconds += time.perf_counter() - started
        self.rows += len(rows)

    def finish(self) -> None:
        """Commit the one transaction (its cost counts) and drop the copies."""
        started = time.perf_counter()
        if self._pg is not None:
            self._pg.commit()
        elif self._sqlite is not None:
            self._sqlite.execute("COMMIT")
        self.seconds += time.perf_counter() - started
        for table in self._created:
            if self._pg is not None:
                self._pg.execute(f'DROP TABLE "raw_{table}"')
                self._pg.commit()
            elif self._sqlite is not None:
                self._sqlite.execute(f'DROP TABLE "raw_{table}"')
        if self._pg is not None:
            self._pg.close()
        elif self._sqlite is not None:
            self._sqlite.close()
            for suffix in ("", "-wal", "-shm"):
                Path(self._sqlite_path + suffix).unlink(missing_ok=True)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0
