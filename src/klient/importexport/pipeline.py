"""Read and validate the next batch while the database writes the current one.

Validation (phone parsing above all) is pure Python and holds the GIL; the database
driver releases it while SQLite or PostgreSQL works. A producer thread therefore
keeps a second core busy without a second process. The queue is short, so memory
stays flat; the producer stops when the consumer does, and any error it meets
(a file that turns out unreadable) is raised in the consumer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from django.utils import translation

from klient.importexport.readers import TableReader

ParsedRow = tuple[int, dict[str, Any] | None, list[tuple[str, str, str]]]
_DONE = object()
QUEUE_BATCHES = 2


def parsed_batches(
    *, reader: TableReader, parser: Any, after: int, batch_rows: int, language: str
) -> Iterator[list[ParsedRow]]:
    """Batches of (row number, record or None, errors) for rows numbered above `after`."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_BATCHES)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language or None):
                batch: list[ParsedRow] = []
                for number, values, problem in reader.rows(after=after):
                    if problem:
                        batch.append((number, None, [("", "", problem)]))
                    else:
                        record, errors = parser.parse(values)
                        batch.append((number, record, errors))
                    if len(batch) >= batch_rows:
                        if not put(batch):
                            return
                        batch = []
                if batch and not put(batch):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    thread = threading.Thread(target=produce, name="klient-import-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)
