"""`klient backup` and `klient restore` (docs/backup.md)."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

import klient
from klient.core.backup import database
from klient.core.backup.archive import (
    FORMAT,
    SECRET_KEY,
    ArchiveWriter,
    StagedArchive,
    archive_read,
)
from klient.core.backup.errors import BackupError

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_DUMP_NAMES = {"sqlite": "klient.sqlite3", "postgresql": "klient.pgdump"}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


@dataclass
class RestoreReport:
    vendor: str
    tables: list[tuple[str, int | None, int | None]]  # table, in the backup, restored
    migrations_missing: list[str]
    migrations_extra: list[str]
    files_expected: int
    files_restored: int
    unapplied_here: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def mismatched_tables(self) -> list[str]:
        return [table for table, expected, actual in self.tables if expected != actual]

    @property
    def ok(self) -> bool:
        return not (
            self.mismatched_tables
            or self.migrations_missing
            or self.migrations_extra
            or self.files_expected != self.files_restored
        )


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in VENDOR_NAMES:
        raise BackupError(f"backups of a {vendor} database are not supported")
    return vendor


def _files_dir() -> Path:
    return Path(settings.KLIENT_FILES_DIR)


def _secret_key_path() -> Path:
    return Path(settings.KLIENT_HOME) / "secret_key"


def _default_name(now: datetime) -> str:
    return f"klient-{now:%Y%m%d-%H%M%S}.tar.gz"


def _output_path(to: Path | None, now: datetime) -> Path:
    if to is None:
        return Path(settings.KLIENT_HOME) / "backups" / _default_name(now)
    if to.is_dir() or str(to).endswith(os.sep):
        return to / _default_name(now)
    return to


def _walk_files(root: Path) -> list[tuple[str, Path]]:
    """Regular files under root as (member name, path); symbolic links are not followed."""
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(("files/" + path.relative_to(root).as_posix(), path))
    return found


def _write_members(
    writer: ArchiveWriter, *, vendor: str, dump: Path, state: database.DatabaseState, now: datetime
) -> dict[str, Any]:
    dump_member = f"database/{dump.name}"
    writer.add_file(dump_member, dump)
    files = _walk_files(_files_dir())
    for name, path in files:
        writer.add_file(name, path)
    has_secret_key = _secret_key_path().is_file()
    if has_secret_key:
        writer.add_file(SECRET_KEY, _secret_key_path())
    manifest = {
        "format": FORMAT,
        "klient_version": klient.__version__,
        "created_at": now.isoformat(),
        "database": {"vendor": vendor, "member": dump_member, **state.details},
        "migrations": state.migrations,
        "tables": state.tables,
        "files": {
            "count": len(files),
            "bytes": sum(writer.members[name]["size"] for name, _ in files),
        },
        "secret_key": has_secret_key,
        "members": writer.members,
    }
    writer.add_manifest(manifest, mtime=now.timestamp())
    return manifest


def backup_create(*, to: Path | None = None) -> BackupResult:
    """Write one archive: the database, the files folder, the secret key, a manifest."""
    vendor = _vendor()
    now = datetime.now(UTC)
    out = _output_path(to, now).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".klient-backup-") as work:
        dump = Path(work) / _DUMP_NAMES[vendor]
        if vendor == "sqlite":
            state = database.sqlite_backup(target=dump)
        else:
            state = database.postgres_dump(target=dump)
        # The archive holds personal data and the secret key: readable by its owner only.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                with tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as tar:
                    manifest = _write_members(
                        ArchiveWriter(tar), vendor=vendor, dump=dump, state=state, now=now
                    )
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=out, size=out.stat().st_size, manifest=manifest)


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    # A squashed migration is recorded with the ones it replaces, which may be gone.
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return {f"{app}.{name}" for app, name in known}


def _installed_apps() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs()}


def _move(source: Path, target: Path) -> None:
    """Rename, or copy then rename when the two are on different file systems."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        local = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        if source.is_dir():
            shutil.copytree(source, local, symlinks=False)
        else:
            shutil.copy2(source, local)
        os.replace(local, target)


def _restore_files(staged: StagedArchive) -> None:
    """Swap the files folder's contents (not the folder: it may be a mount point)."""
    target = _files_dir()
    target.mkdir(parents=True, exist_ok=True)
    new = staged.path("files")
    new.mkdir(exist_ok=True)  # a backup without files restores an empty folder
    old = target / f".klient-replaced-{secrets.token_hex(4)}"
    old.mkdir()
    for child in list(target.iterdir()):
        if child != old:
            os.replace(child, old / child.name)
    for child in list(new.iterdir()):
        _move(child, target / child.name)
    shutil.rmtree(old, ignore_errors=True)


def _restore_secret_key(staged: StagedArchive) -> None:
    target = _secret_key_path()
    local = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(staged.path(SECRET_KEY).read_bytes())
    os.replace(local, target)


def _check_target(*, vendor: str, force: bool) -> None:
    if vendor == "postgresql":
        others = database.postgres_other_sessions()
        if others:
            raise BackupError(
                f"{len(others)} other session(s) use this database ({', '.join(sorted(others))}):"
                " stop `klient serve` and `klient worker` first"
            )
    if force:
        return
    holds_data = (
        database.sqlite_target_holds_data()
        if vendor == "sqlite"
        else database.postgres_target_holds_data()
    )
    if holds_data:
        raise BackupError(
            "the target database already holds data; restoring replaces all of it: "
            "run again with --force to do so"
        )
    files = _files_dir()
    if files.is_dir() and any(files.iterdir()):
        raise BackupError(
            f"the files folder {files} is not empty; restoring replaces it: "
            "run again with --force to do so"
        )


def backup_restore(*, archive: Path, force: bool = False) -> RestoreReport:
    """Check the archive, restore the database, the files and the secret key, then verify
    the migrations and the rows per table against the manifest."""
    vendor = _vendor()
    home = Path(settings.KLIENT_HOME)
    staging = Path(tempfile.mkdtemp(dir=home, prefix=".klient-restore-"))
    try:
        staged = archive_read(archive, staging)
        manifest = staged.manifest
        source_vendor = manifest["database"]["vendor"]
        if source_vendor != vendor:
            how = (
                "unset KLIENT_DATABASE_URL to restore it into SQLite"
                if source_vendor == "sqlite"
                else "set KLIENT_DATABASE_URL to a PostgreSQL database to restore it there"
            )
            raise BackupError(
                f"this is a {VENDOR_NAMES.get(source_vendor, source_vendor)} backup and the "
                f"configured database is {VENDOR_NAMES[vendor]}; a backup restores only into "
                f"the kind of database it was made from: {how}"
            )
        known = _known_migrations()
        # Rows of an app no longer installed are history, not a sign of a newer version.
        installed = _installed_apps()
        unknown = sorted(
            name
            for name in set(manifest["migrations"]) - known
            if name.partition(".")[0] in installed
        )
        if unknown:
            raise BackupError(
                f"the backup was made by a newer Klient ({manifest['klient_version']}; "
                f"migrations unknown here: {', '.join(unknown[:5])}): upgrade Klient first"
            )
        _check_target(vendor=vendor, force=force)

        if vendor == "sqlite":
            database.sqlite_restore(staged=staged.path(staged.database_member))
        else:
            made_by = str(manifest["database"].get("pg_dump_version", "0"))
            dump_major = int(made_by.split(".")[0]) if made_by.split(".")[0].isdigit() else 0
            database.postgres_restore(
                staged=staged.path(staged.database_member), dump_major=dump_major
            )
        _restore_files(staged)
        notes = []
        if manifest.get("secret_key"):
            _restore_secret_key(staged)
            if os.environ.get("KLIENT_SECRET_KEY"):
                notes.append(
                    "KLIENT_SECRET_KEY is set: the restored secret_key file is used only without it"
                )
        return _verify(vendor=vendor, manifest=manifest, known=known, notes=notes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _verify(
    *, vendor: str, manifest: dict[str, Any], known: set[str], notes: list[str]
) -> RestoreReport:
    state = database.sqlite_state() if vendor == "sqlite" else database.postgres_state()
    expected: dict[str, int] = manifest["tables"]
    tables = [
        (table, expected.get(table), state.tables.get(table))
        for table in sorted(set(expected) | set(state.tables))
    ]
    files_dir = _files_dir()
    restored_files = sum(1 for path in files_dir.rglob("*") if path.is_file())
    return RestoreReport(
        vendor=vendor,
        tables=tables,
        migrations_missing=sorted(set(manifest["migrations"]) - set(state.migrations)),
        migrations_extra=sorted(set(state.migrations) - set(manifest["migrations"])),
        files_expected=int(manifest["files"]["count"]),
        files_restored=restored_files,
        unapplied_here=sorted(known - set(state.migrations)),
        notes=notes,
    )
