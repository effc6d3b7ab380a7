"""Scheduled upkeep of attached files."""

from __future__ import annotations

from klient.attachments.services import attachment_files_sweep
from klient.core.jobs import periodic


@periodic("klient.attachments.files_sweep", minute="17", hour="4")
def files_sweep_periodic() -> None:
    """Each night: rows whose record is gone, and files no row points at."""
    attachment_files_sweep()
