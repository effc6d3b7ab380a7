"""Read and validate the next batch while the database writes the current one.

Validation (phone parsing above all) is pure Python and holds the GIL. Small imports
parse in a producer thread, which overlaps only with the time the database driver
releases the GIL. Big ones parse in forked processes, so parsing and writing use every
core: with N parsers, parser k reads the whole file but validates only batches k, k+N,
k+2N, ..., and the consumer takes batch i from parser i mod N, so batches arrive in
file order whatever the parsers' speeds. Either way the hand-off queues are short, so
memory stays flat; the producers stop when the consumer does (or dies), and any error
they meet (a file that turns out unreadable) is raised in the consumer.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from klient.importexport.errors import ImportFileError
from klient.importexport.readers import TableReader

ParsedRow = tuple[int, dict[str, Any] | None, list[tuple[str, str, str]]]
_DONE = "done"
QUEUE_BATCHES = 2
_POLL_SECONDS = 0.2


def _produce(
    put: Callable[[Any], bool],
    *,
    reader: TableReader,
    parser: Any,
    after: int,
    batch_rows: int,
    language: str,
    share: tuple[int, int] = (0, 1),
) -> None:
    """Parse rows above `after` into batches handed to `put`; stops when `put` says so.

    `share` = (k, n): of the batches 0, 1, 2, ... only those with index mod n == k are
    parsed and handed on; the rows of the others are read and passed over."""
    mine, parsers = share
    with translation.override(language or None):
        batch: list[ParsedRow] = []
        index = in_batch = 0
        for number, values, problem in reader.rows(after=after):
            if index % parsers == mine:
                if problem:
                    batch.append((number, None, [("", "", problem)]))
                else:
                    record, errors = parser.parse(values)
                    batch.append((number, record, errors))
            in_batch += 1
            if in_batch >= batch_rows:
                if batch and not put(batch):
                    return
                batch, index, in_batch = [], index + 1, 0
        if batch and not put(batch):
            return
    put(_DONE)


def parsed_batches(
    *,
    reader: TableReader,
    parser: Any,
    after: int,
    batch_rows: int,
    language: str,
    in_process: bool = False,
    processes: int = 1,
) -> Iterator[list[ParsedRow]]:
    """Batches of (row number, record or None, errors) for rows numbered above `after`.

    `in_process` parses in `processes` child processes (forked: the parser and the
    reader are inherited, nothing is re-imported; only a reader that opens the file
    anew for every pass may be read by more than one); it falls back to a thread where
    a process cannot be started (a daemonic huey worker, no fork)."""
    options = {
        "reader": reader,
        "parser": parser,
        "after": after,
        "batch_rows": batch_rows,
        "language": language,
    }
    if in_process and _can_fork():
        parsers = max(1, processes) if reader.reopens_per_pass else 1
        return _process_batches(options, parsers)
    return _thread_batches(options)


def _thread_batches(options: dict[str, Any]) -> Iterator[list[ParsedRow]]:
    handoff: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_BATCHES)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            _produce(put, **options)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    thread = threading.Thread(target=produce, name="klient-import-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def _portable(exc: BaseException) -> BaseException:
    """The error as the parent can unpickle it; an unpicklable one becomes its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return ImportFileError(str(exc))
    return exc


def _child_main(handoff: Any, stop: Any, parent_pid: int, options: dict[str, Any]) -> None:
    def put(item: Any) -> bool:
        # A parent killed with SIGKILL cannot stop us: notice it is gone and quit.
        while not stop.is_set() and os.getppid() == parent_pid:
            try:
                handoff.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        handoff.cancel_join_thread()  # nobody will read what is still buffered
        return False

    def put_batch(item: Any) -> bool:
        # Pickled here, not in the queue's feeder thread: a value that cannot be pickled
        # must fail the import loudly, not drop its batch with a line on stderr.
        return put(pickle.dumps(item, pickle.HIGHEST_PROTOCOL) if isinstance(item, list) else item)

    try:
        _produce(put_batch, **options)
    except BaseException as exc:
        put(_portable(exc))


def _next_item(handoff: Any, child: Any) -> Any:
    while True:
        try:
            return handoff.get(timeout=_POLL_SECONDS * 5)
        except queue.Empty:
            if not child.is_alive():
                raise ImportFileError(
                    _("The file reader stopped unexpectedly (exit code %(code)s).")
                    % {"code": child.exitcode}
                ) from None


def _process_batches(options: dict[str, Any], parsers: int) -> Iterator[list[ParsedRow]]:
    context = multiprocessing.get_context("fork")
    handoffs = [context.Queue(maxsize=QUEUE_BATCHES) for _k in range(parsers)]
    stop = context.Event()
    children = [
        context.Process(
            target=_child_main,
            name=f"klient-import-parse-{k}",
            daemon=True,
            args=(handoffs[k], stop, os.getpid(), {**options, "share": (k, parsers)}),
        )
        for k in range(parsers)
    ]
    for child in children:
        child.start()
    try:
        for index in itertools.count():
            item = _next_item(handoffs[index % parsers], children[index % parsers])
            # The first parser to say "done" in batch order means no batch has this index.
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield pickle.loads(item)
    finally:
        stop.set()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
        for handoff in handoffs:
            handoff.close()
            handoff.cancel_join_thread()
