"""Background jobs: one decorator over huey, with a durable outbox.

huey's storage removes a job before running it, so a worker killed mid-job would
lose it. A durable job is therefore first written to `OutboxJob` in the same
transaction as the change that caused it, dispatched to huey only after commit,
marked done by its run, and dispatched again by `outbox_sweep` while it stays
pending. Every attempt counts in the row; the last allowed one failing leaves the row
`failed` for an administrator (core.outbox_services). Handlers must be idempotent: a
re-run after a crash must change nothing the first run already changed.

An atomic job (the default) runs in one transaction that also marks its row done, so
its database writes and "done" commit together. Its deadline is a processing limit:
an attempt that runs past it is rolled back and fails (docs/adr/0002).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY

from klient.core.models import OutboxJob
from klient.core.periodic_runs import periodic_due, periodic_run_once
from klient.core.public_links import public_link_uses_prune
from klient.core.services import planner_statistics_refresh

logger = logging.getLogger(__name__)

_JOBS: dict[str, Job] = {}
_deadline: ContextVar[float | None] = ContextVar("klient_job_deadline", default=None)
ERROR_CHARS = 4000
PRUNE_BATCH = 5000


class JobDeferred(Exception):
    """Raised by a job that cannot run now (another live process holds what it needs):
    the attempt is not counted and the sweep dispatches the job again later."""


class DeadlineExceeded(Exception):
    """The attempt ran past its job's deadline; its transaction was rolled back."""


def monotonic() -> float:
    """The clock deadlines are measured on (a seam: tests move it instead of sleeping)."""
    return time.monotonic()


def deadline_check() -> None:
    """Stop the current attempt now if its deadline has passed: long jobs call this
    between steps so they give up early instead of finishing work that will be undone."""
    deadline = _deadline.get()
    if deadline is not None and monotonic() > deadline:
        raise DeadlineExceeded("the job ran past its deadline")


class Job:
    """A named background job. Call it to run now; `.enqueue(**kwargs)` to run in a worker."""

    def __init__(
        self,
        *,
        name: str,
        func: Callable[..., Any],
        retries: int,
        retry_delay: int,
        deadline: int | None,
        durable: bool,
        atomic: bool,
    ) -> None:
        if deadline is not None and not atomic:
            raise ValueError(f"job {name!r}: a deadline needs an atomic job, to roll it back")
        self.name = name
        self.func = func
        self.durable = durable
        self.atomic = atomic
        self.deadline = deadline
        self.max_attempts = retries + 1
        self._huey_task = HUEY.task(retries=retries, retry_delay=retry_delay, name=name)(
            self._run_outbox if durable else self._run_plain
        )

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def enqueue(self, **kwargs: Any) -> int | None:
        """Queue the job after the current transaction commits; returns the outbox id if durable."""
        return self.enqueue_in(None, **kwargs)

    def enqueue_in(self, workspace_id: int | None, /, **kwargs: Any) -> int | None:
        """`enqueue`, for a job of this workspace: its administrators see it if it fails."""
        if not self.durable:
            transaction.on_commit(lambda: self._huey_task(kwargs))
            return None
        return outbox_record(job=self, kwargs=kwargs, workspace_id=workspace_id)

    def _run_plain(self, kwargs: dict[str, Any]) -> None:
        self._attempt(kwargs, outbox_id=None)

    def _run_outbox(self, outbox_id: int) -> None:
        row = _attempt_claim(outbox_id)
        if row is None:
            return
        try:
            self._attempt(row.kwargs, outbox_id=row.pk)
        except JobDeferred as exc:
            OutboxJob.objects.filter(pk=row.pk).update(
                attempts=F("attempts") - 1, last_error=str(exc)[:ERROR_CHARS]
            )
            return
        except Exception:
            final = row.attempts >= row.max_attempts
            OutboxJob.objects.filter(pk=row.pk, status=OutboxJob.Status.PENDING).update(
                last_error=traceback.format_exc()[-ERROR_CHARS:],
                status=OutboxJob.Status.FAILED if final else OutboxJob.Status.PENDING,
            )
            if not final:
                raise  # huey schedules the next attempt after retry_delay
            logger.error(
                "job %s (outbox %s) failed after %s attempts", self.name, row.pk, row.attempts
            )

    def _attempt(self, kwargs: dict[str, Any], *, outbox_id: int | None) -> None:
        if not self.atomic:
            self.func(**kwargs)
            if outbox_id is not None:
                _mark_done(outbox_id)
            return
        started = monotonic()
        token = _deadline.set(None if self.deadline is None else started + self.deadline)
        try:
            with transaction.atomic():
                # Held to commit: a second copy of this attempt (a sweep re-dispatch)
                # waits here, then finds the row done and does nothing.
                if outbox_id is not None and not _lock_pending(outbox_id):
                    return
                with _statement_timeout(self.deadline):
                    self.func(**kwargs)
                if self.deadline is not None and monotonic() - started > self.deadline:
                    raise DeadlineExceeded(f"the job ran past its deadline of {self.deadline} s")
                if outbox_id is not None:
                    _mark_done(outbox_id)
        except DeadlineExceeded:
            raise
        except Exception as exc:
            if self.deadline is not None and monotonic() - started > self.deadline:
                # e.g. PostgreSQL cancelled a query at the deadline: say what happened.
                raise DeadlineExceeded(
                    f"the job ran past its deadline of {self.deadline} s"
                ) from exc
            raise
        finally:
            _deadline.reset(token)


def _attempt_claim(outbox_id: int) -> OutboxJob | None:
    """Count the attempt in its own committed transaction, so even an attempt that
    kills its worker uses up one of the job's tries."""
    with transaction.atomic():
        row = (
            OutboxJob.objects.select_for_update()
            .filter(pk=outbox_id, status=OutboxJob.Status.PENDING)
            .first()
        )
        if row is None:
            return None
        if row.attempts >= row.max_attempts:
            # The last allowed attempt started and never reported back.
            row.status = OutboxJob.Status.FAILED
            row.last_error = row.last_error or "The last attempt did not finish (worker stopped)."
            row.save(update_fields=["status", "last_error"])
            return None
        row.attempts += 1
        row.dispatched_at = timezone.now()
        row.save(update_fields=["attempts", "dispatched_at"])
    return row


def _lock_pending(outbox_id: int) -> bool:
    return (
        OutboxJob.objects.select_for_update()
        .filter(pk=outbox_id, status=OutboxJob.Status.PENDING)
        .exists()
    )


def _mark_done(outbox_id: int) -> None:
    # A success wins over a failure recorded meanwhile by a concurrent copy; a
    # cancellation by an administrator stays.
    OutboxJob.objects.filter(
        pk=outbox_id, status__in=[OutboxJob.Status.PENDING, OutboxJob.Status.FAILED]
    ).update(status=OutboxJob.Status.DONE, done_at=timezone.now(), last_error="")


@contextmanager
def _statement_timeout(seconds: int | None) -> Iterator[None]:
    """On PostgreSQL, no query of the attempt may outlast the deadline (the server cancels
    it). Set in the attempt's transaction and put back, so a caller's stays as it was."""
    if seconds is None or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{seconds * 1000}"])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


def job(
    name: str,
    *,
    retries: int = 3,
    retry_delay: int = 10,
    deadline: int | None = None,
    durable: bool = True,
    atomic: bool = True,
) -> Callable[[Callable[..., Any]], Job]:
    """Declare a job with a stable dotted name, retries and an optional deadline (seconds).

    `atomic=False` for a job that commits its own steps (an import in batches); such a
    job takes no deadline, since nothing could roll its committed steps back."""

    def decorate(func: Callable[..., Any]) -> Job:
        return job_register(
            Job(
                name=name,
                func=func,
                retries=retries,
                retry_delay=retry_delay,
                deadline=deadline,
                durable=durable,
                atomic=atomic,
            )
        )

    return decorate


def job_register(declared: Job) -> Job:
    if declared.name in _JOBS:
        raise RuntimeError(f"job {declared.name!r} is declared twice")
    _JOBS[declared.name] = declared
    return declared


def job_get(name: str) -> Job:
    return _JOBS[name]


def outbox_record(
    *, job: Job, kwargs: dict[str, Any], workspace_id: int | None, dedupe_key: str = ""
) -> int:
    """Write the job's outbox row in the current transaction and dispatch it after commit.
    With a dedupe key already recorded, nothing new is written or dispatched."""
    fields = {
        "workspace_id": workspace_id,
        "name": job.name,
        "kwargs": kwargs,
        "max_attempts": job.max_attempts,
    }
    if dedupe_key:
        row, created = OutboxJob.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        if not created:
            return row.pk
    else:
        row = OutboxJob.objects.create(**fields)
    transaction.on_commit(lambda: outbox_dispatch(outbox_id=row.pk))
    return row.pk


def outbox_dispatch(*, outbox_id: int) -> None:
    """Hand a pending outbox row to huey."""
    row = OutboxJob.objects.filter(pk=outbox_id, status=OutboxJob.Status.PENDING).first()
    if row is None:
        return
    declared = _JOBS.get(row.name)
    if declared is None:
        # Renamed or removed in code: shown to administrators rather than swept forever.
        OutboxJob.objects.filter(pk=row.pk).update(
            status=OutboxJob.Status.FAILED, last_error=f"No job is declared as {row.name!r}."
        )
        logger.error("outbox row %s names unknown job %s", row.pk, row.name)
        return
    OutboxJob.objects.filter(pk=row.pk).update(dispatched_at=timezone.now())
    declared._huey_task(row.pk)


def outbox_sweep(*, older_than_seconds: int | None = None) -> int:
    """Dispatch again every pending job not dispatched (or not finished) recently.

    A job whose deadline is longer than the wait is left alone until its deadline has
    passed too: until then its attempt may still be running."""
    wait = (
        settings.KLIENT_OUTBOX_REDISPATCH_AFTER
        if older_than_seconds is None
        else older_than_seconds
    )
    now = timezone.now()
    cutoff = now - timedelta(seconds=wait)
    stale = OutboxJob.objects.filter(status=OutboxJob.Status.PENDING).filter(
        dispatched_at__isnull=True, created_at__lte=cutoff
    ) | OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, dispatched_at__lte=cutoff)
    swept = 0
    for outbox_id, name, dispatched_at in stale.values_list("pk", "name", "dispatched_at")[:10_000]:
        declared = _JOBS.get(name)
        if (
            declared is not None
            and declared.deadline is not None
            and dispatched_at is not None
            and dispatched_at > now - timedelta(seconds=declared.deadline)
        ):
            continue
        outbox_dispatch(outbox_id=outbox_id)
        swept += 1
    return swept


def outbox_prune(*, older_than_days: int | None = None) -> int:
    """Delete done rows finished more than `KLIENT_OUTBOX_KEEP_DONE_DAYS` ago, in short
    batches so writers never wait long; pending, failed and cancelled rows stay."""
    days = settings.KLIENT_OUTBOX_KEEP_DONE_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            OutboxJob.objects.filter(status=OutboxJob.Status.DONE, done_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += OutboxJob.objects.filter(pk__in=ids).delete()[0]


Scheduled = TypeVar("Scheduled", bound=Callable[..., Any])


def periodic(name: str, *, minute: str = "*", hour: str = "*") -> Callable[[Scheduled], Scheduled]:
    """A task the worker runs on a schedule (crontab fields, in UTC). Periodic work must
    be idempotent and cheap to repeat: a missed run is simply done by the next one.

    Every worker's scheduler enqueues it, but it runs once per due time however many
    workers there are: each run first claims its due time (core.periodic_runs)."""
    schedule = crontab(minute=minute, hour=hour)

    def register(function: Scheduled) -> Scheduled:
        def run_once() -> None:
            periodic_run_once(
                name=name, due=periodic_due(schedule, periodic_now()), function=function
            )

        run_once.__doc__ = function.__doc__
        run_once.__module__ = function.__module__
        HUEY.periodic_task(schedule, name=name)(run_once)
        return function

    return register


def periodic_now() -> datetime:
    """Now on the clock huey's scheduler matches crontabs against (UTC unless the huey
    instance says otherwise), as an aware datetime."""
    if HUEY.utc:
        return datetime.now(UTC)
    return datetime.now().astimezone()


@periodic("klient.core.outbox_sweep")
def outbox_sweep_periodic() -> None:
    outbox_sweep()


@periodic("klient.core.outbox_prune", minute="27", hour="4")
def outbox_prune_periodic() -> None:
    outbox_prune()


@periodic("klient.core.planner_statistics_refresh", minute="43", hour="3")
def planner_statistics_refresh_periodic() -> None:
    planner_statistics_refresh()


@periodic("klient.core.public_link_uses_prune", minute="33", hour="4")
def public_link_uses_prune_periodic() -> None:
    public_link_uses_prune()
