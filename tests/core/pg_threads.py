"""Threads that each hold their own PostgreSQL connection, for tests of concurrent writes.

SQLite's in-memory test database is shared-cache: SQLite locks it table by table and a
second connection fails at once (SQLITE_LOCKED) instead of waiting, so these tests run on
PostgreSQL only; SQLite's own concurrency is tested with processes on a database file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need PostgreSQL: SQLite's in-memory test database cannot wait on locks",
)


class Worker(threading.Thread):
    """Runs `target` on its own connection, keeping its result or its exception."""

    def __init__(self, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._target_call = target
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._target_call()
        except BaseException as error:  # handed to the test, which asserts on it
            self.error = error
        finally:
            connections.close_all()

    def outcome(self, timeout: float = 60) -> Any:
        self.join(timeout)
        assert not self.is_alive(), "the worker did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def sessions_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def wait_for_lock_waiters(count: int, *, polls: int = 3000) -> None:
    """Return once `count` sessions wait on a lock; fail if they never do."""
    for _ in range(polls):
        if sessions_waiting_on_a_lock() >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{count} session(s) never waited on a lock")
