"""Writes of the catalogue: products and services with a net price, a unit, a VAT rate
and a currency. Administrators and managers keep it (`catalogue.manage`); everyone
reads it. An item is archived, never deleted: quotes name it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from klient.core.capabilities import require
from klient.core.errors import ValidationFailed
from klient.core.models import User, Workspace
from klient.core.services import actor_workspace_id, audit_record
from klient.money.currencies import currency_check
from klient.sales.quote_models import Product
from klient.sales.quotes.lines import price_check, vat_check
from klient.sales.quotes.selectors import product_get

PRODUCT_FIELDS = ("kind", "name", "sku", "description", "unit", "price", "currency", "vat_rate")


def _clean(actor: User, data: Mapping[str, Any], *, product: Product | None) -> dict[str, Any]:
    """The product's fields from `data`, checked: every error at once."""
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in sorted(unknown)})
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field, limit in (("name", 300), ("unit", 20), ("sku", 64)):
        if field in data:
            text = " ".join(str(data[field] or "").split())
            if len(text) > limit:
                errors[field] = _("At most %(count)s characters.") % {"count": limit}
            elif not text and field != "sku":
                errors[field] = _("This field is required.")
            values[field] = text
    if "description" in data:
        values["description"] = str(data["description"] or "")[:5000]
    if "kind" in data:
        if data["kind"] not in Product.Kind.values:
            errors["kind"] = _("Unknown value “%(value)s”.") % {"value": data["kind"]}
        values["kind"] = data["kind"]
    checks = (("price", price_check), ("vat_rate", vat_check), ("currency", None))
    for field, check in checks:
        if field not in data:
            continue
        try:
            values[field] = (
                currency_check(data[field]) if check is None else check(data[field], field=field)
            )
        except ValidationFailed as error:
            errors.update(
                {field: error.fields.get(field, error.message)}
                if field == "currency"
                else error.fields
            )
    sku = values.get("sku")
    if sku and "sku" not in errors:
        taken = Product.objects.filter(workspace_id=actor_workspace_id(actor), sku=sku)
        if product is not None:
            taken = taken.exclude(pk=product.pk)
        if taken.exists():
            errors["sku"] = _("Another item of the catalogue has this code.")
    if errors:
        raise ValidationFailed(fields=errors)
    return values


@transaction.atomic
def product_create(
    *,
    actor: User,
    name: str,
    unit: str,
    price: object,
    vat_rate: object,
    currency: str | None = None,
    kind: str = Product.Kind.PRODUCT,
    sku: str = "",
    description: str = "",
) -> Product:
    """A catalogue item; its currency is the workspace's unless given."""
    require(actor, "catalogue.manage")
    workspace_id = actor_workspace_id(actor)
    if currency is None:
        currency = Workspace.objects.values_list("default_currency", flat=True).get(pk=workspace_id)
    values = _clean(
        actor,
        {
            "name": name,
            "unit": unit,
            "price": price,
            "vat_rate": vat_rate,
            "currency": currency,
            "kind": kind,
            "sku": sku,
            "description": description,
        },
        product=None,
    )
    product = Product.objects.create(workspace_id=workspace_id, **values)
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="product.create",
        instance=product,
        changes={field: (None, values[field]) for field in ("name", "price", "currency")},
    )
    return product


@transaction.atomic
def product_update(*, actor: User, product_id: int, data: Mapping[str, Any]) -> Product:
    """Change an item. Quotes already made keep the name and price they copied."""
    require(actor, "catalogue.manage")
    product = product_get(user=actor, product_id=product_id)
    values = _clean(actor, data, product=product)
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in values.items():
        before = getattr(product, field)
        if before != value:
            setattr(product, field, value)
            changes[field] = (before, value)
    if changes:
        product.save(update_fields=[*changes, "updated_at"])
        audit_record(
            workspace=product.workspace_id,
            actor=actor,
            action="product.update",
            instance=product,
            changes=changes,
        )
    return product


@transaction.atomic
def product_archive(*, actor: User, product_id: int, archived: bool = True) -> Product:
    """Take an item out of the catalogue's choices (or put it back)."""
    require(actor, "catalogue.manage")
    product = product_get(user=actor, product_id=product_id)
    if product.archived != archived:
        product.archived = archived
        product.save(update_fields=["archived", "updated_at"])
        audit_record(
            workspace=product.workspace_id,
            actor=actor,
            action="product.archive" if archived else "product.restore",
            instance=product,
            changes={"archived": (not archived, archived)},
        )
    return product
