"""Scheduled work of the timeline."""

from __future__ import annotations

from klient.activities.services import task_reminders_send
from klient.core.jobs import periodic


@periodic("klient.activities.task_reminders")
def task_reminders_periodic() -> None:
    """Each minute: reminders whose time came. A run that finds more than a batch leaves
    the rest to the next minute's run."""
    task_reminders_send()
