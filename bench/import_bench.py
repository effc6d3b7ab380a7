"""`python -m bench import`: import a generated CSV of people with dedupe and validation.

The CSV (default 1,000,000 rows) has Cyrillic and Latin names, emails, phones in the
mixed formats people type, 5% duplicate rows (an earlier person again, sometimes
with the email in other case or the phone typed differently) and 0.1% invalid rows.
It is imported with `klient.importexport` into a fresh SQLite database (and
PostgreSQL when KLIENT_DATABASE_URL is set), each in its own process, and the run
is set beside the same machine's limits for writing the very rows the import
produced (read back from its database), measured in the same run:

- bare: plain `executemany` into tables without keys, indexes or triggers in one
  transaction (SQLite) / `COPY` (PostgreSQL) -- bench/limits/raw_load.py;
- schema: the same rows in one transaction into empty copies of the real tables
  with their indexes and search index (FTS5 triggers on SQLite, trigram GIN on
  PostgreSQL) -- what these rows cost the database itself, whoever writes them.

Printed: rows/s, peak memory (ru_maxrss of the importing process plus that of each
parsing child, taken before the limit phases run) and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Report

RESULTS_DIR = Path(__file__).resolve().parent / "results"
HEADERS = ["Фамилия", "Имя", "Отчество", "Email", "Телефон", "Должность"]
READ_CHUNK = 20_000
PERSON_RAW_COLUMNS = (
    "id",
    "workspace_id",
    "owner_id",
    "team_id",
    "lifecycle_stage",
    "segment",
    "search_text",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "title",
    "preferred_channel",
    "preferred_language",
    "primary_email",
    "primary_phone",
    "merged_into_id",
)
EMAIL_RAW_COLUMNS = ("workspace_id", "person_id", "email", "kind", "is_primary")
PHONE_RAW_COLUMNS = ("workspace_id", "person_id", "number", "kind", "is_primary")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench import",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dedupe", default="skip", choices=("skip", "update", "overwrite"))
    parser.add_argument("--csv", help="reuse this generated file instead of writing a new one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--phase", help=argparse.SUPPRESS)  # internal: one database per process
    parser.add_argument("--home", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the file --------------------------------------------------------------------------


def _phone_typed(rnd: random.Random, language: str, serial: int) -> str:
    """A valid mobile number unique to this row (the serial is its subscriber part), typed
    the way people type it; national formats only for Russia, the workspace's region."""
    rest = f"{serial:07d}"[-7:]
    if language == "ru":
        code = rnd.choice(("916", "903", "905", "909", "915", "926", "977", "985", "999"))
        code = code[:2] + str(int(code[2]) + serial // 10_000_000) if serial >= 10**7 else code
        return rnd.choice(
            (
                f"+7 ({code}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
                f"8 {code} {rest[:3]} {rest[3:5]} {rest[5:]}",
                f"8({code}){rest}",
                f"+7{code}{rest}",
                f"+7 {code} {rest[:3]} {rest[3:]}",
            )
        )
    if language == "bg":
        code = ("87", "88", "89", "98")[serial // 10_000_000 % 4]
        return rnd.choice((f"+359 {code} {rest[:3]} {rest[3:]}", f"+359{code}{rest}"))
    block = f"74{serial // 10**7 % 10}"
    return rnd.choice((f"+44 {block}{rest[:1]} {rest[1:]}", f"+44{block}{rest}"))


def _typed_again(rnd: random.Random, phone_typed: str) -> str:
    digits = "".join(ch for ch in phone_typed if ch.isdigit() or ch == "+")
    return rnd.choice((phone_typed, digits, phone_typed.replace(" ", "-")))


def csv_generate(path: Path, *, rows: int, seed: int) -> dict[str, int]:
    """Write the CSV; keeps only a small ring of recent people to draw duplicates from."""
    from bench.datagen import DataGen

    gen = DataGen(seed=seed, organizations=1000)
    rnd = random.Random(seed + 1)
    recent: list[list[str]] = []
    counts = {"rows": 0, "duplicates": 0, "invalid": 0}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for _ in range(rows):
            roll = rnd.random()
            if roll < 0.05 and recent:
                row = list(rnd.choice(recent))
                if rnd.random() < 0.5:
                    row[3] = row[3].upper()
                else:
                    row[4] = _typed_again(rnd, row[4])
                counts["duplicates"] += 1
            else:
                person = gen.person()
                serial = counts["rows"]
                # Unique keys, so exactly the rows drawn above are duplicates.
                local, _at, domain = person.emails[0].partition("@")
                email = f"{local}.{serial:x}@{domain}"
                row = [
                    person.last_name,
                    person.first_name,
                    person.middle_name,
                    email,
                    _phone_typed(rnd, person.language, serial),
                    person.title,
                ]
                if roll > 0.999:
                    row[3 if rnd.random() < 0.5 else 4] = rnd.choice(
                        ("not-an-email@", "8 000", "user@@example.com", "+7 12")
                    )
                    counts["invalid"] += 1
                elif len(recent) < 20_000:
                    recent.append(row)
                else:
                    recent[rnd.randrange(len(recent))] = row
            writer.writerow(row)
            counts["rows"] += 1
    return counts


# --- one database, in its own process -------------------------------------------------


def _setup(home: Path, dsn: str) -> None:
    os.environ["KLIENT_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
    if dsn:
        os.environ["KLIENT_DATABASE_URL"] = dsn
    else:
        os.environ.pop("KLIENT_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fresh_postgres(dsn: str, name: str) -> str:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _sep, _db = dsn.rpartition("/")
    return f"{base}/{name}"


def _drop_postgres(dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _imported_rows(workspace_id: int) -> Any:
    """The rows the import wrote, read back in chunks (not timed)."""
    from django.db import connection

    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(PERSON_RAW_COLUMNS)} FROM contacts_person "
                "WHERE workspace_id = %s AND id > %s ORDER BY id LIMIT %s",
                [workspace_id, last, READ_CHUNK],
            )
            people = cursor.fetchall()
            if not people:
                return
            first, last = people[0][0], people[-1][0]
            cursor.execute(
                f"SELECT {', '.join(EMAIL_RAW_COLUMNS)} FROM contacts_emailaddress "
                "WHERE person_id BETWEEN %s AND %s",
                [first, last],
            )
            emails = cursor.fetchall()
            cursor.execute(
                f"SELECT {', '.join(PHONE_RAW_COLUMNS)} FROM contacts_phonenumber "
                "WHERE person_id BETWEEN %s AND %s",
                [first, last],
            )
            phones = cursor.fetchall()
        yield people, emails, phones


def _schema_limit_sqlite(template: Path, workspace_id: int) -> float:
    """Seconds to executemany the same rows into the real (empty) tables, one transaction."""
    import sqlite3

    target = template.with_name("schema-limit.sqlite3")
    shutil.copyfile(template, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=OFF")
    seconds = 0.0
    conn.execute("BEGIN")
    statements = [
        (
            f"INSERT INTO contacts_person ({', '.join(PERSON_RAW_COLUMNS)}) VALUES "
            f"({', '.join('?' * len(PERSON_RAW_COLUMNS))})"
        ),
        (
            f"INSERT INTO contacts_emailaddress ({', '.join(EMAIL_RAW_COLUMNS)}) VALUES "
            f"({', '.join('?' * len(EMAIL_RAW_COLUMNS))})"
        ),
        (
            f"INSERT INTO contacts_phonenumber ({', '.join(PHONE_RAW_COLUMNS)}) VALUES "
            f"({', '.join('?' * len(PHONE_RAW_COLUMNS))})"
        ),
    ]
    for chunk in _imported_rows(workspace_id):
        started = time.perf_counter()
        for sql, rows in zip(statements, chunk, strict=True):
            conn.executemany(sql, rows)
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("COMMIT")
    seconds += time.perf_counter() - started
    conn.close()
    target.unlink()
    return seconds


def _schema_limit_postgres(dsn: str, workspace_id: int) -> float:
    """Seconds to COPY the same rows into empty copies of the real tables (their indexes,
    the trigram search index included; no foreign keys), one transaction."""
    import psycopg

    tables = (
        ("contacts_person", PERSON_RAW_COLUMNS),
        ("contacts_emailaddress", EMAIL_RAW_COLUMNS),
        ("contacts_phonenumber", PHONE_RAW_COLUMNS),
    )
    seconds = 0.0
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench_limit CASCADE")
        conn.execute("CREATE SCHEMA bench_limit")
        for table, _columns in tables:
            conn.execute(f"CREATE TABLE bench_limit.{table} (LIKE public.{table} INCLUDING ALL)")
        conn.commit()
        for chunk in _imported_rows(workspace_id):
            started = time.perf_counter()
            for (table, columns), rows in zip(tables, chunk, strict=True):
                with (
                    conn.cursor() as cursor,
                    cursor.copy(
                        f"COPY bench_limit.{table} ({', '.join(columns)}) FROM STDIN"
                    ) as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
        conn.commit()
        seconds += time.perf_counter() - started
        conn.execute("DROP SCHEMA bench_limit CASCADE")
        conn.commit()
    return seconds


def _bare_limit(home: Path, dsn: str, workspace_id: int) -> float:
    from bench.limits.raw_load import RawLoader

    raw = RawLoader(pg_dsn=dsn or None, sqlite_path=str(home / "bare-limit.sqlite3"))
    for people, emails, phones in _imported_rows(workspace_id):
        raw.insert("contacts_person", PERSON_RAW_COLUMNS, people)
        raw.insert("contacts_emailaddress", EMAIL_RAW_COLUMNS, emails)
        raw.insert("contacts_phonenumber", PHONE_RAW_COLUMNS, phones)
    raw.finish()
    return raw.seconds


def phase(args: argparse.Namespace) -> int:
    """Child process: import into one fresh database, then measure its limits."""
    home = Path(args.home)
    dsn = os.environ.get("KLIENT_DATABASE_URL", "") if args.phase == "postgresql" else ""
    db_name = f"klient_import_bench_{os.getpid()}"
    if dsn:
        dsn_fresh = _fresh_postgres(dsn, db_name)
    _setup(home, dsn_fresh if dsn else "")
    template = home / "template.sqlite3"
    if not dsn:
        from django.db import connection

        with connection.cursor() as cursor:  # the migrated schema lives in the WAL until then
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(home / "klient.sqlite3", template)  # migrated and empty

    from klient.core.services import user_create, workspace_create
    from klient.importexport.services import import_run_cli

    workspace = workspace_create(name="Bench", slug=f"bench-{os.getpid()}")
    user = user_create(workspace=workspace, username=f"bench{os.getpid()}", role="admin")
    last = [0.0]

    def progress(state: Any) -> None:
        if time.monotonic() - last[0] > 20 or state.finished:
            last[0] = time.monotonic()
            print(f"  {args.phase}: {state.line()}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    job = import_run_cli(
        path=args.csv, kind="people", user=user, dedupe=args.dedupe, progress_callback=progress
    )
    import_seconds = time.perf_counter() - started
    # The import parses big files in child processes; RUSAGE_CHILDREN gives the largest
    # child's peak, so count it once per parser: an upper bound, as if every peak were at
    # the same moment (and forked pages shared with the parent were not shared).
    from django.conf import settings

    peak_kb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        * settings.KLIENT_IMPORT_PARSE_PROCESSES
    )
    schema_seconds = (
        _schema_limit_postgres(dsn_fresh, workspace.pk)
        if dsn
        else _schema_limit_sqlite(template, workspace.pk)
    )
    bare_seconds = _bare_limit(home, dsn_fresh if dsn else "", workspace.pk)
    result = {
        "vendor": args.phase,
        "rows": job.processed,
        "status": job.status,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "invalid": job.invalid_count,
        "import_seconds": import_seconds,
        "peak_mb": peak_kb / 1024,
        "bare_seconds": bare_seconds,
        "schema_seconds": schema_seconds,
    }
    if dsn:
        from django.db import connections

        connections.close_all()
        _drop_postgres(dsn, db_name)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def _run_phase(vendor: str, csv_path: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    home = Path(tempfile.mkdtemp(prefix=f"klient-import-bench-{vendor}-"))
    command = [
        sys.executable,
        "-m",
        "bench",
        "import",
        "--phase",
        vendor,
        "--home",
        str(home),
        "--csv",
        str(csv_path),
        "--dedupe",
        args.dedupe,
    ]
    env = dict(os.environ)
    if vendor == "sqlite":
        env.pop("KLIENT_DATABASE_URL", None)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    print(f"bench import ({vendor}) failed:\n{done.stdout[-4000:]}", file=sys.stderr)
    return None


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.phase:
        return phase(args)
    folder = Path(tempfile.mkdtemp(prefix="klient-import-bench-"))
    csv_path = Path(args.csv) if args.csv else folder / "people.csv"
    if not args.csv:
        started = time.perf_counter()
        counts = csv_generate(csv_path, rows=args.rows, seed=args.seed)
        print(
            f"generated {counts['rows']:,} rows ({counts['duplicates']:,} duplicates, "
            f"{counts['invalid']:,} invalid), {csv_path.stat().st_size / 1e6:.0f} MB in "
            f"{time.perf_counter() - started:.0f}s",
            flush=True,
        )
    vendors = args.only or ["sqlite", "postgresql"]
    if not os.environ.get("KLIENT_DATABASE_URL", "").startswith("postgres"):
        vendors = [v for v in vendors if v != "postgresql"]
    report = Report(benchmark="import", rows=args.rows, dedupe=args.dedupe)
    for vendor in vendors:
        result = _run_phase(vendor, csv_path, args)
        if result is None:
            return 1
        rows, seconds = result["rows"], result["import_seconds"]
        rate = rows / seconds
        bare_name = "bare tables, executemany 1 txn" if vendor == "sqlite" else "bare tables, COPY"
        report.figure(
            vendor,
            "import rows/s (dedupe + validation)",
            rate,
            rows / result["bare_seconds"],
            limit_name=bare_name,
            higher_is_better=True,
            goal=">= 0.25",
        )
        if result["schema_seconds"]:
            report.figure(
                vendor,
                "import rows/s vs the real tables' own speed",
                rate,
                rows / result["schema_seconds"],
                limit_name=(
                    "same tables+indexes+FTS, executemany 1 txn"
                    if vendor == "sqlite"
                    else "same tables+indexes+trigram, COPY 1 txn"
                ),
                higher_is_better=True,
                goal=">= 0.25",
            )
        report.figure(
            vendor,
            "peak memory, MB",
            result["peak_mb"],
            500,
            limit_name="budget",
            higher_is_better=False,
            goal="< 1.0",
        )
        report.extra(vendor, **result)
        report.print_section(vendor)
        print(
            f"{vendor:<7} counts: created {result['created']:,}, updated "
            f"{result['updated']:,}, skipped {result['skipped']:,}, invalid "
            f"{result['invalid']:,} of {rows:,} rows",
            flush=True,
        )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"import-{args.rows}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {"meta": report.meta, "sections": report.sections},
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    )
    print(f"results: {out}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
