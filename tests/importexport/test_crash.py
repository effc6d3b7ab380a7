"""Crash consistency: an import killed with SIGKILL at several points, then resumed, loses
nothing, duplicates nothing and leaves an intact database. Real processes, real SQLite."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROWS = 6000
BATCH = 100


def _env(home: Path, *, parse_process: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    env.update(
        KLIENT_HOME=str(home),
        DJANGO_SETTINGS_MODULE="klient.settings",
        KLIENT_IMPORT_BATCH_ROWS=str(BATCH),
        # Big imports parse in a second process: this file is small, so say when.
        KLIENT_IMPORT_PARSE_PROCESS_ROWS="1" if parse_process else str(10 * ROWS),
    )
    return env


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from Linux /proc; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _children_of(pid: int) -> list[int]:
    """The live children of `pid`; waits (up to 60 s) until it has one."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and (_stat(int(entry.name)) or ("", 0))[1] == pid
        ]
        if found:
            return [child for child in found if _alive(child)]
        time.sleep(0.01)
    return []


def _python(home: Path, script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _expected() -> tuple[int, int, int]:
    """(created, skipped, invalid) by construction of the file."""
    created = sum(1 for i in range(ROWS) if i % 50 != 49 and i % 200 != 100)
    skipped = sum(1 for i in range(ROWS) if i % 50 == 49)
    invalid = sum(1 for i in range(ROWS) if i % 200 == 100)
    return created, skipped, invalid


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("crash")
    done = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = ["Фамилия,Имя,Email,Телефон"]
    for i in range(ROWS):
        source = i - 10 if i % 50 == 49 else i  # every 50th row repeats an earlier person
        email = f"user{source}@example.com" if i % 200 != 100 else "broken@"
        if source != i:
            email = email.upper()
        lines.append(f"Иванов{source},Иван,{email},+7 916 {source:07d}")
    (home / "people.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return home


def _fresh_db(home: Path, name: str) -> Path:
    """A copy of the migrated database, one per test, with a workspace and an admin."""
    case = home / name
    case.mkdir()
    source = sqlite3.connect(home / "klient.sqlite3")
    target = sqlite3.connect(case / "klient.sqlite3")
    source.backup(target)
    source.close()
    target.close()
    (case / "people.csv").write_bytes((home / "people.csv").read_bytes())
    (case / "secret_key").write_text("test-secret-key-for-crash-tests")
    _python(
        case,
        "from klient.core.services import workspace_create, user_create\n"
        "ws = workspace_create(name='W')\n"
        "user_create(workspace=ws, username='boss', role='admin')\n",
    )
    return case


def _read(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _kill_when(process: subprocess.Popen, db: Path, processed_at_least: int) -> int:
    """SIGKILL the process once the import's committed checkpoint passes a row count."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the import ended before it could be killed")
        try:
            rows = _read(db, "SELECT processed FROM importexport_importjob")
        except sqlite3.OperationalError:
            rows = []
        if rows and rows[0][0] >= processed_at_least:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return rows[0][0]
        time.sleep(0.005)
    process.kill()
    raise AssertionError("the import never reached the kill point")


def _assert_consistent(db: Path) -> None:
    created, skipped, invalid = _expected()
    job = _read(
        db,
        "SELECT status, processed, created_count, updated_count, skipped_count, "
        "invalid_count, total FROM importexport_importjob",
    )[0]
    assert job == ("done", ROWS, created, 0, skipped, invalid, ROWS)
    assert _read(db, "SELECT count(*) FROM contacts_person") == [(created,)]
    # No person twice: emails and phones unique across the workspace.
    assert _read(db, "SELECT count(*), count(DISTINCT email) FROM contacts_emailaddress") == [
        (created, created)
    ]
    assert _read(db, "SELECT count(*), count(DISTINCT number) FROM contacts_phonenumber") == [
        (created, created)
    ]
    # Every source row was handled exactly once, and the batch records agree with the
    # counters: their row ranges tile rows 2..ROWS+1 without a gap or an overlap.
    batches = _read(
        db, "SELECT first_row, last_row, outcomes FROM importexport_importbatch ORDER BY first_row"
    )
    assert [first for first, _last, _o in batches] == [2] + [
        last + 1 for _first, last, _o in batches[:-1]
    ]
    assert batches[-1][1] == ROWS + 1
    outcomes = "".join(text for _first, _last, text in batches)
    assert len(outcomes) == ROWS
    assert Counter(outcomes) == {"c": created, "s": skipped, "i": invalid}
    assert _read(db, "SELECT count(*) FROM importexport_importrowerror") == [(invalid,)]
    assert _read(db, "PRAGMA integrity_check") == [("ok",)]
    assert _read(db, "PRAGMA foreign_key_check") == []
    conn = sqlite3.connect(db)
    try:  # raises if the search index disagrees with its table
        conn.execute(
            "INSERT INTO contacts_person_fts(contacts_person_fts) VALUES('integrity-check')"
        )
        found = conn.execute(
            "SELECT count(*) FROM contacts_person_fts WHERE contacts_person_fts "
            "MATCH '\"user4321@example.com\"'"
        ).fetchone()
    finally:
        conn.close()
    assert found == (1,)


def _import_command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "django", "import_file", *extra]


@pytest.mark.parametrize("parse_process", [False, True], ids=["parse-thread", "parse-process"])
def test_import_killed_three_times_and_resumed_loses_and_duplicates_nothing(home, parse_process):
    case = _fresh_db(home, f"cli-{parse_process}")
    db = case / "klient.sqlite3"
    env = _env(case, parse_process=parse_process)
    first = subprocess.Popen(
        _import_command(str(case / "people.csv"), "--user", "boss", "--kind", "people"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    parsers = _children_of(first.pid) if parse_process else []
    killed_at = [_kill_when(first, db, 800)]
    import_id = _read(db, "SELECT id FROM importexport_importjob")[0][0]
    for point in (2500, 4200):
        again = subprocess.Popen(
            _import_command("--resume", str(import_id)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        killed_at.append(_kill_when(again, db, point))
    status = _read(db, "SELECT status FROM importexport_importjob")
    assert status == [("running",)]  # every kill landed mid-import
    assert killed_at == sorted(killed_at) and killed_at[-1] < ROWS

    final = subprocess.run(
        _import_command("--resume", str(import_id)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert final.returncode == 0, final.stderr
    _assert_consistent(db)
    if parse_process:
        # The parser process of a killed import notices its parent is gone and exits.
        assert parsers, "the import parsed in its own process"
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in parsers):
            assert time.monotonic() < deadline, "a parser process outlived its import"
            time.sleep(0.05)


def test_worker_killed_mid_import_is_redispatched_by_the_outbox_sweep(home):
    """The import runs as a durable job in a worker that dies; the sweep's run finishes it."""
    case = _fresh_db(home, "outbox")
    db = case / "klient.sqlite3"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            """
import django; django.setup()
from huey.contrib.djhuey import HUEY
HUEY.immediate = True  # this process is the worker: the job runs right after commit
from klient.core.models import User
from klient.importexport.services import import_start, import_upload
user = User.objects.get(username="boss")
with open("people.csv", "rb") as handle:
    job = import_upload(actor=user, file_name="people.csv", content=[handle.read()],
                        kind="people")
import_start(actor=user, job=job)
""",
        ],
        cwd=case,
        env=_env(case),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _kill_when(worker, db, 1500)
    assert _read(db, "SELECT status, attempts FROM core_outboxjob") == [("pending", 1)]

    swept = _python(
        case,
        """
from huey.contrib.djhuey import HUEY
HUEY.immediate = True
from klient.core.jobs import outbox_sweep
print(outbox_sweep(older_than_seconds=0))
""",
    )
    assert swept.strip() == "1"
    assert _read(db, "SELECT status, attempts, last_error FROM core_outboxjob") == [("done", 2, "")]
    _assert_consistent(db)
    # A later sweep finds nothing to do.
    assert (
        _python(
            case,
            "from klient.core.jobs import outbox_sweep\nprint(outbox_sweep(older_than_seconds=0))",
        ).strip()
        == "0"
    )


def test_klient_import_command_end_to_end(home):
    """`klient import FILE --kind people` as a user runs it, into a workspace with an admin."""
    case = _fresh_db(home, "klient-cli")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "klient.cli",
            "import",
            "people.csv",
            "--kind",
            "people",
            "--dedupe",
            "update",
        ],
        cwd=case,
        env=_env(case),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    created, skipped, invalid = _expected()
    assert done.stdout.splitlines()[-2].endswith(
        f"done; rows {ROWS}, created {created}, updated 0, skipped {skipped}, invalid {invalid}"
    )
    _assert_consistent(db=case / "klient.sqlite3")
