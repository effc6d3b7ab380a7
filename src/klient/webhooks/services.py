"""Administrators' writes on webhooks, each audited: create (the secret is returned once),
change, turn on or off, delete, and send a delivery again.

The address is checked (klient.webhooks.guard) before the transaction opens: resolving a
name may take a while, and a SQLite transaction holds the database's write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.core.capabilities import require
from klient.core.errors import Conflict, ValidationFailed
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record, model_apply_changes
from klient.webhooks.deliveries import ATTEMPT_LEASE_SECONDS, attempt_enqueue
from klient.webhooks.guard import target_check
from klient.webhooks.handlers import subscribable_events
from klient.webhooks.models import Webhook, WebhookDelivery
from klient.webhooks.selectors import CAPABILITY, delivery_get, webhook_get
from klient.webhooks.signing import secret_generate

# Every event is sent to each subscribed webhook: a bound on the fan-out per workspace.
MAX_PER_WORKSPACE = 20


def _event_names_clean(event_names: Sequence[str], errors: dict[str, Any]) -> list[str]:
    chosen = sorted(set(event_names))
    unknown = [name for name in chosen if name not in subscribable_events()]
    if not chosen:
        errors["event_names"] = _("Choose at least one event.")
    elif unknown:
        errors["event_names"] = _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}
    return chosen


def _url_clean(url: str, errors: dict[str, Any]) -> str:
    url = url.strip()
    if not url:
        errors["url"] = _("This field is required.")
    return url


def webhook_create(*, actor: User, url: str, event_names: Sequence[str]) -> Webhook:
    """A new active webhook with a fresh secret (`webhook.secret`: show it once)."""
    require(actor, CAPABILITY)
    workspace_id = actor_workspace_id(actor)
    errors: dict[str, Any] = {}
    url = _url_clean(url, errors)
    names = _event_names_clean(event_names, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if Webhook.objects.filter(workspace_id=workspace_id).count() >= MAX_PER_WORKSPACE:
        raise Conflict(
            _("A workspace can have at most %(limit)s webhooks.") % {"limit": MAX_PER_WORKSPACE}
        )
    target_check(url)
    with transaction.atomic():
        webhook = Webhook.objects.create(
            workspace_id=workspace_id,
            url=url,
            secret=secret_generate(),
            event_names=names,
            created_by=actor,
        )
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="webhook.create",
            instance=webhook,
            changes={"url": (None, url), "event_names": (None, names)},
        )
    return webhook


def webhook_update(
    *,
    actor: User,
    webhook_id: int,
    url: str | None = None,
    event_names: Sequence[str] | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change what was given. Turning a webhook on starts its failure count again."""
    require(actor, CAPABILITY)
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if url is not None:
        data["url"] = _url_clean(url, errors)
    if event_names is not None:
        data["event_names"] = _event_names_clean(event_names, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    current = webhook_get(user=actor, webhook_id=webhook_id)
    if "url" in data and data["url"] != current.url:
        target_check(data["url"])
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=current.pk)
        if is_active is not None:
            data["is_active"] = is_active
            if is_active and not webhook.is_active:
                data.update(consecutive_failures=0, disabled_reason="")
        changes = model_apply_changes(instance=webhook, data=data, fields=list(data))
        if changes:
            webhook.save(update_fields=list(changes))
            audit_record(
                workspace=webhook.workspace_id,
                actor=actor,
                action="webhook.update",
                instance=webhook,
                changes={
                    field: change
                    for field, change in changes.items()
                    if field not in ("consecutive_failures", "disabled_reason")
                },
            )
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, webhook_id: int) -> None:
    """Delete the webhook and its delivery log; attempts still queued find nothing."""
    require(actor, CAPABILITY)
    webhook = webhook_get(user=actor, webhook_id=webhook_id)
    audit_record(
        workspace=webhook.workspace_id,
        actor=actor,
        action="webhook.delete",
        instance=webhook,
        changes={"url": (webhook.url, None)},
    )
    webhook.delete()


@transaction.atomic
def delivery_redeliver(*, actor: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same body and id (the
    receiver may have lost it, or refused it while it was down)."""
    require(actor, CAPABILITY)
    delivery = delivery_get(user=actor, delivery_id=delivery_id)
    if not delivery.webhook.is_active:
        raise Conflict(_("The webhook is turned off: turn it on before sending again."))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now() + timedelta(seconds=ATTEMPT_LEASE_SECONDS),
        response_status=None,
        response_excerpt="",
        error="",
        duration_ms=None,
        delivered_at=None,
    )
    attempt_enqueue(delivery_id=delivery.pk, workspace_id=delivery.workspace_id, attempt=1)
    audit_record(
        workspace=delivery.workspace_id,
        actor=actor,
        action="webhook.redeliver",
        instance=delivery.webhook,
        changes={"event": (None, delivery.event_name), "delivery": (None, delivery.pk)},
    )
    delivery.refresh_from_db()
    return delivery
