"""Background jobs of import and export: thin, take an id, idempotent (an import resumes
from its checkpoint; an export starts its file over)."""

from __future__ import annotations

from klient.core.jobs import job, periodic
from klient.importexport.engine import import_execute
from klient.importexport.export_jobs import export_execute, exports_purge
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


# Not atomic: the export reports its progress as it goes, for the page to show.
@job("klient.importexport.export_run", retries=3, retry_delay=30, atomic=False)
def export_run_job(*, export_id: int) -> None:
    """Write the export's file. A worker killed mid-file leaves the outbox row pending;
    the next dispatch starts the file over once the dead attempt's lease is stale."""
    export_execute(export_id=export_id)


@periodic("klient.importexport.exports_purge", minute="47")
def exports_purge_periodic() -> None:
    exports_purge()
