"""`python -m bench pages`: the pages a person opens, beside their own SQL on a raw cursor.

A database of N people (default 100,000) is built once with the product's bulk loader
(bench/pages_data.py) and can be kept (`--home DIR --keep`) and measured again
(`--reuse`). Each page is requested through Django's test client, signed in as an
administrator or as an agent (who sees their own and their team's records). One request
records every statement the page runs with its parameters; then, in alternating rounds,
the page is requested and those very SELECTs are replayed on the driver's cursor, each
fetched to the end. Both sides are warm: this measures what the page adds to its queries
(ORM, templates, middleware) and whether its queries stay cheap as the rows grow.

Goal per page: p95 <= max(3 x raw p95, raw p95 + 25 ms), a fixed number of queries.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.report import Report, percentile

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEARCH = "алекс"
PHONE = "916 12"


@dataclass
class PageCase:
    name: str
    who: str  # "admin", "agent" or "token" (the admin's API token)
    url: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class Measured:
    case: PageCase
    queries: int
    selects: int
    page_ms: list[float]
    raw_ms: list[float]
    note: str
    slowest: tuple[float, str] = (0.0, "")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warm", type=int, default=3, help="untimed requests first")
    parser.add_argument("--only", action="append", help="pages whose name contains this")
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each page's slowest query"
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


def _cases(ctx: dict[str, Any]) -> list[PageCase]:
    from django.urls import reverse

    clients = reverse("contacts:client_list")
    people = ctx["big_org_people"]
    return [
        PageCase("client list", "admin", clients),
        PageCase("client list (agent)", "agent", clients),
        PageCase(f"client list «{SEARCH}»", "admin", clients, {"q": SEARCH}),
        PageCase(f"client list «{SEARCH}» (agent)", "agent", clients, {"q": SEARCH}),
        PageCase(f"client list «{PHONE}»", "admin", clients, {"q": PHONE}),
        PageCase("client list, stage filter", "admin", clients, {"lifecycle_stage": "customer"}),
        PageCase("client list, owner filter", "admin", clients, {"owner": str(ctx["agent"].pk)}),
        PageCase("organization list", "admin", reverse("contacts:organization_list")),
        PageCase(
            "person card",
            "admin",
            reverse("contacts:person_detail", args=[ctx["card_person_id"]]),
        ),
        PageCase(
            f"organization card ({people:,} people)",
            "admin",
            reverse("contacts:organization_detail", args=[ctx["big_organization_id"]]),
        ),
        PageCase("my tasks (agent)", "agent", reverse("activities:task_list")),
        PageCase("API people, first page", "token", "/api/v1/people"),
        PageCase(f"API people «{SEARCH}»", "token", "/api/v1/people", {"q": SEARCH}),
    ]


_FOOT = re.compile(r'<div class="list-foot">\s*<span>(.*?)</span>', re.S)


def _note(body: bytes) -> str:
    found = _FOOT.search(body.decode(errors="replace"))
    return " ".join(found.group(1).split()) if found else ""


def _request(client: Any, case: PageCase, token: str) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if case.who == "token" else {}
    response = client.get(case.url, case.data, **headers)
    if response.status_code != 200:
        raise SystemExit(f"bench pages: {case.name}: HTTP {response.status_code}")
    return response


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:4].upper() in ("SELE", "WITH")


def _replay(statements: list[tuple[str, Any]]) -> list[float]:
    """Each recorded SELECT on the driver's own cursor, fetched to the end; ms per statement."""
    from django.db import connection

    times = []
    with connection.cursor() as wrapper:
        raw = wrapper.cursor  # sqlite3 (Django's %s->? shim) or psycopg, under Django's wrapper
        for sql, params in statements:
            started = time.perf_counter()
            raw.execute(sql, params)
            raw.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def _plan(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(f"      {row[3]}" for row in cursor.fetchall())
        cursor.cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(f"      {row[0]}" for row in cursor.fetchall())


def measure(case: PageCase, client: Any, token: str, args: argparse.Namespace) -> Measured:
    from django.db import connection

    recorded: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        recorded.append((sql, params))
        return execute(sql, params, many, context)

    for _ in range(args.warm):
        _request(client, case, token)
    with connection.execute_wrapper(record):
        response = _request(client, case, token)
    selects = [(sql, params) for sql, params in recorded if _is_read(sql)]
    for _ in range(args.warm):
        _replay(selects)
    page_ms, raw_ms, per_statement = [], [], [0.0] * len(selects)
    for _ in range(args.repeat):
        started = time.perf_counter()
        _request(client, case, token)
        page_ms.append((time.perf_counter() - started) * 1000)
        times = _replay(selects)
        raw_ms.append(sum(times))
        per_statement = [a + b for a, b in zip(per_statement, times, strict=True)]
    slowest = (0.0, "")
    if per_statement:
        index = max(range(len(selects)), key=per_statement.__getitem__)
        sql, params = selects[index]
        shown = f"    {sql[:300]}{'…' if len(sql) > 300 else ''}"
        if args.explain:
            shown += "\n" + _plan(sql, params)
        slowest = (per_statement[index] / args.repeat, shown)
    return Measured(
        case, len(recorded), len(selects), page_ms, raw_ms, _note(response.content), slowest
    )


def goal_ms(raw_p95: float) -> float:
    return max(3 * raw_p95, raw_p95 + 25)


def _context(ctx: dict[str, Any]) -> None:
    """Who signs in, and which person and organization the cards show."""
    from django.db.models import Count

    from klient.activities.models import Interaction
    from klient.contacts.models import Affiliation, Organization
    from klient.core.models import User
    from klient.core.services import token_create

    admin = User.objects.get(username="bench-admin")
    ctx["admin"] = admin
    ctx["agent"] = User.objects.get(username="agent0")
    ctx["token"] = token_create(user=admin, name="bench pages")
    if "big_organization_id" not in ctx:
        ctx["big_organization_id"] = (
            Organization.objects.filter(workspace_id=admin.workspace_id).order_by("id").first().pk
        )
    ctx["big_org_people"] = Affiliation.objects.filter(
        organization_id=ctx["big_organization_id"]
    ).count()
    # A person with a long history: the most interactions among the first people loaded.
    first_ids = Interaction.objects.filter(person_id__lte=1000).values("person_id")
    busiest = first_ids.annotate(n=Count("id")).order_by("-n", "person_id").first()
    ctx["card_person_id"] = busiest["person_id"]


def phase_pages(args: argparse.Namespace, ctx: dict[str, Any], report: Report) -> list[Measured]:
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    _context(ctx)
    clients = {}
    for who in ("admin", "agent"):
        clients[who] = Client()
        clients[who].force_login(ctx[who])
    clients["token"] = Client()
    results = []
    for case in _cases(ctx):
        if args.only and not any(part in case.name for part in args.only):
            continue
        found = measure(case, clients[case.who], ctx["token"], args)
        results.append(found)
        _print_row(found)
        if found.slowest[1]:
            print(
                f"    slowest query, raw {found.slowest[0]:.2f} ms:\n{found.slowest[1]}", flush=True
            )
        page95, raw95 = percentile(found.page_ms, 0.95), percentile(found.raw_ms, 0.95)
        report.figure(
            "pages",
            f"{case.name} p95 ms",
            page95,
            raw95,
            limit_name="its SELECTs on a raw cursor",
            higher_is_better=False,
            goal=f"<= {goal_ms(raw95):.1f} ms",
        )
        report.extra(
            "pages",
            **{
                case.name: {
                    "queries": found.queries,
                    "selects": found.selects,
                    "page_p50": percentile(found.page_ms, 0.5),
                    "page_p95": page95,
                    "raw_p50": percentile(found.raw_ms, 0.5),
                    "raw_p95": raw95,
                    "goal_ms": goal_ms(raw95),
                    "met": page95 <= goal_ms(raw95),
                    "note": found.note,
                }
            },
        )
    return results


HEADER = (
    f"{'page':<34} {'queries':>7} {'p50':>8} {'p95':>8} {'raw p50':>8} {'raw p95':>8} "
    f"{'ratio':>6} {'goal':>8}  verdict"
)


def _print_row(found: Measured) -> None:
    page50, page95 = percentile(found.page_ms, 0.5), percentile(found.page_ms, 0.95)
    raw50, raw95 = percentile(found.raw_ms, 0.5), percentile(found.raw_ms, 0.95)
    goal = goal_ms(raw95)
    verdict = "met" if page95 <= goal else "MISSED"
    note = f"   [{found.note}]" if found.note else ""
    print(
        f"{found.case.name:<34} {found.queries:>7} {page50:>8.1f} {page95:>8.1f} {raw50:>8.2f} "
        f"{raw95:>8.2f} {page95 / raw95 if raw95 else 0:>6.1f} {goal:>8.1f}  {verdict}{note}",
        flush=True,
    )


def _migrate_kept() -> None:
    """A kept database gets the migrations written since it was built, then fresh
    statistics, so a new index is measured as the planner will see it."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
    print(f"  migrated the kept database ({names}) in {time.perf_counter() - started:.1f} s")


def main(argv: list[str]) -> int:
    import shutil

    from bench.contacts_bench import _environment, _fixtures, _postgres_fresh

    args = _parse(argv)
    if args.reuse and not args.home:
        sys.exit("bench pages: --reuse needs --home (the folder a kept run left)")
    ctx = _environment(args)
    if ctx["vendor"] == "postgresql" and not args.reuse:
        _postgres_fresh(ctx["dsn"], reset=args.reset_postgres)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klient.settings")
    import django

    django.setup()
    from django.core.management import call_command

    print(
        f"bench pages: {args.people:,} people on {ctx['vendor']} "
        f"({'KLIENT_HOME=' + str(ctx['home']) if ctx['vendor'] == 'sqlite' else ctx['dsn']})",
        flush=True,
    )
    report = Report(vendor=ctx["vendor"], people=args.people, bench="pages")
    try:
        if args.reuse:
            _migrate_kept()
        else:
            from bench.pages_data import load

            call_command("migrate", verbosity=0)
            _fixtures(ctx)
            loaded = load(args, ctx)
            ctx["big_organization_id"] = loaded["big_organization_id"]
            print(
                f"  loaded {loaded['people']:,} people, {loaded['organizations']:,} "
                f"organizations, {loaded['interactions']:,} interactions, "
                f"{loaded['tasks']:,} tasks in {loaded['load_seconds']:,.0f} s "
                f"(+ ANALYZE {loaded['analyze_seconds']:,.1f} s)",
                flush=True,
            )
            report.extra("load", **loaded)
        print(f"  {args.repeat} requests a page after {args.warm} warm ones; ms", flush=True)
        print(HEADER, flush=True)
        phase_pages(args, ctx, report)
    finally:
        path = report.write(RESULTS_DIR)
        print(f"results: {path}")
        if ctx["temporary"] and not args.keep:
            shutil.rmtree(ctx["home"], ignore_errors=True)
    return 0


__all__ = ["main"]
