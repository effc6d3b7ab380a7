"""REST endpoints of webhooks, for administrators: CRUD, the catalogue of events, the
delivery log and redelivery. An address that may not receive webhooks is a 422 naming
`url` (code `target_refused`), given before any connection is made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from klient.core.api_support import (
    ERROR_CODES,
    ErrorOut,
    Id,
    InSchema,
    Limit,
    PatchSchema,
    api_user,
    omittable,
)
from klient.core.capabilities import require
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.pagination import paginate_id_desc
from klient.webhooks import services
from klient.webhooks.handlers import subscribable_events
from klient.webhooks.models import URL_MAX_LENGTH
from klient.webhooks.selectors import (
    CAPABILITY,
    LOG_SIZE,
    delivery_get,
    delivery_list,
    webhook_get,
    webhook_list,
)

router = Router(tags=["webhooks"])

EventNames = list[str]


class WebhookIn(InSchema):
    url: str = Field(..., min_length=1, max_length=URL_MAX_LENGTH)
    event_names: EventNames = Field(..., min_length=1, max_length=100)


class WebhookPatch(PatchSchema):
    url: str = omittable(min_length=1, max_length=URL_MAX_LENGTH)
    event_names: EventNames = omittable(min_length=1, max_length=100)
    is_active: bool = omittable()


class WebhookOut(Schema):
    id: int
    url: str
    event_names: list[str]
    is_active: bool
    consecutive_failures: int
    disabled_reason: str = Field(description='"failures" when turned off after failures.')
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret. Shown only in this answer.")


class WebhookPageOut(Schema):
    items: list[WebhookOut]
    next_cursor: str | None


class EventsOut(Schema):
    event_names: list[str]


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event_name: str
    event_id: str
    status: str
    attempts: int
    response_status: int | None
    response_excerpt: str
    error: str
    duration_ms: int | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryListOut(Schema):
    items: list[DeliveryOut]


def _admin(request: HttpRequest) -> User:
    user = api_user(request)
    require(user, CAPABILITY)
    return user


@router.get("/webhooks/events", response={200: EventsOut, ERROR_CODES: ErrorOut})
def webhook_events(request: HttpRequest) -> Any:
    """The events a webhook may subscribe to."""
    _admin(request)
    return {"event_names": subscribable_events()}


@router.get("/webhooks", response={200: WebhookPageOut, ERROR_CODES: ErrorOut})
def webhook_index(request: HttpRequest, cursor: str | None = None, limit: Limit = 50) -> Any:
    return paginate_id_desc(webhook_list(user=_admin(request)), cursor=cursor, limit=limit)


@router.post("/webhooks", response={201: WebhookCreatedOut, ERROR_CODES: ErrorOut})
def webhook_add(request: HttpRequest, payload: WebhookIn) -> Any:
    webhook = services.webhook_create(
        actor=_admin(request), url=payload.url, event_names=payload.event_names
    )
    return Status(201, webhook)


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, ERROR_CODES: ErrorOut})
def webhook_detail(request: HttpRequest, webhook_id: Id) -> Any:
    return webhook_get(user=_admin(request), webhook_id=webhook_id)


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, ERROR_CODES: ErrorOut})
def webhook_change(request: HttpRequest, webhook_id: Id, payload: WebhookPatch) -> Any:
    user = _admin(request)
    return services.webhook_update(actor=user, webhook_id=webhook_id, **payload.changes())


@router.delete("/webhooks/{webhook_id}", response={204: None, ERROR_CODES: ErrorOut})
def webhook_remove(request: HttpRequest, webhook_id: Id) -> Any:
    services.webhook_delete(actor=_admin(request), webhook_id=webhook_id)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries", response={200: DeliveryListOut, ERROR_CODES: ErrorOut}
)
def webhook_deliveries(request: HttpRequest, webhook_id: Id, limit: Limit = LOG_SIZE) -> Any:
    """The webhook's latest deliveries, newest first."""
    user = _admin(request)
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    return {"items": delivery_list(user=user, webhook=webhook, limit=limit)}


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={200: DeliveryOut, ERROR_CODES: ErrorOut},
)
def webhook_redeliver(request: HttpRequest, webhook_id: Id, delivery_id: Id) -> Any:
    """Send the delivery again from its first attempt (same body, same delivery id)."""
    user = _admin(request)
    if delivery_get(user=user, delivery_id=delivery_id).webhook_id != webhook_id:
        raise NotFound(_("Delivery not found."))
    return services.delivery_redeliver(actor=user, delivery_id=delivery_id)
