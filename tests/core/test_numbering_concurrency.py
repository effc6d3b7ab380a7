"""Numbers taken at the same time: distinct, consecutive, no gap from a rollback.

PostgreSQL with threads, each on its own connection; SQLite with two processes writing
one database file (tests/core/pg_threads.py says why not threads there).
"""

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from django.db import transaction

from klient.core.models import NumberSequence
from klient.core.numbering import SequenceSpec, number_next, number_sequences
from tests.core.pg_threads import Worker, pg_only, wait_for_lock_waiters
from tests.factories import WorkspaceFactory

AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


class Rollback(Exception):
    pass


@pytest.fixture
def sequence():
    spec = number_sequences.register(SequenceSpec(key="test.request", prefix="REQ", width=6))
    yield spec
    number_sequences.unregister(spec.key)


def take(workspace_id):
    return number_next(workspace_id=workspace_id, key="test.request", at=AT)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_threads_taking_numbers_get_each_number_once_with_no_gaps(sequence):
    """8 threads start together, each runs 6 transactions and rolls back every third:
    the 32 committed numbers are 1..32, and the counter stands at 32."""
    workspace_id = WorkspaceFactory().pk
    start = threading.Barrier(8)

    def run():
        start.wait()
        committed = []
        for index in range(6):
            try:
                with transaction.atomic():
                    number = take(workspace_id)
                    if index % 3 == 2:
                        raise Rollback
                committed.append(number)
            except Rollback:
                pass
        return committed

    workers = [Worker(run) for _ in range(8)]
    for worker in workers:
        worker.start()
    numbers = [number for worker in workers for number in worker.outcome()]
    assert sorted(numbers) == [f"REQ-2026-{n:06d}" for n in range(1, 33)]
    assert NumberSequence.objects.get(workspace_id=workspace_id).value == 32


@pg_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first_ends", "second_gets"), [("commit", 2), ("rollback", 1)])
def test_a_second_taker_waits_for_the_first_transaction_to_end(sequence, first_ends, second_gets):
    workspace_id = WorkspaceFactory().pk
    first_took, first_may_end = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                number = take(workspace_id)
                first_took.set()
                assert first_may_end.wait(60)
                if first_ends == "rollback":
                    raise Rollback
        except Rollback:
            pass
        return number

    def second():
        assert first_took.wait(60)
        with transaction.atomic():
            return take(workspace_id)

    first_worker, second_worker = Worker(first), Worker(second)
    first_worker.start()
    second_worker.start()
    wait_for_lock_waiters(1)  # the second is blocked on the first's row
    first_may_end.set()
    assert first_worker.outcome() == "REQ-2026-000001"
    assert second_worker.outcome() == f"REQ-2026-{second_gets:06d}"


SETUP = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from klient.core.services import workspace_create
print(workspace_create(name="W").pk)
"""

TAKER = """
import django, os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from datetime import UTC, datetime
from django.db import connection, transaction
from klient.core.numbering import SequenceSpec, number_next, number_sequences
number_sequences.register(SequenceSpec(key="test.request", prefix="REQ", width=6))
workspace_id = int(sys.argv[1])
connection.ensure_connection()  # connected before the start line: both begin alike
print("ready", flush=True)
sys.stdin.readline()  # both processes start taking numbers together
for index in range(150):
    try:
        with transaction.atomic():
            number = number_next(
                workspace_id=workspace_id, key="test.request", at=datetime(2026, 6, 15, tzinfo=UTC)
            )
            if index % 3 == 2:
                raise LookupError
        print(number, flush=True)
    except LookupError:
        pass
    # A writer that begins again at once keeps the lock from one asleep in its busy
    # handler: a pause lets the two processes take turns.
    time.sleep(0.005)
"""

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("KLIENT_DATABASE_URL")), reason="SQLite's write lock"
)


@sqlite_only
@pytest.mark.slow
def test_on_sqlite_two_processes_get_each_number_once_with_no_gaps(tmp_path):
    """Two processes on one database file, started together, 150 transactions each,
    every third rolled back: the 200 committed numbers are 1..200."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    env["KLIENT_HOME"] = str(tmp_path)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, timeout=120, capture_output=True
    )
    workspace_id = setup.stdout.decode().split()[-1]
    takers = [
        subprocess.Popen(
            [sys.executable, "-c", TAKER, workspace_id],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    assert [taker.stdout.readline() for taker in takers] == [b"ready\n"] * 2
    for taker in takers:
        taker.stdin.write(b"go\n")
        taker.stdin.flush()
    outputs = [taker.communicate(timeout=120) for taker in takers]
    assert [taker.returncode for taker in takers] == [0, 0], [err for _out, err in outputs]
    first, second = (out.decode().split() for out, _err in outputs)
    assert sorted(first + second) == [f"REQ-2026-{n:06d}" for n in range(1, 201)]
    # They took turns, rather than one running after the other.
    assert min(first) < max(second) and min(second) < max(first)
