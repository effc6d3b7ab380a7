"""Periodic jobs run once per due time, however many workers' schedulers enqueue them.

The whole thing with two real workers on Redis is tests/deploy/test_two_nodes.py; here the
due time, the claim and the registered huey task, on both databases.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from huey import crontab
from huey.contrib.djhuey import HUEY

from klient.core import jobs
from klient.core.jobs import periodic
from klient.core.models import PeriodicRun
from klient.core.periodic_runs import periodic_claim, periodic_due
from tests.core.pg_threads import Worker, pg_only

ran: list[str] = []


@periodic("tests.periodic.count")
def count_periodic() -> None:
    ran.append("run")


def _huey_task(name: str):
    """A fresh instance of the periodic task registered as `name`, as a scheduler makes."""
    for task_class in HUEY._registry._periodic_tasks:
        if task_class.__name__ == name:
            return task_class()
    raise AssertionError(f"no periodic task {name!r} is registered with huey")


@pytest.fixture(autouse=True)
def _reset():
    ran.clear()


def at(hour: int, minute: int, second: int = 0, day: int = 15) -> datetime:
    return datetime(2026, 6, day, hour, minute, second, tzinfo=UTC)


def test_the_due_time_of_an_every_minute_job_is_the_current_minute():
    assert periodic_due(crontab(), at(12, 34, 56)) == at(12, 34)


def test_a_daily_job_run_late_still_counts_for_its_due_minute():
    daily = crontab(minute="27", hour="4")
    assert periodic_due(daily, at(4, 28, 10)) == at(4, 27)
    assert periodic_due(daily, at(4, 27, 0)) == at(4, 27)
    # Before today's time: yesterday's run is the latest due.
    assert periodic_due(daily, at(4, 26, 59)) == at(4, 27, day=14)


@pytest.mark.django_db
def test_only_the_first_claim_of_a_due_time_wins():
    assert periodic_claim(name="tests.claim", due=at(12, 0)) is True
    assert periodic_claim(name="tests.claim", due=at(12, 0)) is False
    # The next minute is a new period; a late run for an earlier one gets nothing.
    assert periodic_claim(name="tests.claim", due=at(12, 1)) is True
    assert periodic_claim(name="tests.claim", due=at(12, 0)) is False
    # Each job has its own row.
    assert periodic_claim(name="tests.other", due=at(12, 0)) is True
    assert PeriodicRun.objects.get(name="tests.claim").due_at == at(12, 1)


@pytest.mark.django_db
def test_two_workers_enqueueing_the_same_minute_run_the_job_once(monkeypatch):
    """Each worker's scheduler enqueues the job; the second run of a minute does nothing."""
    monkeypatch.setattr(jobs, "periodic_now", lambda: at(9, 15, 5))
    _huey_task("tests.periodic.count").execute()
    monkeypatch.setattr(jobs, "periodic_now", lambda: at(9, 15, 50))
    _huey_task("tests.periodic.count").execute()
    assert ran == ["run"]

    monkeypatch.setattr(jobs, "periodic_now", lambda: at(9, 16, 5))
    _huey_task("tests.periodic.count").execute()
    assert ran == ["run", "run"]


def test_calling_the_function_directly_is_not_claimed():
    """Tests and management code call a periodic function as a plain function."""
    count_periodic()
    count_periodic()
    assert ran == ["run", "run"]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_due_time_give_it_to_exactly_one():
    """Two threads, each on its own connection, claim the same minutes at the same time
    (the first minute also creates the job's row): one wins each minute."""
    start = threading.Barrier(2)

    def claim_minutes() -> list[bool]:
        won = []
        for minute in range(20):
            start.wait()
            won.append(periodic_claim(name="tests.race", due=at(10, minute)))
        return won

    workers = [Worker(claim_minutes) for _ in range(2)]
    for worker in workers:
        worker.start()
    first, second = (worker.outcome() for worker in workers)
    assert [a + b for a, b in zip(first, second, strict=True)] == [1] * 20
