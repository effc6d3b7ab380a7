"""Background work of webhooks: one attempt of one delivery, the minute's retries, and
the daily pruning of the delivery log."""

from __future__ import annotations

from klient.core.jobs import job, periodic
from klient.webhooks.deliveries import deliveries_due, deliveries_prune, delivery_attempt


# Not atomic: the request must not run inside a transaction (deliveries.py). Its retries
# cover a failure before the attempt is claimed; a claimed attempt that fails is tried
# again by `deliveries_due`, with the delivery's own back-off.
@job("klient.webhooks.delivery_attempt", retries=2, retry_delay=30, atomic=False)
def delivery_attempt_job(*, delivery_id: int, attempt: int) -> None:
    delivery_attempt(delivery_id=delivery_id, attempt=attempt)


@periodic("klient.webhooks.deliveries_due")
def deliveries_due_periodic() -> None:
    deliveries_due()


@periodic("klient.webhooks.deliveries_prune", minute="37", hour="4")
def deliveries_prune_periodic() -> None:
    deliveries_prune()
