"""Jobs for the two-node test (test_two_nodes.py), imported only by the processes that
test starts (its workers and the helper scripts that enqueue and sweep), right after
`django.setup()`. Neither the product nor pytest's own process imports this module.

Both write to `nodes_probe_effect`, a table the test creates in its own database.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection

from klient.core.jobs import job, periodic

# The first attempt sleeps this long after its write: the test kills it meanwhile.
FIRST_ATTEMPT_SECONDS = 300
LATER_ATTEMPT_SECONDS = 1


def _effect(kind: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO nodes_probe_effect (kind, key, pid) VALUES (%s, %s, %s)",
            [kind, key, os.getpid()],
        )


@job("tests.deploy.probe_write", retries=3, retry_delay=1)
def probe_write(*, key: str) -> None:
    """Write the effect row, say so with a file named after the worker's pid, then sleep.

    An atomic job: the row commits together with the outbox row's "done", so a worker
    killed during the sleep leaves no row behind, and the run that completes the job
    writes the only one."""
    _effect("job", key)
    markers = Path(os.environ["KLIENT_TEST_PROBE_DIR"])
    earlier = any(markers.glob(f"started-{key}-*"))
    (markers / f"started-{key}-{os.getpid()}").touch()
    time.sleep(LATER_ATTEMPT_SECONDS if earlier else FIRST_ATTEMPT_SECONDS)


@periodic("tests.deploy.probe_tick")
def probe_tick() -> None:
    """Every minute: one row for the minute it ran in, with the worker's pid."""
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    _effect("tick", minute.isoformat())
