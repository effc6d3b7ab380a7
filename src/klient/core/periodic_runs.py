"""One run of a periodic job per due time, however many workers enqueue it.

huey's scheduler runs inside every consumer (`klient worker`) and enqueues each periodic
job whose crontab matches the current minute; it knows nothing of other consumers. With
two workers (two nodes, or a second worker for throughput) every periodic job would run
twice a period. So the run first claims its due time in `PeriodicRun`: the first run for
a due time moves the job's row forward and does the work; a run that finds the row at
that due time (or later) skips. The claim commits before the work: a worker killed
mid-run leaves that period's work undone, and the next period's run does it (periodic
work is idempotent and catches up by design, core.jobs.periodic).

The due time is the latest minute at or before the run's start that matches the job's
crontab, read on the same clock huey schedules with. A run delayed past the minute it was
enqueued for (a busy queue) therefore still counts for that minute, unless a later due
time has come meanwhile, whose one run it then is. Nodes' clocks must agree (NTP): a
clock a minute off could make two workers see two different due times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from klient.core.models import PeriodicRun

logger = logging.getLogger(__name__)

# `periodic` takes minute and hour fields only: every schedule repeats within a day.
_LOOKBACK_MINUTES = 24 * 60


def periodic_due(matches: Callable[[datetime], bool], now: datetime) -> datetime:
    """The latest minute at or before `now` that the schedule matches (`now` itself,
    truncated to the minute, if none does within a day)."""
    minute = now.replace(second=0, microsecond=0)
    for back in range(_LOOKBACK_MINUTES):
        at = minute - timedelta(minutes=back)
        if matches(at):
            return at
    return minute


def periodic_claim(*, name: str, due: datetime) -> bool:
    """True for the first run of the job `name` for this due time, False for every other.

    Safe under concurrency: on PostgreSQL a second UPDATE waits for the first to commit
    and then no longer matches; a second insert of a new job's row fails on the unique
    name and `get_or_create` reads the first; SQLite serialises writers."""
    now = timezone.now()
    with transaction.atomic():
        moved = PeriodicRun.objects.filter(name=name, due_at__lt=due).update(
            due_at=due, claimed_at=now
        )
        if moved:
            return True
        _row, created = PeriodicRun.objects.get_or_create(
            name=name, defaults={"due_at": due, "claimed_at": now}
        )
        return created


def periodic_run_once(*, name: str, due: datetime, function: Callable[[], object]) -> bool:
    """Run `function` if this is the first run of `name` for `due`; True if it ran."""
    if not periodic_claim(name=name, due=due):
        logger.info(
            "periodic job %s: the run due at %s was taken by another worker; skipped",
            name,
            due.isoformat(),
        )
        return False
    function()
    return True
