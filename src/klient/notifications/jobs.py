"""Background work of the notifications app: delivering queued messages and releasing
held ones as the rate limit allows."""

from __future__ import annotations

from klient.core.jobs import job, periodic
from klient.notifications import delivery
from klient.notifications.queue import held_release_due, held_workspaces


@job(
    "klient.notifications.message_deliver",
    retries=delivery.DELIVERY_RETRIES,
    retry_delay=delivery.DELIVERY_RETRY_DELAY,
    atomic=False,
)
def message_deliver(*, message_id: int) -> bool:
    return delivery.message_deliver(message_id=message_id)


@periodic("klient.notifications.held_release")
def held_release_periodic() -> None:
    """Each minute: held messages go out, oldest first, as far as each workspace's limit
    allows; the rest wait for the next minute."""
    for workspace_id in held_workspaces():
        held_release_due(workspace_id=workspace_id)
