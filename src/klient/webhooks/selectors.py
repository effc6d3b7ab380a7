"""Reads of webhooks: scoped to the reader's workspace, for administrators only
(fail-closed: anyone else reads nothing)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from klient.core.capabilities import can
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.selectors import scoped
from klient.webhooks.models import Webhook, WebhookDelivery

CAPABILITY = "webhooks.manage"
LOG_SIZE = 50


def webhook_list(*, user: User) -> QuerySet[Webhook]:
    if not can(user, CAPABILITY):
        return Webhook.objects.none()
    return scoped(Webhook, user=user).order_by("-id")


def webhook_get(*, user: User, webhook_id: int) -> Webhook:
    webhook = webhook_list(user=user).filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(_("Webhook not found."))
    return webhook


def delivery_list(*, user: User, webhook: Webhook, limit: int = LOG_SIZE) -> list[WebhookDelivery]:
    """The webhook's latest deliveries, newest first (the delivery log)."""
    if not can(user, CAPABILITY):
        return []
    rows = scoped(WebhookDelivery, user=user).filter(webhook=webhook).order_by("-id")
    return list(rows.defer("payload")[:limit])


def delivery_get(*, user: User, delivery_id: int) -> WebhookDelivery:
    delivery = (
        scoped(WebhookDelivery, user=user).select_related("webhook").filter(pk=delivery_id).first()
        if can(user, CAPABILITY)
        else None
    )
    if delivery is None:
        raise NotFound(_("Delivery not found."))
    return delivery


def webhook_subscribed(*, workspace_id: int, event_name: str) -> bool:
    """Whether an active webhook of the workspace takes the event: asked at every send of
    every event, in the sender's transaction, so one small query (a workspace has a few
    webhooks; SQLite cannot search inside JSON lists)."""
    names = Webhook.objects.filter(workspace_id=workspace_id, is_active=True).values_list(
        "event_names", flat=True
    )
    return any(event_name in subscribed for subscribed in names)
