"""Domain events: declared by the app that sends them, handled by the apps that listen.

An app declares its events in its own `events.py`, each with a payload dataclass of
ids and plain values (never model instances), and sends one from the service that
made the change:

    events.task_assigned.send_on_commit(workspace_id=..., task_id=..., ...)

Another app connects its handlers in its `AppConfig.ready()`. A handler is called
with the payload and the occurrence's `event_id` (unique per send, for idempotency):

- `connect(handler)` (durable, the default): one outbox row per occurrence and handler
  is written in the sending transaction and run by a worker after commit, with
  retries and a deadline. A crash between commit and handling loses nothing; a
  handler that raises never undoes the change, it is retried. Must be idempotent.
  `connect(handler, when=predicate)` records it only for the sends where
  `predicate(payload)` is true, asked in the sending transaction (e.g. "does this
  workspace have a webhook?"): the outbox stays free of rows nobody needs.
- `connect(handler, durable=False)`: run in this process right after commit; an
  exception is logged, never raised. For cheap best-effort work (a cache).
- `connect_in_transaction(handler)`: run inside the sending transaction, at the send.
  An exception rolls the change back. Only for what must be true when the change
  commits (a merge moving the duplicate's records); keep such handlers few and fast.

core imports no domain app: events are declared and connected from the apps.
The catalogue is docs/events.md; `events_declared()` lists what is declared so far.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar

from django.db import transaction

from klient.core.jobs import Job, job_register, outbox_record
from klient.core.models import OutboxJob

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

logger = logging.getLogger(__name__)

Params = ParamSpec("Params")
P = TypeVar("P", bound="DataclassInstance")
P_contra = TypeVar("P_contra", bound="DataclassInstance", contravariant=True)

_EVENTS: dict[str, Event[Any, Any]] = {}
_captures: list[list[Sent]] = []


class Handler(Protocol[P_contra]):
    __name__: str
    __qualname__: str

    def __call__(self, payload: P_contra, /, *, event_id: str) -> object: ...


@dataclasses.dataclass(frozen=True)
class Sent:
    """One send, as recorded by `captured()`."""

    name: str
    payload: object
    event_id: str


class Event(Generic[Params, P]):
    """A named domain event with a typed payload (a dataclass with a `workspace_id`)."""

    def __init__(self, name: str, payload: Callable[Params, P]) -> None:
        if "workspace_id" not in _field_names(payload):
            raise TypeError(f"event {name!r}: the payload must be a dataclass with workspace_id")
        if name in _EVENTS:
            raise RuntimeError(f"event {name!r} is declared twice")
        self.name = name
        self.payload = payload
        # Rebuilds a payload from its stored values (durable deliveries).
        self._rebuild: Callable[..., P] = payload
        self._in_transaction: list[Handler[P]] = []
        self._after_commit: list[Handler[P]] = []
        self._durable: list[tuple[Job, Callable[[P], bool] | None]] = []
        _EVENTS[name] = self

    def send_on_commit(self, *args: Params.args, **kwargs: Params.kwargs) -> list[object]:
        """Send the event from inside the transaction of the change it reports.

        Runs the in-transaction handlers now and returns their results in the order
        they were connected; records the durable deliveries; schedules the rest for
        after commit. A rolled-back change sends nothing after commit."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name} must be sent inside its change's transaction")
        payload = self.payload(*args, **kwargs)
        values = payload_values(payload)
        event_id = uuid.uuid4().hex
        for capture in _captures:
            capture.append(Sent(name=self.name, payload=payload, event_id=event_id))
        results = [handler(payload, event_id=event_id) for handler in self._in_transaction]
        for delivery, when in self._durable:
            if when is not None and not when(payload):
                continue
            outbox_record(
                job=delivery,
                kwargs={"event_id": event_id, "payload": values},
                workspace_id=values["workspace_id"],
                dedupe_key=f"{event_id}:{delivery.name}",
            )
        if self._after_commit:
            transaction.on_commit(lambda: self._run_after_commit(payload, event_id))
        return results

    def connect(
        self,
        handler: Handler[P],
        *,
        durable: bool = True,
        retries: int = 5,
        retry_delay: int = 30,
        deadline: int = 60,
        when: Callable[[P], bool] | None = None,
    ) -> None:
        """Listen after commit: through the outbox (durable) or in this process.

        `when` (durable only) is asked at each send, in the sending transaction; the
        occurrence is recorded for this handler only if it returns true. Keep it to one
        cheap query."""
        if not durable:
            if when is not None:
                raise ValueError("`when` filters durable handlers only")
            self._after_commit.append(handler)
            return
        name = f"{self.name}:{handler.__module__}.{handler.__qualname__}"
        if len(name) > OutboxJob._meta.get_field("name").max_length:  # type: ignore[operator]
            raise ValueError(f"handler job name too long for the outbox: {name!r}")

        def deliver(*, event_id: str, payload: dict[str, Any]) -> object:
            return handler(self._rebuild(**payload), event_id=event_id)

        # The row stores the job's name: renaming the handler orphans pending rows
        # (they turn failed, shown to administrators).
        delivery = job_register(
            Job(
                name=name,
                func=deliver,
                retries=retries,
                retry_delay=retry_delay,
                deadline=deadline,
                durable=True,
                atomic=True,
            )
        )
        self._durable.append((delivery, when))

    def connect_in_transaction(self, handler: Handler[P]) -> None:
        """Run `handler` inside the sending transaction; its failure undoes the change."""
        self._in_transaction.append(handler)

    def disconnect(self, handler: Handler[P]) -> None:
        """Stop calling a non-durable or in-transaction handler (tests)."""
        for handlers in (self._in_transaction, self._after_commit):
            if handler in handlers:
                handlers.remove(handler)

    def _run_after_commit(self, payload: P, event_id: str) -> None:
        for handler in list(self._after_commit):
            try:
                handler(payload, event_id=event_id)
            except Exception:
                logger.exception("handler %s of %s failed", handler.__name__, self.name)


def _field_names(payload: object) -> set[str]:
    if not dataclasses.is_dataclass(payload):
        return set()
    return {field.name for field in dataclasses.fields(payload)}


def payload_values(payload: DataclassInstance) -> dict[str, Any]:
    """The payload as JSON values; anything but ids and plain values is refused."""
    values = dataclasses.asdict(payload)
    for key, value in values.items():
        items = value if isinstance(value, list) else [value]
        if not all(item is None or isinstance(item, int | str | bool) for item in items):
            raise TypeError(f"event payload {key!r}: ids and plain values only, got {value!r}")
    return values


def event_get(name: str) -> Event[Any, Any]:
    return _EVENTS[name]


def events_declared() -> list[Event[Any, Any]]:
    """Every event declared so far, by name. An app's events are declared when its
    `events` module is imported: call this once the apps are ready."""
    return [_EVENTS[name] for name in sorted(_EVENTS)]


@contextmanager
def captured() -> Iterator[list[Sent]]:
    """Record every event sent inside the block (tests); handlers still run."""
    sent: list[Sent] = []
    _captures.append(sent)
    try:
        yield sent
    finally:
        _captures.remove(sent)
