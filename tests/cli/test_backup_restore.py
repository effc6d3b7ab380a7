"""The backup drill: `klient backup` on one installation, `klient restore` into a fresh one,
then every table's rows, the files and the secret key compared. Run as an operator runs it
(subprocesses with their own KLIENT_HOME), on the database the suite runs on: SQLite, or a
fresh database on the suite's PostgreSQL server (KLIENT_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

pytestmark = pytest.mark.slow

SUITE_URL = os.environ.get("KLIENT_DATABASE_URL", "")
ON_POSTGRES = SUITE_URL.startswith(("postgres://", "postgresql://"))

LOAD_DATA = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from klient.core.demo_data import demo_load
demo_load(organizations=6, people=40, interactions=120, admin_password="drill-Passw0rd-1")
"""

# Read independently of the code under test: every table Django sees, and the migrations.
SNAPSHOT = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.db import connection
counts = {}
with connection.cursor() as cursor:
    for table in connection.introspection.table_names():
        cursor.execute("SELECT COUNT(*) FROM " + connection.ops.quote_name(table))
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
print(json.dumps({"tables": counts, "migrations": migrations}))
"""

SIGN = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.core import signing
print(signing.dumps({"link": 42}))
"""

UNSIGN = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.core import signing
print(signing.loads(sys.stdin.read().strip())["link"])
"""

ADD_WORKSPACE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from klient.core.services import workspace_create
workspace_create(name="Made after the backup", slug="after")
"""

# Writes until told to stop: a workspace and its team per transaction.
KEEP_WRITING = """
import django, os, sys
from pathlib import Path
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.db import transaction
from klient.core.services import team_create, workspace_create
started, stop = Path(sys.argv[1]), Path(sys.argv[2])
number = 0
while not stop.exists():
    number += 1
    with transaction.atomic():
        workspace = workspace_create(name=f"Busy {number}", slug=f"busy-{number}")
        team_create(workspace=workspace, name="Team")
    started.touch()
"""


def _admin_url(database: str) -> str:
    return urlunparse(urlparse(SUITE_URL)._replace(path="/" + database))


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@dataclass
class Installation:
    """One Klient installation: a KLIENT_HOME and, on PostgreSQL, its own database."""

    home: Path
    database_url: str | None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
        env["KLIENT_HOME"] = str(self.home)
        if self.database_url:
            env["KLIENT_DATABASE_URL"] = self.database_url
        return env

    @property
    def files(self) -> Path:
        return self.home / "files"

    def klient(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.python("-m", "klient.cli", *args)

    def python(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def run_ok(self, *args: str, stdin: str = "") -> str:
        result = self.python(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def snapshot(self) -> dict[str, object]:
        return json.loads(self.run_ok("-c", SNAPSHOT))


class Installations:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.databases: list[str] = []

    def new(self, name: str) -> Installation:
        home = self.root / f"{name}-{secrets.token_hex(3)}"
        home.mkdir(parents=True)
        if not ON_POSTGRES:
            return Installation(home=home, database_url=None)
        base = urlparse(SUITE_URL).path.lstrip("/") or "klient"
        database = f"{base}_drill_{name}_{secrets.token_hex(3)}"[:63]
        _postgres(f'CREATE DATABASE "{database}"')
        self.databases.append(database)
        return Installation(home=home, database_url=_admin_url(database))

    def drop_all(self) -> None:
        for database in self.databases:
            _postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def installations(tmp_path_factory):
    made = Installations(tmp_path_factory.mktemp("backup-drill"))
    yield made
    made.drop_all()


@pytest.fixture(scope="module")
def source(installations):
    """A populated installation (demo data, an attachment) and its backup."""
    site = installations.new("source")
    assert site.klient("migrate").returncode == 0
    site.run_ok("-c", LOAD_DATA)
    (site.files / "attachments" / "2026").mkdir(parents=True)
    (site.files / "attachments" / "2026" / "contract.pdf").write_bytes(
        b"%PDF-1.4 " + bytes(range(256)) * 40
    )
    (site.files / "quote.txt").write_text("Коммерческое предложение\n", encoding="utf-8")
    archive = site.home.parent / f"{site.home.name}.tar.gz"
    result = site.klient("backup", "--to", str(archive))
    assert result.returncode == 0, result.stderr
    assert f"backup written: {archive}" in result.stdout
    return site, archive


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member's bytes."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(info.name, tar.extractfile(info).read()) for info in tar]
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _relative_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_drill_restores_every_row_the_files_and_the_secret_key(installations, source):
    site, archive = source
    signed = site.run_ok("-c", SIGN).strip()
    expected = site.snapshot()
    target = installations.new("fresh")

    restored = target.klient("restore", str(archive))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restore verified:" in restored.stdout
    assert "MISMATCH" not in restored.stdout
    after = target.snapshot()
    assert after == expected
    assert after["tables"]["contacts_person"] == 40
    assert after["tables"]["contacts_organization"] == 6
    assert after["tables"]["activities_interaction"] >= 120
    assert _relative_files(target.files) == _relative_files(site.files)
    assert {"attachments/2026/contract.pdf", "quote.txt"} <= set(_relative_files(target.files))
    # Links and sessions signed before the backup still open after the restore.
    assert target.run_ok("-c", UNSIGN, stdin=signed).strip() == "42"


def test_the_manifest_lists_the_counts_the_migrations_and_a_hash_of_every_member(source):
    site, archive = source
    expected = site.snapshot()

    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())

    vendor = "postgresql" if ON_POSTGRES else "sqlite"
    dump = "database/klient.pgdump" if ON_POSTGRES else "database/klient.sqlite3"
    assert manifest["database"]["vendor"] == vendor
    assert manifest["migrations"] == expected["migrations"]
    assert manifest["tables"]["contacts_person"] == 40
    assert manifest["tables"]["core_user"] == expected["tables"]["core_user"]
    files = _relative_files(site.files)
    assert sorted(manifest["members"]) == sorted(
        [dump, "secret_key", *(f"files/{name}" for name in files)]
    )
    assert manifest["members"]["files/quote.txt"] == {
        "size": len(files["quote.txt"]),
        "sha256": hashlib.sha256(files["quote.txt"]).hexdigest(),
    }
    assert sorted(names) == sorted([*manifest["members"], "manifest.json"])
    assert manifest["files"]["count"] == len(files)
    assert archive.stat().st_mode & 0o777 == 0o600


def test_a_damaged_archive_is_refused_and_changes_nothing(installations, source, tmp_path):
    _site, archive = source
    damaged = _rewrite(
        archive,
        tmp_path / "damaged.tar.gz",
        lambda name, data: data.replace(b"%PDF", b"%PDX") if name.endswith(".pdf") else data,
    )
    target = installations.new("damaged")
    assert target.klient("migrate").returncode == 0
    before = target.snapshot()

    result = target.klient("restore", str(damaged))

    assert result.returncode == 1
    assert "files/attachments/2026/contract.pdf: sha256 does not match" in result.stderr
    assert "nothing was restored" in result.stderr
    assert target.snapshot() == before
    assert not target.files.exists()


def test_restore_over_data_is_refused_without_force_and_replaces_it_with_force(
    installations, source
):
    site, archive = source
    expected = site.snapshot()
    target = installations.new("existing")
    assert target.klient("restore", str(archive)).returncode == 0
    target.run_ok("-c", ADD_WORKSPACE)
    (target.files / "made-after-the-backup.txt").write_text("keep me?")
    changed = target.snapshot()

    refused = target.klient("restore", str(archive))

    assert refused.returncode == 1
    assert "already holds data" in refused.stderr
    assert "--force" in refused.stderr
    assert target.snapshot() == changed
    assert (target.files / "made-after-the-backup.txt").exists()

    forced = target.klient("restore", "--force", str(archive))

    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert target.snapshot() == expected
    assert _relative_files(target.files) == _relative_files(site.files)


def test_a_backup_of_the_other_database_kind_is_refused(installations, source, tmp_path):
    _site, archive = source
    other = "sqlite" if ON_POSTGRES else "postgresql"

    def swap_vendor(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["vendor"] = other
        return json.dumps(manifest).encode()

    foreign = _rewrite(archive, tmp_path / "foreign.tar.gz", swap_vendor)
    target = installations.new("foreign")

    result = target.klient("restore", str(foreign))

    assert result.returncode == 1
    if ON_POSTGRES:
        assert "this is a SQLite backup and the configured database is PostgreSQL" in (
            result.stderr
        )
    else:
        assert "this is a PostgreSQL backup and the configured database is SQLite" in (
            result.stderr
        )
    assert not target.files.exists()


def test_an_archive_with_a_path_outside_the_installation_is_refused(installations, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    with tarfile.open(crafted, "w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("files/../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    target = installations.new("crafted")

    result = target.klient("restore", str(crafted))

    assert result.returncode == 1
    assert "not a Klient backup: unexpected member 'files/../../escaped.txt'" in result.stderr
    assert not (target.home.parent / "escaped.txt").exists()
    assert not (target.home / "escaped.txt").exists()


def test_a_backup_taken_while_another_process_writes_is_consistent(installations, tmp_path):
    site = installations.new("busy")
    assert site.klient("migrate").returncode == 0
    started, stop = tmp_path / "started", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", KEEP_WRITING, str(started), str(stop)],
        env=site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(1200):
            if started.exists() or writer.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), writer.stderr.read() if writer.stderr else ""

        backup = site.klient("backup", "--to", str(tmp_path / "busy.tar.gz"))
    finally:
        stop.touch()
        writer.wait(timeout=120)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert backup.returncode == 0, backup.stderr
    written = site.snapshot()["tables"]
    target = installations.new("busy-restored")

    restored = target.klient("restore", str(tmp_path / "busy.tar.gz"))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    tables = target.snapshot()["tables"]
    # Whole transactions only: every workspace came with its team.
    assert tables["core_workspace"] == tables["core_team"]
    assert 1 <= tables["core_workspace"] <= written["core_workspace"]
