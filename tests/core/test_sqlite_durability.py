"""SQLite is configured for durability and for concurrent writers that wait their turn."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("KLIENT_DATABASE_URL")), reason="SQLite-specific settings"
)


@sqlite_only
@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_full_sync():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


WRITER = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.db import connection
from klient.core.models import User
from klient.contacts.services import person_create
actor = User.objects.get(username="admin")
for index in range(40):
    person_create(actor=actor, last_name=f"W{sys.argv[1]}-{index}", phones=["+79161234567"])
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""

SETUP = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from klient.core.services import workspace_create, user_create
user_create(workspace=workspace_create(name="W"), username="admin", role="admin")
"""


@sqlite_only
@pytest.mark.slow
def test_concurrent_writers_wait_instead_of_failing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    env["KLIENT_HOME"] = str(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=120)

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    results = [writer.communicate(timeout=180) for writer in writers]

    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "wal"
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
            "print(c.execute('select count(*) from contacts_person').fetchone()[0],"
            "c.execute('pragma integrity_check').fetchone()[0])",
            str(tmp_path / "klient.sqlite3"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert count == ["160", "ok"]
