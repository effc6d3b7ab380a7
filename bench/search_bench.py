"""Search phase: the product's person_list(q=...) against the bare substring index."""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from bench.report import Report, percentile

KINDS = (
    "name prefix",
    "first + last prefix",
    "name substring",
    "email fragment",
    "phone digits '916 12'",
    "phone typed '+7 (916) 123'",
    "phone trunk '8 916 123'",
    "upper-case prefix",
)


def _phone_fragments(e164: str, rnd: random.Random) -> tuple[str, str, str]:
    """(spaced digits, typed international prefix, national trunk prefix) for a stored phone."""
    if e164.startswith("+7"):
        code, rest = e164[2:5], e164[5:]
        return (f"{code} {rest[:2]}", f"+7 ({code}) {rest[:3]}", f"8 {code} {rest[:3]} {rest[3:5]}")
    if e164.startswith("+359"):
        code, rest = e164[4:6], e164[6:]
        return (f"{code} {rest[:3]}", f"+359 {code} {rest[:3]}", f"0{code} {rest[:3]} {rest[3:5]}")
    code, rest = e164[3:7], e164[7:]
    return (f"{code} {rest[:2]}", f"+44 {code} {rest[:3]}", f"0{code} {rest[:4]}")


def fragments_sample(
    *, count: int, seed: int, people: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """(kind, fragment) pairs cut from real rows, so each should find at least its source."""
    rnd = random.Random(seed)
    out: list[tuple[str, str]] = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        person = people[rnd.randrange(len(people))]
        last = person["last_name"] or person["first_name"]
        if kind == "name prefix":
            fragment = last[: rnd.randint(3, 5)]
        elif kind == "first + last prefix":
            fragment = f"{person['first_name']} {last[: rnd.randint(3, 4)]}"
        elif kind == "name substring":
            word = max(person["full_name"].split(), key=len)
            size = min(len(word), rnd.randint(3, 5))
            start = rnd.randrange(0, len(word) - size + 1)
            fragment = word[start : start + size].lower()
        elif kind == "email fragment":
            local = person["primary_email"].split("@")[0]
            size = min(len(local), rnd.randint(4, 8))
            start = rnd.randrange(0, len(local) - size + 1)
            fragment = local[start : start + size]
        elif kind.startswith("phone"):
            spaced, typed, trunk = _phone_fragments(person["primary_phone"], rnd)
            fragment = {
                "phone digits '916 12'": spaced,
                "phone typed '+7 (916) 123'": typed,
                "phone trunk '8 916 123'": trunk,
            }[kind]
        else:
            fragment = last[: rnd.randint(3, 5)].upper()
        out.append((kind, fragment))
    return out


def phase_search(args: argparse.Namespace, ctx: dict[str, Any], report: Report) -> None:
    from django.db import connection, reset_queries

    from bench.limits.bare_search import BareSearch
    from klient.contacts.models import Person
    from klient.contacts.selectors import person_list
    from klient.core.models import User

    admin = User.objects.get(pk=ctx["admin"].pk)
    rnd = random.Random(args.seed + 7)
    max_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rnd.randint(1, max_id) for _ in range(args.fragments * 2)]
    people = list(
        Person.objects.filter(pk__in=ids)
        .exclude(primary_phone="")
        .values("first_name", "last_name", "full_name", "primary_email", "primary_phone")
    )
    fragments = fragments_sample(count=args.fragments, seed=args.seed, people=people)
    bare = BareSearch(
        sqlite_path=ctx["sqlite_path"] if ctx["vendor"] == "sqlite" else None,
        pg_dsn=ctx["dsn"] or None,
    )
    workspace_id = ctx["workspace_id"]

    def ours(fragment: str) -> list[Person]:
        return list(person_list(user=admin, filters={"q": fragment})[:20])

    for _kind, fragment in fragments[:20]:  # warm both paths (page cache, statement caches)
        ours(fragment)
        bare.indexed(fragment, workspace_id=workspace_id)
    ours_ms: list[float] = []
    bare_ms: list[float] = []
    by_kind: dict[str, list[float]] = {}
    misses: list[str] = []
    bare_misses: list[str] = []
    for index, (kind, fragment) in enumerate(fragments):
        # Alternate which goes first so neither always finds a warmer cache.
        order = (0, 1) if index % 2 else (1, 0)
        for which in order:
            started = time.perf_counter()
            found: list[Any] = (
                ours(fragment) if which == 0 else bare.indexed(fragment, workspace_id=workspace_id)
            )
            elapsed = (time.perf_counter() - started) * 1000
            if which == 0:
                ours_ms.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
                if not found:
                    misses.append(fragment)
            else:
                bare_ms.append(elapsed)
                if not found:
                    bare_misses.append(fragment)
        reset_queries()
    like_ms: list[float] = []
    for _kind, fragment in fragments[:20]:
        started = time.perf_counter()
        bare.unindexed(fragment, workspace_id=workspace_id)
        like_ms.append((time.perf_counter() - started) * 1000)
    bare.close()
    connection.close()

    limit_name = "bare FTS5 trigram" if ctx["vendor"] == "sqlite" else "bare pg_trgm LIKE"
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        report.figure(
            "search",
            f"person_list(q)[:20] {label} ms",
            percentile(ours_ms, fraction),
            percentile(bare_ms, fraction),
            limit_name=limit_name,
            higher_is_better=False,
            goal="<= 3x",
        )
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        report.figure(
            "search",
            f"unindexed LIKE {label} ms (reference, 20 queries)",
            percentile(like_ms, fraction),
            percentile(bare_ms, fraction),
            limit_name=limit_name,
            higher_is_better=False,
        )
    report.extra(
        "search",
        fragments=len(fragments),
        p95_by_kind_ms={
            kind: round(percentile(values, 0.95), 3) for kind, values in by_kind.items()
        },
        examples=[fragment for _kind, fragment in fragments[: len(KINDS)]],
        ours_no_result=misses,
        bare_no_result=bare_misses,
    )
    examples = ", ".join(repr(fragment) for _kind, fragment in fragments[:8])
    print(f"search  fragments {len(fragments)}, e.g. {examples}")
    print(
        f"search  no result: ours {len(misses)} {misses[:5]}, bare {len(bare_misses)} "
        f"{bare_misses[:5]}"
    )
    for kind, values in by_kind.items():
        print(f"search    {kind:<30} p95 {percentile(values, 0.95):7.2f} ms")
