"""Background jobs: one decorator over huey, with a durable outbox.

huey's storage removes a job before running it, so a worker killed mid-job would
lose it. A durable job is therefore first written to `OutboxJob` in the same
transaction as the change that caused it, dispatched to huey only after commit,
marked done by its handler, and dispatched again by `outbox_sweep` while it stays
pending. Handlers must be idempotent: a re-run after a crash must change nothing
the first run already changed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY

from klient.core.models import OutboxJob
from klient.core.services import planner_statistics_refresh

logger = logging.getLogger(__name__)

_JOBS: dict[str, Job] = {}


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
    ) -> None:
        self.name = name
        self.func = func
        self.durable = durable
        self._huey_task = HUEY.task(
            retries=retries, retry_delay=retry_delay, expires=deadline, name=name
        )(self._run_outbox if durable else self._run_plain)

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def enqueue(self, **kwargs: Any) -> int | None:
        """Queue the job after the current transaction commits; returns the outbox id if durable."""
        if not self.durable:
            transaction.on_commit(lambda: self._huey_task(kwargs))
            return None
        row = OutboxJob.objects.create(name=self.name, kwargs=kwargs)
        transaction.on_commit(lambda: outbox_dispatch(outbox_id=row.pk))
        return row.pk

    def _run_plain(self, kwargs: dict[str, Any]) -> None:
        self.func(**kwargs)

    def _run_outbox(self, outbox_id: int) -> None:
        with transaction.atomic():
            row = OutboxJob.objects.select_for_update().filter(pk=outbox_id).first()
            if row is None or row.status != OutboxJob.Status.PENDING:
                return
            row.attempts += 1
            row.save(update_fields=["attempts"])
        try:
            self.func(**row.kwargs)
        except Exception:
            OutboxJob.objects.filter(pk=outbox_id).update(last_error=traceback.format_exc()[-4000:])
            raise
        OutboxJob.objects.filter(pk=outbox_id, status=OutboxJob.Status.PENDING).update(
            status=OutboxJob.Status.DONE, done_at=timezone.now(), last_error=""
        )


def job(
    name: str,
    *,
    retries: int = 3,
    retry_delay: int = 10,
    deadline: int | None = None,
    durable: bool = True,
) -> Callable[[Callable[..., Any]], Job]:
    """Declare a job with a stable dotted name, retries and an optional deadline (seconds)."""

    def decorate(func: Callable[..., Any]) -> Job:
        if name in _JOBS:
            raise RuntimeError(f"job {name!r} is declared twice")
        declared = Job(
            name=name,
            func=func,
            retries=retries,
            retry_delay=retry_delay,
            deadline=deadline,
            durable=durable,
        )
        _JOBS[name] = declared
        return declared

    return decorate


def job_get(name: str) -> Job:
    return _JOBS[name]


def outbox_dispatch(*, outbox_id: int) -> None:
    """Hand a pending outbox row to huey."""
    row = OutboxJob.objects.filter(pk=outbox_id, status=OutboxJob.Status.PENDING).first()
    if row is None:
        return
    declared = _JOBS.get(row.name)
    if declared is None:
        logger.error("outbox row %s names unknown job %s", row.pk, row.name)
        return
    OutboxJob.objects.filter(pk=row.pk).update(dispatched_at=timezone.now())
    declared._huey_task(row.pk)


def outbox_sweep(*, older_than_seconds: int | None = None) -> int:
    """Dispatch again every pending job not dispatched (or not finished) recently."""
    wait = (
        settings.KLIENT_OUTBOX_REDISPATCH_AFTER
        if older_than_seconds is None
        else older_than_seconds
    )
    cutoff = timezone.now() - timedelta(seconds=wait)
    stale = OutboxJob.objects.filter(status=OutboxJob.Status.PENDING).filter(
        dispatched_at__isnull=True, created_at__lte=cutoff
    ) | OutboxJob.objects.filter(status=OutboxJob.Status.PENDING, dispatched_at__lte=cutoff)
    ids = list(stale.values_list("pk", flat=True)[:10_000])
    for outbox_id in ids:
        outbox_dispatch(outbox_id=outbox_id)
    return len(ids)


F = TypeVar("F", bound=Callable[..., Any])


def periodic(name: str, *, minute: str = "*", hour: str = "*") -> Callable[[F], F]:
    """A task the worker runs on a schedule (crontab fields). Periodic work must be
    idempotent and cheap to repeat: a missed run is simply done by the next one."""

    def register(function: F) -> F:
        HUEY.periodic_task(crontab(minute=minute, hour=hour), name=name)(function)
        return function

    return register


@periodic("klient.core.outbox_sweep")
def outbox_sweep_periodic() -> None:
    outbox_sweep()


@periodic("klient.core.planner_statistics_refresh", minute="43", hour="3")
def planner_statistics_refresh_periodic() -> None:
    planner_statistics_refresh()
