"""The timeline's blocks on the home page ("my day"): my tasks for today, recent activity
on my clients, and a chart of what I logged each day (registered from plug.py).

Each context runs a fixed number of queries, whatever the data: the home page's query
count is tested not to grow with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from klient.activities import selectors
from klient.activities.rows import owner_links, tasks_prepare
from klient.core.models import User

TASKS_SHOWN = 10
RECENT_SHOWN = 10
CHART_DAYS = 14
# The chart's SVG units: a bar and its gap per day, bars up to CHART_HEIGHT tall; a day
# without interactions keeps a stub so every day still has its bar.
CHART_HEIGHT = 100
BAR_STEP = 20
BAR_WIDTH = 14
STUB_HEIGHT = 2


def _midnight(day: date) -> datetime:
    """The start of `day` in the current time zone (DST-safe: not today's midnight + 24h)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def my_tasks_context(user: User) -> dict[str, Any]:
    """My overdue tasks and those due in the rest of today, with the counts: three queries."""
    now = timezone.now()
    day_end = _midnight(timezone.localdate(now) + timedelta(days=1))
    overdue = list(selectors.tasks_my_due(user=user, before=now)[:TASKS_SHOWN])
    today = list(selectors.tasks_my_due(user=user, after=now, before=day_end)[:TASKS_SHOWN])
    tasks_prepare([*overdue, *today])
    counts = selectors.tasks_my_counts(user=user, now=now, day_end=day_end)
    return {
        "now": now,
        "overdue": overdue,
        "today": today,
        "counts": counts,
        "more": counts["overdue"] > len(overdue) or counts["today"] > len(today),
    }


def recent_activity_context(user: User) -> dict[str, Any]:
    """The latest interactions on my clients: one query."""
    items = list(selectors.interactions_on_my_clients(user=user)[:RECENT_SHOWN])
    owner_links(items)
    return {"items": items}


@dataclass(frozen=True)
class ChartBar:
    day: date
    count: int
    x: int
    y: int
    width: int
    height: int
    is_today: bool


def chart_bars(counts: Sequence[tuple[date, int]], *, today: date) -> list[ChartBar]:
    """One bar per day, as tall as its count against the busiest day's."""
    peak = max((count for _day, count in counts), default=0)
    bars = []
    for index, (day, count) in enumerate(counts):
        height = STUB_HEIGHT
        if count and peak:
            height += round(count / peak * (CHART_HEIGHT - STUB_HEIGHT))
        bars.append(
            ChartBar(
                day=day,
                count=count,
                x=index * BAR_STEP + (BAR_STEP - BAR_WIDTH) // 2,
                y=CHART_HEIGHT - height,
                width=BAR_WIDTH,
                height=height,
                is_today=day == today,
            )
        )
    return bars


def my_chart_context(user: User) -> dict[str, Any]:
    """My interactions per day over the last CHART_DAYS days, today last: one query."""
    today = timezone.localdate()
    days = [today - timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1)]
    per_day = selectors.interactions_my_per_day(user=user, since=_midnight(days[0]))
    bars = chart_bars([(day, per_day.get(day, 0)) for day in days], today=today)
    return {
        "bars": bars,
        "total": sum(bar.count for bar in bars),
        "days": CHART_DAYS,
        "view_box": f"0 0 {CHART_DAYS * BAR_STEP} {CHART_HEIGHT}",
    }
