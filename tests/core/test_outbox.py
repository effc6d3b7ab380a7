"""The durable job outbox: recorded with the change, dispatched after commit, swept when a
worker died, and run exactly once in effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from klient.core.jobs import job, job_get, outbox_dispatch, outbox_sweep
from klient.core.models import OutboxJob
from klient.notifications.models import Notification
from klient.notifications.services import notification_create

pytestmark = pytest.mark.django_db

handled_for: list[int] = []
planned_failures: list[int] = []


@job("tests.outbox.notify", retries=0)
def notify(*, user_id: int, key: str) -> None:
    """An idempotent handler: the notification's dedupe key makes a re-run a no-op."""
    handled_for.append(user_id)
    if planned_failures:
        planned_failures.pop()
        raise RuntimeError("the SMTP server hung up")
    from klient.core.models import User

    notification_create(
        recipient=User.objects.get(pk=user_id), kind="test", text="hello", dedupe_key=key
    )


# Two attempts; the retry comes 10 s later (in tests huey only schedules it).
notify_twice = job("tests.outbox.notify_twice", retries=1)(notify.func)


@pytest.fixture(autouse=True)
def _reset():
    handled_for.clear()
    planned_failures.clear()


def test_a_rolled_back_change_leaves_no_job(agent_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_id = notify.enqueue(user_id=agent_a.pk, key="k1")
        assert OutboxJob.objects.filter(pk=outbox_id, status="pending").exists()
        raise RuntimeError("the change failed")
    assert OutboxJob.objects.count() == 0
    assert handled_for == []


def test_job_is_recorded_in_the_transaction_and_dispatched_only_after_commit(
    agent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_id = notify.enqueue(user_id=agent_a.pk, key="k2")
            row = OutboxJob.objects.get(pk=outbox_id)
            assert (row.name, row.kwargs, row.status) == (
                "tests.outbox.notify",
                {"user_id": agent_a.pk, "key": "k2"},
                "pending",
            )
            assert row.dispatched_at is None
        assert handled_for == []  # committed, callbacks not yet run
    row = OutboxJob.objects.get(pk=outbox_id)
    assert (row.status, row.attempts, row.last_error) == ("done", 1, "")
    assert row.dispatched_at is not None and row.done_at is not None
    assert handled_for == [agent_a.pk]
    assert Notification.objects.filter(recipient=agent_a, dedupe_key="k2").count() == 1


def test_a_job_whose_worker_died_is_dispatched_again_and_runs_once_in_effect(agent_a):
    # The worker took the job (attempts=1, dispatched an hour ago) and died mid-way:
    # it had already created the notification but never marked the row done.
    notification_create(recipient=agent_a, kind="test", text="hello", dedupe_key="k3")
    long_ago = timezone.now() - timedelta(hours=1)
    row = OutboxJob.objects.create(
        name="tests.outbox.notify",
        kwargs={"user_id": agent_a.pk, "key": "k3"},
        attempts=1,
        dispatched_at=long_ago,
    )
    OutboxJob.objects.filter(pk=row.pk).update(created_at=long_ago)

    assert outbox_sweep() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("done", 2)
    assert handled_for == [agent_a.pk]
    assert Notification.objects.filter(recipient=agent_a, dedupe_key="k3").count() == 1
    # Done rows are never swept or run again, whatever delivers them.
    assert outbox_sweep(older_than_seconds=0) == 0
    outbox_dispatch(outbox_id=row.pk)
    job_get("tests.outbox.notify")._run_outbox(row.pk)
    assert handled_for == [agent_a.pk]


def test_a_never_dispatched_job_is_swept_after_the_wait(agent_a):
    """The process died between commit and dispatch: the row was never handed to huey."""
    row = OutboxJob.objects.create(
        name="tests.outbox.notify", kwargs={"user_id": agent_a.pk, "key": "k4"}
    )
    assert outbox_sweep() == 0  # too fresh: its own dispatch may still be on the way
    OutboxJob.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert outbox_sweep() == 1
    assert OutboxJob.objects.get(pk=row.pk).status == "done"
    assert Notification.objects.filter(dedupe_key="k4").count() == 1


def test_a_recently_dispatched_job_is_left_to_its_worker(agent_a):
    OutboxJob.objects.create(
        name="tests.outbox.notify",
        kwargs={"user_id": agent_a.pk, "key": "k5"},
        attempts=1,
        dispatched_at=timezone.now(),
    )
    assert outbox_sweep() == 0
    assert handled_for == []


def test_a_failing_handler_stays_pending_with_its_error_until_a_run_succeeds(
    agent_a, django_capture_on_commit_callbacks
):
    planned_failures.append(1)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_id = notify_twice.enqueue(user_id=agent_a.pk, key="k6")
    row = OutboxJob.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "the SMTP server hung up" in row.last_error
    assert Notification.objects.filter(dedupe_key="k6").count() == 0

    assert outbox_sweep(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("done", 2, "")
    assert Notification.objects.filter(dedupe_key="k6").count() == 1
