"""What an administrator does with the workspace's background jobs: retry a failed one,
or cancel one that should not run. Audited like every write."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from klient.core.errors import Conflict, NotFound
from klient.core.jobs import outbox_dispatch
from klient.core.models import OutboxJob, User
from klient.core.services import actor_workspace_id, audit_record, require_admin


def _job_for_admin(actor: User, outbox_id: int) -> OutboxJob:
    require_admin(actor)
    row = (
        OutboxJob.objects.select_for_update()
        .filter(pk=outbox_id, workspace_id=actor_workspace_id(actor))
        .first()
    )
    if row is None:
        raise NotFound(_("Job not found."))
    return row


@transaction.atomic
def outbox_job_retry(*, actor: User, outbox_id: int) -> OutboxJob:
    """Run a failed job again, with all its attempts available anew."""
    row = _job_for_admin(actor, outbox_id)
    if row.status != OutboxJob.Status.FAILED:
        raise Conflict(_("Only a failed job can be retried."))
    row.status, row.attempts, row.dispatched_at = OutboxJob.Status.PENDING, 0, None
    row.save(update_fields=["status", "attempts", "dispatched_at"])
    audit_record(
        workspace=actor_workspace_id(actor),
        actor=actor,
        action="outbox_job.retry",
        instance=row,
        changes={"status": (OutboxJob.Status.FAILED, OutboxJob.Status.PENDING)},
    )
    transaction.on_commit(lambda: outbox_dispatch(outbox_id=row.pk))
    return row


@transaction.atomic
def outbox_job_cancel(*, actor: User, outbox_id: int) -> OutboxJob:
    """Never run this job again. A running attempt finishes, but its row stays cancelled."""
    row = _job_for_admin(actor, outbox_id)
    if row.status not in (OutboxJob.Status.FAILED, OutboxJob.Status.PENDING):
        raise Conflict(_("This job has already finished."))
    before = row.status
    row.status = OutboxJob.Status.CANCELLED
    row.save(update_fields=["status"])
    audit_record(
        workspace=actor_workspace_id(actor),
        actor=actor,
        action="outbox_job.cancel",
        instance=row,
        changes={"status": (before, OutboxJob.Status.CANCELLED)},
    )
    return row
