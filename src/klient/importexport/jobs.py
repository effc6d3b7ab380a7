"""Background job of the import: thin, takes an id, idempotent (resumes from the checkpoint)."""

from __future__ import annotations

from klient.core.jobs import job, periodic
from klient.importexport.engine import import_execute
from klient.importexport.services import abandoned_uploads_purge


# Not atomic: the import commits its own batches, each with its checkpoint.
@job("klient.importexport.import_run", retries=3, retry_delay=30, atomic=False)
def import_run_job(*, import_id: int) -> None:
    """Run or resume the import. A worker killed mid-way leaves the outbox row pending, so
    the sweep dispatches it again and the run continues after the last committed batch;
    while another live process holds the import, this raises and the row stays pending."""
    import_execute(job_id=import_id)


@periodic("klient.importexport.abandoned_uploads_purge", minute="17")
def abandoned_uploads_purge_periodic() -> None:
    abandoned_uploads_purge()
