"""Deliveries: recording them when an event happens, each attempt, retries and the rule
that turns a failing webhook off (docs/webhooks.md).

- The event handler (klient.webhooks.handlers) records one `WebhookDelivery` per active
  webhook of the workspace subscribed to the event, unique per (webhook, event id), and
  queues its first attempt through the outbox.
- An attempt (the job `klient.webhooks.delivery_attempt`) claims the delivery with a
  compare-and-set on its attempt count, then, outside any transaction (a SQLite
  transaction holds the write lock; a request may take seconds), checks the address
  again and POSTs the signed body; then records the answer. 2xx: delivered. Anything
  else, or no answer: the attempt failed.
- A failed attempt is tried again after RETRY_DELAYS (1 min, 5 min, 30 min, 2 h, 6 h):
  it sets `next_attempt_at`, and the periodic job `klient.webhooks.deliveries_due`
  queues the attempts that are due, each minute. An attempt whose worker died is taken
  up again once its lease (set by the claim) has passed. After MAX_ATTEMPTS the
  delivery is failed.
- KLIENT_WEBHOOK_DISABLE_AFTER failed deliveries in a row turn the webhook off, with a
  reason, audited; a delivered one sets the count back to zero.
- Finished deliveries are deleted after KEEP_DAYS (daily job).

The attempt job does not hold a transaction across the request, so it is not an atomic
job and core.jobs gives it no deadline of its own: its deadline is the transport's
(DEADLINE_SECONDS for the whole exchange; TIMEOUT_SECONDS per socket operation).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from klient.core.services import audit_record
from klient.webhooks.errors import TargetRefused
from klient.webhooks.guard import target_check
from klient.webhooks.models import RESPONSE_EXCERPT_CHARS, Webhook, WebhookDelivery
from klient.webhooks.signing import body_encode, signature
from klient.webhooks.transport import DeliveryFailed, post

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
DEADLINE_SECONDS = 10
# Seconds to wait after the start of attempt n before attempt n + 1.
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A queued attempt not heard of this long after it was due is queued again (the claim
# makes a second copy a no-op); also how long the last attempt has to report back.
ATTEMPT_LEASE_SECONDS = 300
DUE_BATCH = 500
# The delivery log keeps finished deliveries this long (pruned daily).
KEEP_DAYS = 30
PRUNE_BATCH = 5000
USER_AGENT = "Klient-Webhooks/1"

Pending = WebhookDelivery.Status.PENDING


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int | None = None


def unix_now() -> int:
    """The signature's timestamp (a seam: tests fix the clock here)."""
    return int(time.time())


def attempt_enqueue(*, delivery_id: int, workspace_id: int, attempt: int) -> None:
    """Queue attempt `attempt` of the delivery, through the outbox (after commit)."""
    from klient.webhooks.jobs import delivery_attempt_job

    delivery_attempt_job.enqueue_in(workspace_id, delivery_id=delivery_id, attempt=attempt)


def deliveries_record(*, event_name: str, event_id: str, payload: dict[str, Any]) -> list[int]:
    """One delivery per active webhook of the event's workspace subscribed to it, and its
    first attempt queued. Run again for the same event, it adds nothing."""
    workspace_id = payload["workspace_id"]
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(workspace_id=workspace_id, is_active=True).only(
            "pk", "event_names"
        )
        if event_name in webhook.event_names
    ]
    created: list[int] = []
    for webhook in webhooks:
        delivery_id = delivery_to(
            webhook_id=webhook.pk, event_name=event_name, event_id=event_id, payload=payload
        )
        if delivery_id is not None:
            created.append(delivery_id)
    return created


def delivery_to(
    *, webhook_id: int, event_name: str, event_id: str, payload: dict[str, Any]
) -> int | None:
    """One delivery of an occurrence to one webhook (a subscription, or a stage automation
    that names the webhook), its first attempt queued; None when that occurrence was
    already recorded for the webhook."""
    lease = timezone.now() + timedelta(seconds=ATTEMPT_LEASE_SECONDS)
    delivery, is_new = WebhookDelivery.objects.get_or_create(
        webhook_id=webhook_id,
        event_id=event_id,
        defaults={
            "workspace_id": payload["workspace_id"],
            "event_name": event_name,
            "payload": payload,
            "next_attempt_at": lease,
        },
    )
    if not is_new:
        return None
    attempt_enqueue(delivery_id=delivery.pk, workspace_id=payload["workspace_id"], attempt=1)
    return delivery.pk


def delivery_attempt(*, delivery_id: int, attempt: int) -> Outcome | None:
    """Make attempt number `attempt`, unless it was made already (None)."""
    if not _claim(delivery_id=delivery_id, attempt=attempt):
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if not delivery.webhook.is_active:
        # Turned off since: give up now, without counting it against the webhook.
        outcome = Outcome(delivered=False, error="The webhook is turned off.")
        _record(delivery_id=delivery_id, attempt=attempt, outcome=outcome, give_up=True)
        return outcome
    outcome = _send(delivery, delivery.webhook)
    _record(delivery_id=delivery_id, attempt=attempt, outcome=outcome)
    return outcome


def _claim(*, delivery_id: int, attempt: int) -> bool:
    # Compare-and-set: of two copies of one attempt (a retry, a sweep), one sends. Should
    # this attempt never report back, the lease makes `deliveries_due` take it up again.
    if not 1 <= attempt <= MAX_ATTEMPTS:
        return False
    lease = timezone.now() + timedelta(seconds=ATTEMPT_LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Pending, attempts=attempt - 1
    ).update(attempts=attempt, next_attempt_at=lease)
    return bool(claimed)


def _send(delivery: WebhookDelivery, webhook: Webhook) -> Outcome:
    body = body_encode(
        event_id=delivery.event_id,
        event_name=delivery.event_name,
        created_at=delivery.created_at,
        data=delivery.payload,
    )
    timestamp = unix_now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Klient-Event": delivery.event_name,
        "X-Klient-Delivery": str(delivery.pk),
        "X-Klient-Timestamp": str(timestamp),
        "X-Klient-Signature": signature(secret=webhook.secret, timestamp=timestamp, body=body),
    }
    try:
        # Again now, not only when saved: the name may resolve elsewhere today.
        target = target_check(webhook.url)
        answer = post(
            target,
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            deadline=DEADLINE_SECONDS,
        )
    except TargetRefused as exc:
        return Outcome(delivered=False, error=f"Refused before connecting: {exc.reason}")
    except DeliveryFailed as exc:
        return Outcome(delivered=False, error=str(exc), duration_ms=exc.duration_ms)
    delivered = 200 <= answer.status < 300
    return Outcome(
        delivered=delivered,
        status=answer.status,
        excerpt=answer.body[:RESPONSE_EXCERPT_CHARS],
        error="" if delivered else f"HTTP {answer.status}",
        duration_ms=answer.duration_ms,
    )


@transaction.atomic
def _record(*, delivery_id: int, attempt: int, outcome: Outcome, give_up: bool = False) -> None:
    now = timezone.now()
    final = outcome.delivered or give_up or attempt >= MAX_ATTEMPTS
    fields: dict[str, Any] = {
        "response_status": outcome.status,
        "response_excerpt": outcome.excerpt,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
    if outcome.delivered:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
    elif final:
        fields.update(status=WebhookDelivery.Status.FAILED)
    if final:
        fields["next_attempt_at"] = None
    else:
        fields["next_attempt_at"] = now + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    # Only if no redelivery restarted the count meanwhile.
    recorded = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Pending, attempts=attempt
    ).update(**fields)
    if not recorded or not final or give_up:
        return
    webhook_id = WebhookDelivery.objects.values_list("webhook_id", flat=True).get(pk=delivery_id)
    if outcome.delivered:
        Webhook.objects.filter(pk=webhook_id, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
    else:
        _failure_count(webhook_id=webhook_id)


def _failure_count(*, webhook_id: int) -> None:
    """One more failed delivery in a row; at the limit the webhook is turned off."""
    Webhook.objects.filter(pk=webhook_id).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
    limit = settings.KLIENT_WEBHOOK_DISABLE_AFTER
    if not webhook.is_active or webhook.consecutive_failures < limit:
        return
    webhook.is_active = False
    webhook.disabled_reason = Webhook.DISABLED_FAILURES
    webhook.save(update_fields=["is_active", "disabled_reason"])
    audit_record(
        workspace=webhook.workspace_id,
        actor=None,
        action="webhook.disable",
        instance=webhook,
        changes={
            "is_active": (True, False),
            "consecutive_failures": (None, webhook.consecutive_failures),
        },
    )
    logger.warning(
        "webhook %s turned off after %s failed deliveries", webhook.pk, webhook.consecutive_failures
    )


def deliveries_due(*, now: datetime | None = None) -> int:
    """Queue the attempts that are due (retries, and attempts that never reported back);
    fail a delivery whose last attempt never did. Returns how many were handled."""
    now = now or timezone.now()
    handled = 0
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=Pending, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", "workspace_id", "attempts")[:DUE_BATCH]
        )
        for delivery_id, workspace_id, attempts in due:
            if attempts >= MAX_ATTEMPTS:
                _record(
                    delivery_id=delivery_id,
                    attempt=attempts,
                    outcome=Outcome(delivered=False, error="The last attempt did not finish."),
                )
            else:
                WebhookDelivery.objects.filter(pk=delivery_id).update(
                    next_attempt_at=now + timedelta(seconds=ATTEMPT_LEASE_SECONDS)
                )
                attempt_enqueue(
                    delivery_id=delivery_id, workspace_id=workspace_id, attempt=attempts + 1
                )
            handled += 1
    return handled


def deliveries_prune(*, older_than_days: int = KEEP_DAYS) -> int:
    """Delete finished deliveries (delivered or failed) created more than
    `older_than_days` ago, in short batches; pending ones stay."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(
            WebhookDelivery.objects.filter(created_at__lt=cutoff)
            .exclude(status=Pending)
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
