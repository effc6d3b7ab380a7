"""The database in a backup: SQLite's online backup API, or pg_dump / pg_restore.

Row counts and applied migrations are read from the very state that is archived: on
SQLite from the copy, on PostgreSQL inside the transaction whose snapshot pg_dump uses
(`--snapshot`), so a server writing meanwhile never makes the manifest disagree with
the dump.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from klient.core.backup.errors import BackupError

Query = Callable[[str], list[tuple[Any, ...]]]

# Tables `klient migrate` fills by itself: a database holding rows only there is empty.
FILLED_BY_MIGRATE = frozenset({"django_migrations", "django_content_type", "auth_permission"})

# libpq settings Django passes through OPTIONS (`?sslmode=require` in the URL), as the
# environment variables pg_dump and pg_restore read.
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass(frozen=True)
class DatabaseState:
    """What a restore is checked against: migrations ("app.name") and rows per table."""

    migrations: list[str]
    tables: dict[str, int]
    details: dict[str, Any] = field(default_factory=dict)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _state(query: Query, tables: list[str]) -> DatabaseState:
    counts = {table: int(query(f"SELECT COUNT(*) FROM {_quote(table)}")[0][0]) for table in tables}
    if "django_migrations" not in counts:
        raise BackupError("the database has no Klient tables: run `klient migrate` first")
    migrations = sorted(f"{app}.{name}" for app, name in query(_MIGRATIONS_SQL))
    return DatabaseState(migrations=migrations, tables=counts)


_MIGRATIONS_SQL = "SELECT app, name FROM django_migrations"


def _holds_data(query: Query, tables: list[str]) -> bool:
    model_tables = set(connection.introspection.django_table_names(include_views=False))
    return any(
        query(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
        for table in tables
        if table in model_tables and table not in FILLED_BY_MIGRATE
    )


# --- SQLite -----------------------------------------------------------------------------


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_query(db: sqlite3.Connection) -> Query:
    return lambda sql: db.execute(sql).fetchall()


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    try:
        rows = db.execute(
            "SELECT name, type FROM pragma_table_list() WHERE schema = 'main'"
        ).fetchall()
        # FTS5 keeps its index in "shadow" tables: counted through the virtual table.
        names = [name for name, kind in rows if kind in ("table", "virtual")]
    except sqlite3.OperationalError:  # SQLite before 3.37
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return sorted(name for name in names if not name.startswith("sqlite_"))


def sqlite_backup(*, target: Path) -> DatabaseState:
    """Copy the live database with the online backup API: one consistent snapshot, taken
    while the server keeps writing (WAL readers do not block writers)."""
    source_path = sqlite_path()
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}: run `klient migrate` first")
    with (
        closing(sqlite3.connect(source_path, timeout=30)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    with closing(sqlite3.connect(target)) as copy:
        # One self-contained file; Klient turns WAL back on when it opens it.
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(f"the database at {source_path} is damaged: {check}")
        state = _state(_sqlite_query(copy), _sqlite_tables(copy))
    state.details.update(sqlite_version=sqlite3.sqlite_version)
    return state


def sqlite_target_holds_data() -> bool:
    path = sqlite_path()
    if not path.exists():
        return False
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
        return _holds_data(_sqlite_query(db), _sqlite_tables(db))


def sqlite_restore(*, staged: Path) -> None:
    """Put the restored file in place of the database, atomically."""
    target = sqlite_path()
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        # Leaving WAL mode needs every other connection closed: this both finds a running
        # server and folds the old WAL in, so no stale -wal file is laid over the new file.
        try:
            with closing(sqlite3.connect(target, timeout=5)) as db:
                db.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.OperationalError as exc:
            raise BackupError(
                f"the database {target} is in use ({exc}): "
                "stop `klient serve` and `klient worker` first"
            ) from exc
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    local = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(staged, local)
    with open(local, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(local, target)
    _fsync_dir(target.parent)


def sqlite_state() -> DatabaseState:
    with closing(sqlite3.connect(f"file:{sqlite_path()}?mode=ro", uri=True, timeout=30)) as db:
        return _state(_sqlite_query(db), _sqlite_tables(db))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- PostgreSQL -------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTool:
    path: str
    major: int
    version: str


def _tool_version(path: str) -> PgTool | None:
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", result.stdout)
    if result.returncode != 0 or match is None:
        return None
    return PgTool(path=path, major=int(match.group(1)), version=match.group(0))


def pg_tool(name: str, *, at_least: int) -> PgTool:
    """The newest `name` on PATH or under /usr/lib/postgresql/*/bin, at least `at_least`."""
    candidates = [found] if (found := shutil.which(name)) else []
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    tools = [tool for path in dict.fromkeys(candidates) if (tool := _tool_version(path))]
    if not tools:
        raise BackupError(
            f"{name} not found on PATH or under /usr/lib/postgresql/*/bin: "
            f"install the PostgreSQL {at_least} client (Debian: postgresql-client-{at_least})"
        )
    # Of one version, the binary itself rather than Debian's pg_wrapper on PATH.
    best = max(tools, key=lambda tool: (tool.major, tool.path.startswith("/usr/lib/postgresql/")))
    if best.major < at_least:
        raise BackupError(
            f"{name} {best.version} ({best.path}) is older than PostgreSQL {at_least}: "
            f"install postgresql-client-{at_least} or newer"
        )
    return best


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_command_env() -> tuple[dict[str, str], str]:
    """The environment and `--dbname` for pg_dump / pg_restore. The password travels in
    PGPASSWORD, never on the command line (where `ps` shows it to every user)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in _LIBPQ_ENV.items():
        value = (db.get("OPTIONS") or {}).get(option)
        if value is not None and value != "":
            env[variable] = str(value)
    return env, "dbname=" + _conninfo_value(str(db["NAME"]))


def _django_query(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


_PG_TABLES_SQL = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname
"""


def _pg_tables() -> list[str]:
    return [row[0] for row in _django_query(_PG_TABLES_SQL)]


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = " / ".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{what} failed (exit {result.returncode}): {tail}")


@contextmanager
def _snapshot() -> Iterator[str]:
    """A read-only transaction whose snapshot pg_dump shares."""
    connection.ensure_connection()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        yield str(snapshot)


def postgres_dump(*, target: Path) -> DatabaseState:
    server_major = _server_major()
    tool = pg_tool("pg_dump", at_least=server_major)
    env, dbname = pg_command_env()
    with _snapshot() as snapshot:
        state = _state(_django_query, _pg_tables())
        _run(
            [
                tool.path,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={dbname}",
            ],
            env,
            "pg_dump",
        )
    state.details.update(server_major=server_major, pg_dump_version=tool.version)
    return state


def postgres_target_holds_data() -> bool:
    return _holds_data(_django_query, _pg_tables())


def postgres_other_sessions() -> list[str]:
    rows = _django_query(
        "SELECT COALESCE(NULLIF(application_name, ''), client_addr::text, 'local') "
        "FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    return [str(row[0]) for row in rows]


def postgres_restore(*, staged: Path, dump_major: int) -> None:
    """pg_restore into the configured database, in one transaction: all or nothing."""
    tool = pg_tool("pg_restore", at_least=dump_major)
    env, dbname = pg_command_env()
    connection.close()
    _run(
        [
            tool.path,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={dbname}",
            str(staged),
        ],
        env,
        "pg_restore",
    )
    # pg_restore brings no planner statistics; without them the first queries plan blind.
    _django_query_no_result("ANALYZE")


def _django_query_no_result(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def postgres_state() -> DatabaseState:
    return _state(_django_query, _pg_tables())
