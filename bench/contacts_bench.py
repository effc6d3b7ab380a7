"""`python -m bench contacts`: load, search and client-360 on generated clients.

A fresh database (SQLite under a temporary KLIENT_HOME, or PostgreSQL when
KLIENT_DATABASE_URL is set) receives N people, N/10 organizations and 3N
interactions. Each figure is printed beside this machine's limit for the same
work on the same rows, measured in the same run, and the ratio: absolute times
drift on shared machines, ratios don't. Results also go to bench/results/*.json.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Report, percentile

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CHUNK = 10_000


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench contacts", description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fragments", type=int, default=200, help="search queries to time")
    parser.add_argument(
        "--api-seconds",
        type=float,
        default=15.0,
        help="load time per server, split over 3 alternating rounds",
    )
    parser.add_argument("--api-connections", type=int, default=4)
    parser.add_argument(
        "--only",
        choices=("load", "search", "api"),
        action="append",
        help="run only these phases after the load (repeatable)",
    )
    parser.add_argument("--home", help="KLIENT_HOME to use (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --home: measure the database a previous run left there (skips the load)",
    )
    parser.add_argument(
        "--reset-postgres",
        action="store_true",
        help="drop every table in the KLIENT_DATABASE_URL database first",
    )
    return parser.parse_args(argv)


def _environment(args: argparse.Namespace) -> dict[str, Any]:
    """Point Django at a fresh database before it is imported."""
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="klient-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["KLIENT_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klient.settings")
    dsn = os.environ.get("KLIENT_DATABASE_URL") or ""
    vendor = "postgresql" if dsn.startswith("postgres") else "sqlite"
    if vendor == "sqlite" and not args.reuse:
        database = home / "klient.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
    return {
        "home": home,
        "vendor": vendor,
        "dsn": dsn,
        "sqlite_path": str(home / "klient.sqlite3"),
        "temporary": not args.home,
    }


def _postgres_fresh(dsn: str, *, reset: bool) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        count = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        if count and count[0] and not reset:
            sys.exit(
                "bench: the PostgreSQL database is not empty; pass --reset-postgres to "
                "drop its tables (everything in schema public) or use a new database."
            )
        if count and count[0]:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")


def _fixtures(ctx: dict[str, Any]) -> None:
    """A workspace, an admin with a token, and owners spread over three teams."""
    from klient.core.services import team_create, token_create, user_create, workspace_create

    workspace = workspace_create(name="Bench", slug="bench")
    teams = [team_create(workspace=workspace, name=f"Team {n}") for n in range(1, 4)]
    admin = user_create(workspace=workspace, username="bench-admin", role="admin")
    owners = [(admin.pk, None)]
    for n in range(12):
        team = teams[n % 3]
        user = user_create(workspace=workspace, username=f"agent{n}", role="agent", teams=[team])
        owners.append((user.pk, team.pk))
    ctx.update(
        workspace_id=workspace.pk,
        admin=admin,
        owners=owners,
        token=token_create(user=admin, name="bench"),
    )


def _fixtures_reuse(ctx: dict[str, Any]) -> None:
    from klient.core.models import User
    from klient.core.services import token_create

    admin = User.objects.get(username="bench-admin")
    ctx.update(
        workspace_id=admin.workspace_id, admin=admin, token=token_create(user=admin, name="bench")
    )


def _person_rows(
    people: list[Any], org_ids: list[int], rnd: random.Random, owners: list[tuple[int, int | None]]
) -> list[Any]:
    from klient.contacts.bulk import PersonRow

    rows = []
    for person in people:
        owner_id, team_id = owners[rnd.randrange(len(owners))]
        rows.append(
            PersonRow(
                first_name=person.first_name,
                last_name=person.last_name,
                middle_name=person.middle_name,
                emails=person.emails,
                phones=person.phones,
                organizations=[(org_ids[index], role) for index, role in person.organizations],
                owner_id=owner_id,
                team_id=team_id,
                title=person.title,
                lifecycle_stage=person.lifecycle_stage,
                segment=person.segment,
                preferred_channel=person.preferred_channel,
                preferred_language=person.language,
                created_at=person.created_at,
            )
        )
    return rows


INTERACTION_COLUMNS = (
    "workspace_id",
    "kind",
    "direction",
    "channel",
    "occurred_at",
    "duration_seconds",
    "author_id",
    "team_id",
    "subject",
    "body",
    "person_id",
    "organization_id",
    "created_at",
)


def phase_load(args: argparse.Namespace, ctx: dict[str, Any], report: Report) -> None:
    from django.db import connection, transaction

    from bench.datagen import DataGen
    from bench.limits.raw_load import RawLoader
    from klient.contacts.bulk import (
        OrganizationRow,
        TableRows,
        db_datetime,
        organizations_bulk_insert,
        organizations_rows_build,
        people_bulk_insert,
        people_rows_build,
        rows_insert,
    )

    people_total = args.people
    orgs_total = max(1, people_total // 10)
    gen = DataGen(seed=args.seed, organizations=orgs_total)
    rnd = random.Random(args.seed + 1)
    workspace_id, owners = ctx["workspace_id"], ctx["owners"]
    raw = RawLoader(pg_dsn=ctx["dsn"] or None, sqlite_path=str(ctx["home"] / "raw-limit.sqlite3"))
    ours_seconds, ours_rows, generate_seconds = 0.0, 0, 0.0
    per_table: dict[str, int] = {}

    def account(batches: list[TableRows]) -> None:
        """Count rows we wrote and write the very same tuples the bare way (its own clock)."""
        nonlocal ours_rows
        for batch in batches:
            ours_rows += len(batch.rows)
            per_table[batch.table] = per_table.get(batch.table, 0) + len(batch.rows)
            raw.insert(batch.table, batch.columns, batch.rows)

    started = time.perf_counter()
    gen_orgs = [gen.organization(index) for index in range(orgs_total)]
    generate_seconds += time.perf_counter() - started
    org_ids: list[int] = []
    for start in range(0, orgs_total, CHUNK):
        chunk = [
            OrganizationRow(
                name=o.name,
                legal_name=o.legal_name,
                tax_id=o.tax_id,
                website=o.website,
                industry=o.industry,
                email=o.email,
                phone=o.phone,
                created_at=o.created_at,
                owner_id=owners[i % len(owners)][0],
                team_id=owners[i % len(owners)][1],
            )
            for i, o in enumerate(gen_orgs[start : start + CHUNK], start)
        ]
        started = time.perf_counter()
        ids = organizations_bulk_insert(workspace_id=workspace_id, organizations=chunk)
        ours_seconds += time.perf_counter() - started
        org_ids.extend(ids)
        account([organizations_rows_build(workspace_id=workspace_id, organizations=chunk, ids=ids)])

    done = 0
    last_print = time.perf_counter()
    while done < people_total:
        size = min(CHUNK, people_total - done)
        started = time.perf_counter()
        gen_people = list(gen.people(size, gen_orgs))
        rows = _person_rows(gen_people, org_ids, rnd, owners)
        pending = []
        for _ in range(3 * size):  # 3 interactions a person on average, unevenly spread
            who = rnd.randrange(size)
            author_id, team_id = owners[rnd.randrange(len(owners))]
            pending.append(
                (who, author_id, team_id, gen.interaction(language=gen_people[who].language))
            )
        generate_seconds += time.perf_counter() - started

        started = time.perf_counter()
        ids = people_bulk_insert(workspace_id=workspace_id, people=rows)
        ours_seconds += time.perf_counter() - started
        people_batches = people_rows_build(workspace_id=workspace_id, people=rows, ids=ids)

        started = time.perf_counter()
        created = db_datetime(_now())
        interactions = interaction_rows(workspace_id, ids, rows, pending, created)
        with transaction.atomic():
            rows_insert(interactions)
        ours_seconds += time.perf_counter() - started
        account([*people_batches, interactions])
        done += size
        if time.perf_counter() - last_print > 30:
            last_print = time.perf_counter()
            print(
                f"  load: {done:,}/{people_total:,} people, ours {ours_rows / ours_seconds:,.0f} "
                f"rows/s, raw {raw.rows_per_second:,.0f} rows/s",
                flush=True,
            )
    raw.finish()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM also merges the GIN pending list, which the first searches
        # after a bulk load would otherwise scan (hundreds of ms, landing on one side).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    analyze_seconds = time.perf_counter() - started
    sample = _bulk_create_sample(gen, org_ids, rnd, owners, workspace_id)
    report.figure(
        "load",
        "rows/s",
        ours_rows / ours_seconds,
        raw.rows_per_second,
        limit_name="raw executemany, 1 txn" if ctx["vendor"] == "sqlite" else "raw COPY",
        higher_is_better=True,
    )
    report.figure(
        "load",
        "Django bulk_create rows/s (20k people, reference)",
        sample,
        raw.rows_per_second,
        limit_name="raw",
        higher_is_better=True,
    )
    report.extra(
        "load",
        rows=ours_rows,
        per_table=per_table,
        ours_seconds=ours_seconds,
        raw_seconds=raw.seconds,
        generate_seconds=generate_seconds,
        analyze_seconds=analyze_seconds,
    )


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _bulk_create_sample(
    gen: Any,
    org_ids: list[int],
    rnd: random.Random,
    owners: list[tuple[int, int | None]],
    workspace_id: int,
) -> float:
    """Django bulk_create of 20k people (names and search text computed the same way),
    rolled back so the data set stays as generated."""
    from django.db import transaction

    from klient.contacts.models import Person
    from klient.contacts.normalize import full_name_join, search_text_build

    rows = _person_rows(list(gen.people(20_000)), org_ids, rnd, owners)
    started = time.perf_counter()
    with transaction.atomic():
        objects = []
        for row in rows:
            full_name = full_name_join(
                first_name=row.first_name, last_name=row.last_name, middle_name=row.middle_name
            )
            objects.append(
                Person(
                    workspace_id=workspace_id,
                    owner_id=row.owner_id,
                    team_id=row.team_id,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    middle_name=row.middle_name,
                    full_name=full_name,
                    title=row.title,
                    lifecycle_stage=row.lifecycle_stage,
                    segment=row.segment,
                    preferred_channel=row.preferred_channel,
                    preferred_language=row.preferred_language,
                    primary_email=row.emails[0] if row.emails else "",
                    primary_phone=row.phones[0] if row.phones else "",
                    search_text=search_text_build(
                        names=[full_name], emails=list(row.emails), phones=list(row.phones)
                    ),
                )
            )
        Person.objects.bulk_create(objects)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return len(rows) / elapsed


def main(argv: list[str]) -> int:
    args = _parse(argv)
    ctx = _environment(args)
    phases = set(args.only or ("load", "search", "api"))
    if args.reuse and not args.home and ctx["vendor"] == "sqlite":
        sys.exit("bench: --reuse needs --home (the folder of a kept run)")
    if ctx["vendor"] == "postgresql" and not args.reuse:
        _postgres_fresh(ctx["dsn"], reset=args.reset_postgres)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(
        f"bench contacts: {args.people:,} people on {ctx['vendor']} "
        f"({'KLIENT_HOME=' + str(ctx['home']) if ctx['vendor'] == 'sqlite' else ctx['dsn']})",
        flush=True,
    )
    report = Report(vendor=ctx["vendor"], people=args.people)
    if args.reuse:
        _fixtures_reuse(ctx)
    else:
        call_command("migrate", verbosity=0)
        _fixtures(ctx)
    try:
        if not args.reuse:
            started = time.perf_counter()
            phase_load(args, ctx, report)  # the other phases need the data
            print(f"  load done in {time.perf_counter() - started:,.0f} s", flush=True)
            report.print_section("load")
        connection.close()
        if "search" in phases:
            from bench.search_bench import phase_search

            phase_search(args, ctx, report)
            report.print_section("search")
        if "api" in phases:
            from bench.api_bench import phase_api

            phase_api(args, ctx, report)
            report.print_section("api")
    finally:
        path = report.write(RESULTS_DIR)
        print(f"results: {path}")
        if ctx["temporary"] and not args.keep:
            shutil.rmtree(ctx["home"], ignore_errors=True)
    return 0


__all__ = ["main", "percentile"]


def interaction_rows(
    workspace_id: int, ids: list[int], rows: list[Any], pending: list[Any], created: Any
) -> Any:
    """The interaction rows of one batch (`pending`), on the people just inserted."""
    from klient.contacts.bulk import TableRows, db_datetime

    return TableRows(
        "activities_interaction",
        INTERACTION_COLUMNS,
        [
            (
                workspace_id,
                kind,
                direction,
                channel,
                db_datetime(occurred),
                duration,
                author_id,
                team_id,
                subject,
                body,
                ids[who],
                rows[who].organizations[0][0] if rows[who].organizations else None,
                created,
            )
            for who, author_id, team_id, (
                kind,
                direction,
                channel,
                occurred,
                duration,
                subject,
                body,
            ) in pending
        ],
    )
