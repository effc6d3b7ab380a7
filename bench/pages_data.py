"""The data set of `python -m bench pages`: people, organizations, interactions and tasks.

Written with the product's bulk loader (`klient.contacts.bulk`), like `bench contacts`,
but without that benchmark's raw-load limit: this data set is built once and kept.
Per N people: N/10 organizations, 3N interactions, N/2 tasks (60% open). Every 50th
person also works at one big organization, so its card has 2% of all people on it.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from typing import Any

from bench.contacts_bench import CHUNK, _now, _person_rows, interaction_rows

BIG_ORG_EVERY = 50
TASKS_PER_PERSON = 0.5
TASK_COLUMNS = (
    "workspace_id",
    "title",
    "description",
    "assignee_id",
    "created_by_id",
    "team_id",
    "due_at",
    "status",
    "completed_at",
    "person_id",
    "organization_id",
    "interaction_id",
    "created_at",
)
TASK_TITLES = (
    "Перезвонить",
    "Отправить коммерческое предложение",
    "Подготовить договор",
    "Изпрати оферта",
    "Follow up on the quote",
    "Уточнить реквизиты",
)


def _tasks(workspace_id: int, ids: list[int], rows: list[Any], rnd: random.Random, now: Any) -> Any:
    """Tasks on people of this chunk, assigned to each person's owner: due from a month
    ago to two months ahead, a tenth undated, 40% done."""
    from klient.contacts.bulk import TableRows, db_datetime

    out = []
    for _ in range(int(len(ids) * TASKS_PER_PERSON)):
        who = rnd.randrange(len(ids))
        row = rows[who]
        due = (
            None
            if rnd.random() < 0.1
            else db_datetime(now + timedelta(minutes=rnd.randrange(-30 * 1440, 60 * 1440)))
        )
        is_done = rnd.random() < 0.4
        out.append(
            (
                workspace_id,
                rnd.choice(TASK_TITLES),
                "",
                row.owner_id,
                row.owner_id,
                row.team_id,
                due,
                "done" if is_done else "open",
                db_datetime(now - timedelta(minutes=rnd.randrange(1, 30 * 1440)))
                if is_done
                else None,
                ids[who],
                None,
                None,
                db_datetime(now),
            )
        )
    return TableRows("activities_task", TASK_COLUMNS, out)


def load(args: argparse.Namespace, ctx: dict[str, Any]) -> dict[str, Any]:
    """Load the data set; returns counts and timings for the report."""
    from django.db import connection, transaction

    from bench.datagen import DataGen
    from klient.contacts.bulk import (
        OrganizationRow,
        db_datetime,
        organizations_bulk_insert,
        people_bulk_insert,
        rows_insert,
    )

    people_total = args.people
    orgs_total = max(1, people_total // 10)
    gen = DataGen(seed=args.seed, organizations=orgs_total)
    rnd = random.Random(args.seed + 1)
    workspace_id, owners = ctx["workspace_id"], ctx["owners"]
    started = time.perf_counter()
    gen_orgs = [gen.organization(index) for index in range(orgs_total)]
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
        org_ids.extend(organizations_bulk_insert(workspace_id=workspace_id, organizations=chunk))

    counts = {"people": 0, "organizations": orgs_total, "interactions": 0, "tasks": 0}
    last_print = time.perf_counter()
    while counts["people"] < people_total:
        done = counts["people"]
        size = min(CHUNK, people_total - done)
        rows = _person_rows(list(gen.people(size, gen_orgs)), org_ids, rnd, owners)
        for index, row in enumerate(rows, done):
            if index % BIG_ORG_EVERY == 0:
                others = [link for link in row.organizations if link[0] != org_ids[0]]
                row.organizations = [(org_ids[0], "employee"), *others]
        pending = []
        for _ in range(3 * size):  # 3 interactions a person on average, unevenly spread
            who = rnd.randrange(size)
            author_id, team_id = owners[rnd.randrange(len(owners))]
            language = rows[who].preferred_language or "ru"
            pending.append((who, author_id, team_id, gen.interaction(language=language)))
        ids = people_bulk_insert(workspace_id=workspace_id, people=rows)
        now = _now()
        interactions = interaction_rows(workspace_id, ids, rows, pending, db_datetime(now))
        tasks = _tasks(workspace_id, ids, rows, rnd, now)
        with transaction.atomic():
            rows_insert(interactions)
            rows_insert(tasks)
        counts["people"] += size
        counts["interactions"] += len(interactions.rows)
        counts["tasks"] += len(tasks.rows)
        if time.perf_counter() - last_print > 30:
            last_print = time.perf_counter()
            print(f"  load: {counts['people']:,}/{people_total:,} people", flush=True)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # The statistics the daily planner job (or an import) leaves behind; PostgreSQL's
        # VACUUM also merges the GIN pending list the first searches would otherwise scan.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        **counts,
        "big_organization_id": org_ids[0],
        "load_seconds": load_seconds,
        "analyze_seconds": time.perf_counter() - started,
    }
