"""Every domain event can be sent to webhooks: one durable handler per declared event.

Each handler is connected with `when=`, so an event is recorded in the outbox for
webhooks only when its workspace has an active webhook subscribed to it; the handler
then records the deliveries (klient.webhooks.deliveries). Its job name is
`<event>:klient.webhooks.handlers.webhook_deliveries_record`.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import autodiscover_modules

from klient.core.events import Event, events_declared, payload_values
from klient.webhooks.deliveries import deliveries_record
from klient.webhooks.selectors import webhook_subscribed

_subscribable: list[str] = []


class _EventHandler:
    """The handler of one event (a durable handler gets the payload, not the name)."""

    def __init__(self, event_name: str) -> None:
        self.event_name = event_name
        # The outbox names the job after these: keep them stable.
        self.__name__ = self.__qualname__ = "webhook_deliveries_record"

    def __call__(self, payload: Any, /, *, event_id: str) -> list[int]:
        return deliveries_record(
            event_name=self.event_name, event_id=event_id, payload=payload_values(payload)
        )

    def wanted(self, payload: Any) -> bool:
        return webhook_subscribed(workspace_id=payload.workspace_id, event_name=self.event_name)


def handlers_connect() -> None:
    """Called once from `AppConfig.ready()`: every app's `events` module is imported
    first, so each declared event is in the catalogue."""
    autodiscover_modules("events")
    for event in events_declared():
        _connect(event)


def _connect(event: Event[Any, Any]) -> None:
    handler = _EventHandler(event.name)
    event.connect(handler, when=handler.wanted, retries=5, retry_delay=30, deadline=60)
    _subscribable.append(event.name)


def subscribable_events() -> list[str]:
    """The events a webhook may subscribe to, by name."""
    return list(_subscribable)
