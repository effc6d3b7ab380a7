"""`python -m bench sales`: the funnel report on N deals, beside what it replaces.

A database of N deals (default 20,000: a quick run) in 5 pipelines of 9 stages, about 8
stage transitions each (moves forward, skipped stages, moves back, lost deals, reopened
ones, a few moved to another pipeline), entering over the 36 months of 2023-2025, is
written with raw inserts (`klient.contacts.bulk.rows_insert`: executemany on SQLite,
COPY on PostgreSQL; no services) and kept: SQLite under /tmp/kh-funnel/bench-sales-N
(`--root`), or a PostgreSQL database `<KLIENT_DATABASE_URL's name>_sales_N` on that
server. The funnel's rollups are then built by the product's rebuild (the
`klient.sales.funnel_rebuild` job's work). A later run with the same N and seed reuses
the kept database (`--fresh` reloads it).

Then, for one pipeline and one quarter (2025-Q2), in alternating rounds, warm:

| figure | what | goal |
|---|---|---|
| report | `sales.reports.funnel_report` (the page's reads) | |
| (a) raw GROUP BY | one raw-cursor statement over the stage transitions, through the
  app's indexes (`transition_pipeline_idx`, `transition_deal_idx`), computing the same
  figures | report p95 at least 10x faster |
| (b) raw rollups | the same rollup rows read by one raw statement | report p95 within 3x |
| page | `GET /deals/funnel/` through the test client (report, template, middleware) | shown |

The three computations are checked to agree before anything is timed. With several
`--deals`, each size runs in its own process and the p95 growth between the smallest
and the largest size is printed.

    python -m bench sales                                  # 20,000 deals, a minute or two
    python -m bench sales --deals 100000 --deals 1000000   # the full run (1M: ~8M transitions)
    KLIENT_DATABASE_URL=postgresql://postgres@127.0.0.1:5433/klient_bench \\
        python -m bench sales --deals 100000               # on PostgreSQL
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.report import Report, percentile

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PIPELINES = 5
OPEN_STAGES = 7  # then one won stage (position 7) and one lost stage (position 8)
WON = OPEN_STAGES
REASONS = 6
CHUNK = 10_000
FIRST_MONTH = date(2023, 1, 1)
MONTHS = 36
QUARTER = (date(2025, 4, 1), date(2025, 6, 1))
DAY = 86_400.0
MARKER = "Bench sales"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench sales",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--deals", type=int, action="append", help="deals to load (repeatable; default 20000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=30, help="timed rounds")
    parser.add_argument("--warm", type=int, default=3, help="untimed rounds first")
    parser.add_argument(
        "--root", default="/tmp/kh-funnel", help="folder of the kept SQLite databases"
    )
    parser.add_argument("--fresh", action="store_true", help="reload a kept database")
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.deals = args.deals or [20_000]
    if any(n < 100 for n in args.deals):
        parser.error("--deals: at least 100")
    return args


# -- the data ---------------------------------------------------------------------------


@dataclass
class Step:
    """One stage entry: kind, (pipeline index, position), when, the reason when lost."""

    kind: str
    pipeline: int
    position: int
    at: float
    reason: int | None = None


def _epoch(day: date) -> float:
    """Midnight in the server's zone (Europe/Moscow, UTC+3, no DST since 2014)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() - 3 * 3600


START, END = _epoch(FIRST_MONTH), _epoch(date(2026, 1, 1))


def deal_walk(rnd: random.Random, pipeline: int) -> list[Step]:
    """A deal's stage entries. Forward one stage most of the time, sometimes two (a stage
    skipped), sometimes back one; lost now and then (a quarter of those reopened), moved
    to another pipeline once at most, left open partway; won at position 7."""
    at = START + rnd.random() * (END - START)
    position = 0 if rnd.random() < 0.9 else rnd.randint(1, 2)
    steps = [Step("created", pipeline, position, at)]
    changed = False
    lost = False
    furthest = position
    while True:
        at += min(max(rnd.lognormvariate(math.log(1.2 * DAY), 1.1), 300.0), 200 * DAY)
        if at >= END:
            return steps
        draw = rnd.random()
        if lost:
            if draw < 0.3:
                position = rnd.randint(0, furthest)
                lost = False
                steps.append(Step("moved", pipeline, position, at))
                continue
            return steps
        if draw < 0.06:
            reason = None if rnd.random() < 0.1 else rnd.randrange(REASONS)
            steps.append(Step("moved", pipeline, OPEN_STAGES + 1, at, reason))
            lost = True
            continue
        if draw < 0.075:
            return steps  # still open here
        if draw < 0.09 and not changed:
            pipeline = (pipeline + rnd.randint(1, PIPELINES - 1)) % PIPELINES
            position = rnd.randint(0, 2)
            furthest = position
            changed = True
            steps.append(Step("pipeline", pipeline, position, at))
            continue
        if draw < 0.22 and position > 0:
            position -= 1
        elif draw < 0.30:
            position = min(position + 2, WON)
        else:
            position += 1
        furthest = max(furthest, position)
        steps.append(Step("moved", pipeline, position, at))
        if position == WON:
            return steps


def _stamp(epoch: float, vendor: str) -> Any:
    value = datetime.fromtimestamp(epoch, tz=UTC)
    return str(value.replace(tzinfo=None)) if vendor == "sqlite" else value


DEAL_COLUMNS = (
    "id",
    "workspace_id",
    "pipeline_id",
    "stage_id",
    "state",
    "title",
    "title_folded",
    "owner_id",
    "currency",
    "source",
    "description",
    "lost_reason_id",
    "lost_note",
    "pipeline_entered_at",
    "stage_entered_at",
    "furthest_position",
    "overdue_notified",
    "closed_at",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
    "amount",
)
TRANSITION_COLUMNS = (
    "workspace_id",
    "deal_id",
    "kind",
    "pipeline_id",
    "from_stage_id",
    "to_stage_id",
    "actor_id",
    "at",
    "seconds_in_stage",
    "lost_reason_id",
)


def _rows(
    ctx: dict[str, Any], ids: list[int], walks: list[list[Step]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    vendor, workspace_id = ctx["vendor"], ctx["workspace_id"]
    stage_ids, pipeline_ids, reason_ids = ctx["stage_ids"], ctx["pipeline_ids"], ctx["reason_ids"]
    owners = ctx["owners"]
    deals, transitions = [], []
    for deal_id, steps in zip(ids, walks, strict=True):
        owner = owners[deal_id % len(owners)]
        previous: Step | None = None
        entered = steps[0].at
        for step in steps:
            if step.kind != "moved":
                entered = step.at
            reason = reason_ids[step.reason] if step.reason is not None else None
            transitions.append(
                (
                    workspace_id,
                    deal_id,
                    step.kind,
                    pipeline_ids[step.pipeline],
                    stage_ids[previous.pipeline][previous.position] if previous else None,
                    stage_ids[step.pipeline][step.position],
                    owner,
                    _stamp(step.at, vendor),
                    int(step.at - previous.at) if previous else None,
                    reason,
                )
            )
            previous = step
        last = steps[-1]
        state = "won" if last.position == WON else "lost" if last.position > WON else "open"
        in_pipeline = [step for step in steps if step.pipeline == last.pipeline]
        furthest = max(step.position for step in in_pipeline if step.position <= WON)
        deals.append(
            (
                deal_id,
                workspace_id,
                pipeline_ids[last.pipeline],
                stage_ids[last.pipeline][last.position],
                state,
                f"Deal {deal_id}",
                f"deal {deal_id}",
                owner,
                "RUB",
                "",
                "",
                reason_ids[last.reason] if last.reason is not None else None,
                "",
                _stamp(entered, vendor),
                _stamp(last.at, vendor),
                furthest,
                False,
                _stamp(last.at, vendor) if state != "open" else None,
                len(steps),
                owner,
                _stamp(steps[0].at, vendor),
                _stamp(last.at, vendor),
                str(1000 * (deal_id % 97 + 1)) if vendor == "sqlite" else 1000 * (deal_id % 97 + 1),
            )
        )
    return deals, transitions


def _fixtures(ctx: dict[str, Any], deals: int, seed: int) -> None:
    from klient.core.services import team_create, user_create, workspace_create
    from klient.sales.models import Stage
    from klient.sales.pipeline_services import StageSpec, lost_reason_create, pipeline_create

    workspace = workspace_create(name=f"{MARKER} {deals} seed {seed}", slug="bench-sales")
    team = team_create(workspace=workspace, name="Sales")
    admin = user_create(workspace=workspace, username="bench-admin", role="admin")
    agents = [
        user_create(workspace=workspace, username=f"agent{n}", role="agent", teams=[team])
        for n in range(8)
    ]
    specs = (
        *(StageSpec(f"Stage {n + 1}") for n in range(OPEN_STAGES)),
        StageSpec("Won", kind=Stage.Kind.WON),
        StageSpec("Lost", kind=Stage.Kind.LOST),
    )
    pipelines = [
        pipeline_create(actor=admin, name=f"Pipeline {n + 1}", stages=specs)
        for n in range(PIPELINES)
    ]
    reasons = [lost_reason_create(actor=admin, name=f"Reason {n + 1}") for n in range(REASONS)]
    ctx.update(
        workspace_id=workspace.pk,
        admin=admin,
        owners=[agent.pk for agent in agents],
        pipeline_ids=[pipeline.pk for pipeline in pipelines],
        reason_ids=[reason.pk for reason in reasons],
        stage_ids=[
            list(
                Stage.objects.filter(pipeline=pipeline)
                .order_by("position")
                .values_list("pk", flat=True)
            )
            for pipeline in pipelines
        ],
    )


def load(ctx: dict[str, Any], deals: int, seed: int) -> dict[str, Any]:
    """Deals and their transitions, raw, one transaction per 10,000 deals; then ANALYZE."""
    from django.db import connection, transaction

    from klient.contacts.bulk import TableRows, ids_allocate, rows_insert
    from klient.sales.models import Deal, StageTransition

    rnd = random.Random(seed)
    started = time.perf_counter()
    made = moves = 0
    generate = 0.0
    while made < deals:
        count = min(CHUNK, deals - made)
        begun = time.perf_counter()
        walks = [deal_walk(rnd, rnd.randrange(PIPELINES)) for _ in range(count)]
        with transaction.atomic():
            ids = ids_allocate(model=Deal, count=count)
            deal_rows, transition_rows = _rows(ctx, ids, walks)
            generate += time.perf_counter() - begun
            rows_insert(TableRows(Deal._meta.db_table, DEAL_COLUMNS, deal_rows))
            rows_insert(
                TableRows(StageTransition._meta.db_table, TRANSITION_COLUMNS, transition_rows)
            )
        made += count
        moves += len(transition_rows)
        if made % (CHUNK * 10) == 0 or made == deals:
            print(f"  {made:,} deals, {moves:,} transitions", flush=True)
    load_seconds = time.perf_counter() - started
    begun = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "deals": deals,
        "transitions": moves,
        "load_seconds": load_seconds,
        "generate_seconds": generate,
        "analyze_seconds": time.perf_counter() - begun,
    }


def rebuild(workspace_id: int) -> dict[str, Any]:
    from django.db import connection

    from klient.core.rollups import rollup_metrics, rollup_rebuild

    started = time.perf_counter()
    rows = {
        metric.key: rollup_rebuild(metric, workspace_id)
        for metric in rollup_metrics
        if metric.key.startswith("sales.")
    }
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"rebuild_seconds": seconds, "rollup_rows": rows}


# -- the measured reads -----------------------------------------------------------------


def _bucket_case(column: str) -> str:
    from klient.core.rollups import DURATION_BUCKETS

    whens = " ".join(
        f"WHEN {column} < {edge} THEN {index}" for index, edge in enumerate(DURATION_BUCKETS)
    )
    return f"CASE {whens} ELSE {len(DURATION_BUCKETS)} END"


def raw_transitions_sql() -> str:
    """(a): the funnel straight from the transitions, in one statement. Entries into the
    pipeline in the period (kind created/pipeline; every bench deal enters a pipeline at
    most once); each entered deal's furthest position there and whether its last step
    there is a lost stage (with its reason); the stays left in the period's months."""
    seconds = "CASE WHEN t.seconds_in_stage < 0 THEN 0 ELSE t.seconds_in_stage END"
    return f"""
WITH entry AS (
  SELECT deal_id FROM sales_stagetransition
  WHERE pipeline_id = %(pipeline)s AND kind IN ('created', 'pipeline')
    AND at >= %(start)s AND at < %(end)s
),
walk AS (
  SELECT t.deal_id, s.kind AS stage_kind, s.position, t.lost_reason_id,
         ROW_NUMBER() OVER (PARTITION BY t.deal_id ORDER BY t.at DESC, t.id DESC) AS back
  FROM entry e
  JOIN sales_stagetransition t ON t.deal_id = e.deal_id AND t.pipeline_id = %(pipeline)s
  JOIN sales_stage s ON s.id = t.to_stage_id
),
deal AS (
  SELECT deal_id,
         MAX(CASE WHEN stage_kind <> 'lost' THEN position END) AS furthest,
         MAX(CASE WHEN back = 1 AND stage_kind = 'lost'
                  THEN COALESCE(lost_reason_id, 0) END) AS reason
  FROM walk GROUP BY deal_id
)
SELECT 'reached', s.id, 0, COUNT(d.deal_id), 0
  FROM sales_stage s JOIN deal d ON d.furthest >= s.position
  WHERE s.pipeline_id = %(pipeline)s AND s.kind <> 'lost' AND NOT s.archived
  GROUP BY s.id
UNION ALL
SELECT 'lost', reason, furthest, COUNT(*), 0 FROM deal WHERE reason IS NOT NULL
  GROUP BY reason, furthest
UNION ALL
SELECT 'time', t.from_stage_id, {_bucket_case(seconds)}, COUNT(*), SUM({seconds})
  FROM sales_stagetransition t JOIN sales_stage s ON s.id = t.from_stage_id
  WHERE t.pipeline_id IN %(pipelines)s AND t.at >= %(start)s AND t.at < %(end)s
    AND s.pipeline_id = %(pipeline)s AND t.seconds_in_stage IS NOT NULL
  GROUP BY t.from_stage_id, {_bucket_case(seconds)}
"""


RAW_ROLLUPS_SQL = """
SELECT 'reached', stage_id, 0, SUM(deals), 0 FROM sales_funnelreached
  WHERE workspace_id = %(workspace)s AND pipeline_id = %(pipeline)s
    AND cohort >= %(first)s AND cohort <= %(last)s
  GROUP BY stage_id
UNION ALL
SELECT 'lost', reason_id_or_zero, furthest_position, SUM(deals), 0 FROM sales_funnellost
  WHERE workspace_id = %(workspace)s AND pipeline_id = %(pipeline)s
    AND cohort >= %(first)s AND cohort <= %(last)s
  GROUP BY reason_id_or_zero, furthest_position
UNION ALL
SELECT 'time', stage_id, bucket, SUM(deals), SUM(seconds) FROM sales_stagetime
  WHERE workspace_id = %(workspace)s AND pipeline_id = %(pipeline)s
    AND month >= %(first)s AND month <= %(last)s
  GROUP BY stage_id, bucket
"""


def _params(ctx: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    ops = connection.ops
    first, last = QUARTER
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    start = datetime.fromtimestamp(_epoch(first), tz=UTC)
    end = datetime.fromtimestamp(_epoch(after), tz=UTC)
    pipeline = ctx["pipeline_ids"][0]
    raw = {
        "pipeline": pipeline,
        "pipelines": tuple(ctx["pipeline_ids"]),
        "start": ops.adapt_datetimefield_value(start),
        "end": ops.adapt_datetimefield_value(end),
    }
    rollups = {
        "workspace": ctx["workspace_id"],
        "pipeline": pipeline,
        "first": ops.adapt_datefield_value(first),
        "last": ops.adapt_datefield_value(last),
    }
    return raw, rollups


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's cursor (sqlite3 or psycopg) under Django's
        if connection.vendor == "sqlite":
            sql, params = _sqlite_named(sql, params)
        raw.execute(sql, params)
        return list(raw.fetchall())


def _sqlite_named(sql: str, params: dict[str, Any]) -> tuple[str, Any]:
    """sqlite3 takes :name; a tuple parameter becomes a list of them."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            names = [f"{key}_{index}" for index in range(len(value))]
            values.update(zip(names, value, strict=True))
            sql = sql.replace(f"%({key})s", "(" + ", ".join(f":{name}" for name in names) + ")")
        else:
            values[key] = value
            sql = sql.replace(f"%({key})s", f":{key}")
    return sql, values


def _figures(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    reached: dict[int, int] = {}
    lost: dict[tuple[int, int], int] = {}
    times: dict[tuple[int, int], tuple[int, int]] = {}
    for part, key, sub, deals, seconds in rows:
        if not deals:
            continue
        if part == "reached":
            reached[int(key)] = int(deals)
        elif part == "lost":
            lost[(int(key), int(sub))] = int(deals)
        else:
            times[(int(key), int(sub))] = (int(deals), int(seconds))
    return {"reached": reached, "lost": lost, "time": times}


def _summary_of_report(report: Any) -> dict[str, Any]:
    return {
        "reached": {row.stage.pk: row.reached for row in report.stages if row.reached},
        "lost": report.lost_total,
        "time": {row.stage.pk: row.times.deals for row in report.stages if row.times.deals},
    }


def _summary_of_figures(figures: dict[str, Any], sequence: set[int]) -> dict[str, Any]:
    per_stage: Counter[int] = Counter()
    for (stage, _bucket), (deals, _seconds) in figures["time"].items():
        if stage in sequence:
            per_stage[stage] += deals
    return {
        "reached": figures["reached"],
        "lost": sum(figures["lost"].values()),
        "time": dict(per_stage),
    }


def _agree(ctx: dict[str, Any], report: Any, raw_a: Any, raw_b: Any) -> None:
    a, b = _figures(raw_a), _figures(raw_b)
    if a != b:
        for part in a:
            if a[part] != b[part]:
                print(f"  (a) {part}: {sorted(a[part].items())[:6]}")
                print(f"  (b) {part}: {sorted(b[part].items())[:6]}")
        raise SystemExit("bench sales: the transitions and the rollups disagree")
    sequence = {row.stage.pk for row in report.stages}
    if _summary_of_report(report) != _summary_of_figures(b, sequence):
        raise SystemExit("bench sales: the report and the rollup rows disagree")
    first = report.stages[0]
    print(
        f"  figures agree: {report.entered:,} deals entered pipeline 1 in 2025-Q2, "
        f"{report.won:,} won, {report.lost_total:,} lost; "
        f"{sum(deals for deals, _s in a['time'].values()):,} stays left in the quarter; "
        f"median in «{first.stage.name}» "
        f"{(first.times.median.seconds if first.times.median else 0) / 3600:.1f} h",
        flush=True,
    )


def _page_client(ctx: dict[str, Any]) -> tuple[Any, str]:
    """A signed-in test client, and the page's URL (served by the funnel view even while
    the sales URLconf still routes it to a placeholder)."""
    import types

    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches, include, path, resolve

    from klient.sales import report_views

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    url = "/deals/funnel/"
    if resolve(url).func is not report_views.funnel:
        module = types.ModuleType("bench_sales_urls")
        module.urlpatterns = [  # type: ignore[attr-defined]
            path("deals/funnel/", report_views.funnel),
            path("", include(settings.ROOT_URLCONF)),
        ]
        sys.modules[module.__name__] = module
        settings.ROOT_URLCONF = module.__name__
        clear_url_caches()
    client = Client()
    client.force_login(ctx["admin"])
    first, last = QUARTER
    query = f"?pipeline={ctx['pipeline_ids'][0]}&from={first:%Y-%m}&to={last:%Y-%m}"
    return client, url + query


def measure(ctx: dict[str, Any], args: argparse.Namespace) -> dict[str, list[float]]:
    from klient.sales.reports import Period, funnel_report

    raw_params, rollup_params = _params(ctx)
    transitions_sql = raw_transitions_sql()
    period = Period(*QUARTER)
    pipeline = ctx["pipeline_ids"][0]
    admin = ctx["admin"]
    client, url = _page_client(ctx)

    def page() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"bench sales: the page answered {response.status_code}")
        return response

    cases = {
        "report": lambda: funnel_report(user=admin, pipeline=pipeline, period=period),
        "raw GROUP BY": lambda: _fetch(transitions_sql, raw_params),
        "raw rollups": lambda: _fetch(RAW_ROLLUPS_SQL, rollup_params),
        "page": page,
    }
    _agree(ctx, cases["report"](), cases["raw GROUP BY"](), cases["raw rollups"]())
    for _ in range(args.warm):
        for run in cases.values():
            run()
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for name, run in cases.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
    return dict(times)


# -- running ----------------------------------------------------------------------------


def _postgres_database(dsn: str, deals: int, fresh: bool) -> str:
    """`<name>_sales_<N>` on the server of `dsn`, created when missing; emptied with
    --fresh."""
    import psycopg

    parts = urlsplit(dsn)
    name = f"{parts.path.lstrip('/') or 'klient'}_sales_{deals}"
    admin_dsn = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _environment(args: argparse.Namespace, deals: int) -> dict[str, Any]:
    home = Path(args.root) / f"bench-sales-{deals}"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["KLIENT_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klient.settings")
    dsn = os.environ.get("KLIENT_DATABASE_URL") or ""
    if dsn.startswith("postgres"):
        dsn = _postgres_database(dsn, deals, args.fresh)
        os.environ["KLIENT_DATABASE_URL"] = dsn
        return {"home": home, "vendor": "postgresql", "where": dsn}
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(str(home / "klient.sqlite3") + suffix).unlink(missing_ok=True)
    return {"home": home, "vendor": "sqlite", "where": str(home / "klient.sqlite3")}


def _kept(ctx: dict[str, Any], deals: int, seed: int) -> bool:
    """Whether the database holds a complete load of this size and seed (its rollups
    built); restores the context a load would have made."""
    from klient.core.models import User, Workspace
    from klient.sales.models import LostReason, Pipeline, Stage

    workspace = Workspace.objects.filter(slug="bench-sales").first()
    if workspace is None:
        return False
    if workspace.name != f"{MARKER} {deals} seed {seed} (complete)":
        raise SystemExit(
            f"bench sales: {ctx['where']} holds another or an unfinished load "
            f"({workspace.name!r}); run again with --fresh"
        )
    pipelines = list(Pipeline.objects.filter(workspace=workspace).order_by("position", "id"))
    ctx.update(
        workspace_id=workspace.pk,
        admin=User.objects.get(username="bench-admin"),
        pipeline_ids=[pipeline.pk for pipeline in pipelines],
        reason_ids=list(
            LostReason.objects.filter(workspace=workspace)
            .order_by("position")
            .values_list("pk", flat=True)
        ),
        stage_ids=[
            list(
                Stage.objects.filter(pipeline=pipeline)
                .order_by("position")
                .values_list("pk", flat=True)
            )
            for pipeline in pipelines
        ],
    )
    return True


def run_one(args: argparse.Namespace, deals: int) -> dict[str, Any]:
    ctx = _environment(args, deals)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from klient.core.models import Workspace

    print(f"bench sales: {deals:,} deals on {ctx['vendor']} ({ctx['where']})", flush=True)
    call_command("migrate", verbosity=0)
    report = Report(vendor=ctx["vendor"], people=deals, bench="sales")
    if _kept(ctx, deals, args.seed):
        print("  reusing the kept database (--fresh to reload it)", flush=True)
        loaded: dict[str, Any] = {"reused": True}
    else:
        _fixtures(ctx, deals, args.seed)
        loaded = load(ctx, deals, args.seed)
        print(
            f"  loaded {loaded['deals']:,} deals, {loaded['transitions']:,} transitions "
            f"({loaded['transitions'] / deals:.1f} a deal) in {loaded['load_seconds']:,.1f} s "
            f"(generating rows {loaded['generate_seconds']:,.1f} s; "
            f"{loaded['transitions'] / loaded['load_seconds']:,.0f} transitions/s), "
            f"ANALYZE {loaded['analyze_seconds']:,.1f} s",
            flush=True,
        )
        built = rebuild(ctx["workspace_id"])
        loaded.update(built)
        print(
            f"  rollups rebuilt in {built['rebuild_seconds']:,.1f} s: "
            + ", ".join(f"{key} {rows:,} rows" for key, rows in built["rollup_rows"].items()),
            flush=True,
        )
        Workspace.objects.filter(pk=ctx["workspace_id"]).update(
            name=f"{MARKER} {deals} seed {args.seed} (complete)"
        )
    report.extra("load", **loaded)
    times = measure(ctx, args)
    rows = {name: (percentile(v, 0.5), percentile(v, 0.95)) for name, v in times.items()}
    print(f"  {args.repeat} rounds after {args.warm} warm ones; ms", flush=True)
    print(f"  {'':<14} {'p50':>9} {'p95':>9}")
    for name, (p50, p95) in rows.items():
        print(f"  {name:<14} {p50:>9.2f} {p95:>9.2f}")
    ours, group_by, rollups, page = (
        rows["report"][1],
        rows["raw GROUP BY"][1],
        rows["raw rollups"][1],
        rows["page"][1],
    )
    report.figure(
        "funnel",
        "report p95 ms vs (a)",
        ours,
        group_by,
        limit_name="(a) raw GROUP BY over the transitions",
        higher_is_better=False,
        goal="<= 0.1x (10x faster)",
    )
    report.figure(
        "funnel",
        "report p95 ms vs (b)",
        ours,
        rollups,
        limit_name="(b) the rollup rows by one raw query",
        higher_is_better=False,
        goal="<= 3x",
    )
    report.figure(
        "funnel",
        "page p95 ms vs (b)",
        page,
        rollups,
        limit_name="(b) the rollup rows by one raw query",
        higher_is_better=False,
        goal="shown: the report plus rendering",
    )
    report.print_section("funnel")
    speedup = group_by / ours if ours else float("inf")
    print(
        f"  verdict: report {speedup:,.0f}x faster than (a) (goal >= 10x: "
        f"{'met' if speedup >= 10 else 'MISSED'}); {ours / rollups:,.1f}x (b) "
        f"(goal <= 3x: {'met' if ours <= 3 * rollups else 'MISSED'}); "
        f"page {page:,.1f} ms",
        flush=True,
    )
    report.extra(
        "funnel",
        vendor=connection.vendor,
        quarter=f"{QUARTER[0]:%Y-%m}..{QUARTER[1]:%Y-%m}",
        **{f"{name} p50": p50 for name, (p50, _p95) in rows.items()},
        **{f"{name} p95": p95 for name, (_p50, p95) in rows.items()},
    )
    path = report.write(RESULTS_DIR)
    print(f"  results: {path}", flush=True)
    summary = {"deals": deals, "vendor": ctx["vendor"], "p50": {}, "p95": {}, "load": loaded}
    for name, (p50, p95) in rows.items():
        summary["p50"][name] = p50
        summary["p95"][name] = p95
    return summary


def _growth(summaries: list[dict[str, Any]]) -> None:
    summaries.sort(key=lambda item: item["deals"])
    small, large = summaries[0], summaries[-1]
    scale = large["deals"] / small["deals"]
    print(f"\np95 growth {small['deals']:,} -> {large['deals']:,} deals (x{scale:g} the data):")
    for name in ("report", "page", "raw rollups", "raw GROUP BY"):
        before, after = small["p95"][name], large["p95"][name]
        print(f"  {name:<14} {before:>9.2f} -> {after:>9.2f} ms   x{after / before:.2f}")


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if len(args.deals) == 1:
        summary = run_one(args, args.deals[0])
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(summary, default=str))
        return 0
    summaries = []
    for deals in args.deals:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = handle.name
        rest = ["--seed", str(args.seed), "--repeat", str(args.repeat), "--warm", str(args.warm)]
        rest += ["--root", args.root, "--json-out", out] + (["--fresh"] if args.fresh else [])
        done = subprocess.run(
            [sys.executable, "-m", "bench", "sales", "--deals", str(deals), *rest], check=False
        )
        if done.returncode:
            return done.returncode
        summaries.append(json.loads(Path(out).read_text()))
        Path(out).unlink(missing_ok=True)
    _growth(summaries)
    return 0


__all__ = ["deal_walk", "main"]
