"""The outbox to the end: attempts counted in the row, a job that keeps failing ends
failed with its error, a deadline that rolls an attempt back, and pruning of done rows."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from klient.core import jobs
from klient.core.jobs import (
    JobDeferred,
    deadline_check,
    job,
    outbox_dispatch,
    outbox_prune,
    outbox_sweep,
)
from klient.core.models import OutboxJob, User
from klient.notifications.models import Notification
from klient.notifications.services import notification_create

pytestmark = pytest.mark.django_db

runs: list[str] = []
clock = {"now": 1000.0}


@job("tests.outbox_failures.always_fails", retries=2, retry_delay=0)
def always_fails(*, reason: str) -> None:
    runs.append(reason)
    raise RuntimeError(f"the SMTP server said: {reason}")


@job("tests.outbox_failures.slow", retries=1, deadline=5)
def slow(*, user_id: int, seconds: float) -> None:
    """Writes, then takes `seconds` on the test clock (only on its first run)."""
    notification_create(
        recipient=User.objects.get(pk=user_id), kind="test", text="slow", dedupe_key="slow"
    )
    if not runs:
        clock["now"] += seconds
    runs.append("slow")


@job("tests.outbox_failures.careful", retries=0, deadline=5)
def careful(*, user_id: int) -> None:
    """A long job that checks its deadline between steps."""
    user = User.objects.get(pk=user_id)
    for step in range(3):
        notification_create(recipient=user, kind="test", text="step", dedupe_key=f"step{step}")
        clock["now"] += 3
        runs.append(f"step{step}")
        deadline_check()


@job("tests.outbox_failures.busy", retries=0)
def busy() -> None:
    runs.append("busy")
    raise JobDeferred("another process holds the lease")


@job("tests.outbox_failures.sleeps", retries=0, deadline=1)
def sleeps() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(30)")


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    runs.clear()
    clock["now"] = 1000.0
    monkeypatch.setattr(jobs, "monotonic", lambda: clock["now"])


def test_a_job_failing_on_every_attempt_ends_failed_with_its_last_error(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = always_fails.enqueue(reason="mailbox full")

    row = OutboxJob.objects.get(pk=outbox_id)
    assert runs == ["mailbox full"] * 3  # the first attempt and huey's two retries
    assert (row.status, row.attempts, row.max_attempts) == ("failed", 3, 3)
    assert row.error_summary == "RuntimeError: the SMTP server said: mailbox full"
    assert "Traceback" in row.last_error


def test_a_failed_job_is_neither_swept_nor_run_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = always_fails.enqueue(reason="x")
    runs.clear()

    assert outbox_sweep(older_than_seconds=0) == 0
    outbox_dispatch(outbox_id=outbox_id)
    assert runs == []


def test_an_attempt_past_the_deadline_is_rolled_back_and_counts_as_one_try(
    agent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = slow.enqueue(user_id=agent_a.pk, seconds=6)

    row = OutboxJob.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert (
        row.error_summary
        == "klient.core.jobs.DeadlineExceeded: the job ran past its deadline of 5 s"
    )
    assert Notification.objects.filter(dedupe_key="slow").count() == 0


def test_after_a_deadline_failure_the_next_attempt_in_time_succeeds(
    agent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = slow.enqueue(user_id=agent_a.pk, seconds=6)
    # The sweep leaves a job alone for its deadline after its last attempt started.
    assert outbox_sweep(older_than_seconds=0) == 0
    OutboxJob.objects.filter(pk=outbox_id).update(
        dispatched_at=timezone.now() - timedelta(seconds=10)
    )

    assert outbox_sweep(older_than_seconds=0) == 1

    row = OutboxJob.objects.get(pk=outbox_id)
    assert (row.status, row.attempts, row.last_error) == ("done", 2, "")
    assert Notification.objects.filter(dedupe_key="slow").count() == 1


def test_an_attempt_within_its_deadline_commits(agent_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = slow.enqueue(user_id=agent_a.pk, seconds=4)

    assert OutboxJob.objects.get(pk=outbox_id).status == "done"
    assert Notification.objects.filter(dedupe_key="slow").count() == 1


def test_deadline_check_stops_a_long_job_at_the_step_that_passes_it(
    agent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = careful.enqueue(user_id=agent_a.pk)

    assert runs == ["step0", "step1"]
    row = OutboxJob.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "DeadlineExceeded" in row.error_summary
    assert Notification.objects.filter(kind="test").count() == 0


def test_a_deadline_needs_an_atomic_job():
    with pytest.raises(ValueError, match="needs an atomic job"):
        job("tests.outbox_failures.impossible", deadline=5, atomic=False)(lambda: None)


def test_a_deferred_job_keeps_its_attempts_and_stays_pending(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = busy.enqueue()

    row = OutboxJob.objects.get(pk=outbox_id)
    assert runs == ["busy"]
    assert (row.status, row.attempts, row.max_attempts) == ("pending", 0, 1)
    assert row.last_error == "another process holds the lease"


def test_a_last_attempt_that_never_reported_back_ends_failed():
    """The worker died during the last allowed attempt (e.g. killed for memory)."""
    long_ago = timezone.now() - timedelta(hours=1)
    row = OutboxJob.objects.create(
        name="tests.outbox_failures.always_fails",
        kwargs={"reason": "x"},
        attempts=3,
        max_attempts=3,
        dispatched_at=long_ago,
    )

    assert outbox_sweep() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "The last attempt did not finish (worker stopped)."
    assert runs == []


def test_a_row_naming_no_declared_job_turns_failed_instead_of_being_swept_forever():
    row = OutboxJob.objects.create(name="klient.gone.renamed_job", kwargs={})

    outbox_dispatch(outbox_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        "failed",
        "No job is declared as 'klient.gone.renamed_job'.",
    )


def test_pruning_removes_only_done_rows_older_than_the_setting(settings):
    settings.KLIENT_OUTBOX_KEEP_DONE_DAYS = 7
    now = timezone.now()
    rows = {}
    for label, status, age_days in (
        ("old done", "done", 8),
        ("recent done", "done", 6),
        ("old failed", "failed", 30),
        ("old pending", "pending", 30),
        ("old cancelled", "cancelled", 30),
    ):
        rows[label] = OutboxJob.objects.create(
            name="tests.x", status=status, done_at=now - timedelta(days=age_days)
        ).pk

    assert outbox_prune() == 1

    assert set(OutboxJob.objects.values_list("pk", flat=True)) == {
        rows["recent done"],
        rows["old failed"],
        rows["old pending"],
        rows["old cancelled"],
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
def test_on_postgresql_a_query_running_past_the_deadline_is_cancelled(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(jobs, "monotonic", time.monotonic)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = sleeps.enqueue()

    row = OutboxJob.objects.get(pk=outbox_id)
    assert row.status == "failed"
    assert "DeadlineExceeded" in row.error_summary
    assert "statement timeout" in row.last_error
    with connection.cursor() as cursor:  # the test's own transaction keeps its setting
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
