"""Quote lines as asked for (`LineIn`), checked and computed into `QuoteLine` rows, and
stored on a quote with its totals. Used by `services.py` in its transactions; nothing
here opens one or checks who may write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.services import actor_workspace_id
from klient.money.currencies import currency_check
from klient.money.errors import CurrencyMismatch
from klient.sales.quote_models import Product, Quote, QuoteLine
from klient.sales.quotes.lines import (
    LINES_MAX,
    discount_check,
    line_compute,
    price_check,
    quantity_check,
    quote_totals,
    vat_check,
)


def _text(value: object, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


@dataclass(frozen=True)
class LineIn:
    """A line as asked for: from a catalogue item (`product_id`; name, unit, price and VAT
    taken from it unless given) or written out in full. Numbers as Decimal, int or text."""

    product_id: int | None = None
    name: str = ""
    description: str = ""
    unit: str = ""
    quantity: object = None
    unit_price: object = None
    discount_percent: object = 0
    vat_rate: object = None
    currency: str = ""


class QuoteCurrencyMixed(CurrencyMismatch):
    """A line in another currency than its quote's: every line of a quote is in one."""

    def __init__(self, currency: str, other: str, *, fields: dict[str, Any]) -> None:
        super().__init__(currency, other)
        self.message = _(
            "All lines of a quote are in its currency (%(currency)s); %(other)s cannot be mixed in."
        ) % {"currency": currency, "other": other}
        self.fields = fields


def lines_build(actor: User, *, currency: str, lines: Sequence[LineIn]) -> list[QuoteLine]:
    """Check every line and compute its figures; all errors of all lines at once, keyed
    `lines[i].field`, and nothing written when any is wrong."""
    if len(lines) > LINES_MAX:
        raise ValidationFailed(
            fields={"lines": _("At most %(count)s lines.") % {"count": LINES_MAX}}
        )
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    products = {
        product.pk: product
        for product in Product.objects.filter(
            workspace_id=actor_workspace_id(actor), pk__in=product_ids
        )
    }
    errors: dict[str, Any] = {}
    mixed: str | None = None
    built: list[QuoteLine] = []
    for index, line in enumerate(lines):
        key = f"lines[{index}]"
        product = products.get(line.product_id) if line.product_id is not None else None
        if line.product_id is not None and product is None:
            errors[f"{key}.product_id"] = _("Unknown product.")
            continue
        line_currency = line.currency or (product.currency if product else currency)
        if line_currency != currency:
            try:
                currency_check(line_currency)
            except ValidationFailed:
                errors[f"{key}.currency"] = _("Unsupported currency.")
                continue
            mixed = line_currency
            field = "currency" if line.currency else "product_id"
            errors[f"{key}.{field}"] = _("In %(currency)s, not in the quote's currency.") % {
                "currency": line_currency
            }
            continue
        values: dict[str, Any] = {}
        checks = (
            ("quantity", quantity_check, line.quantity),
            ("unit_price", price_check, _or(line.unit_price, product and product.price)),
            ("discount_percent", discount_check, _or(line.discount_percent, 0)),
            ("vat_rate", vat_check, _or(line.vat_rate, product and product.vat_rate)),
        )
        for name, check, value in checks:
            if value is None:
                errors[f"{key}.{name}"] = _("This field is required.")
                continue
            try:
                values[name] = check(value, field=f"{key}.{name}")
            except ValidationFailed as error:
                errors.update(error.fields)
        name_text = _text(line.name, 300) or (product.name if product else "")
        if not name_text:
            errors[f"{key}.name"] = _("This field is required.")
        if len(values) < len(checks) or not name_text:
            continue
        figures = line_compute(currency=currency, **values)
        built.append(
            QuoteLine(
                position=index,
                product=product,
                name=name_text,
                description=str(line.description or (product.description if product else ""))[
                    :5000
                ],
                unit=_text(line.unit, 20) or (product.unit if product else ""),
                net=figures.net.amount,
                vat=figures.vat.amount,
                gross=figures.gross.amount,
                **values,
            )
        )
    if mixed is not None:
        raise QuoteCurrencyMixed(currency, mixed, fields=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return built


def _or(value: object, default: object) -> object:
    return default if value is None or value == "" else value


def lines_store(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    """Replace the quote's lines and set its totals: the sums of the rounded lines."""
    QuoteLine.objects.filter(quote=quote).delete()
    for position, line in enumerate(lines):
        line.pk = None
        line.quote = quote
        line.position = position
    QuoteLine.objects.bulk_create(lines)
    totals = quote_totals(
        (
            line_compute(
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
                discount_percent=Decimal(line.discount_percent),
                vat_rate=Decimal(line.vat_rate),
                currency=quote.currency,
            )
            for line in lines
        ),
        currency=quote.currency,
    )
    quote.net_total = totals.net.amount
    quote.vat_total = totals.vat.amount
    quote.gross_total = totals.gross.amount


def lines_of(quote: Quote) -> list[LineIn]:
    """A quote's lines as input again (a form showing a draft, a copy)."""
    return [
        LineIn(
            product_id=line.product_id,
            name=line.name,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_rate=line.vat_rate,
        )
        for line in QuoteLine.objects.filter(quote=quote).order_by("position", "id")
    ]
