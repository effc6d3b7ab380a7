"""The arithmetic of a quote's lines. Pure: no ORM, no floats (docs/money.md).

A line: net = round(quantity × unit price × (100 − discount %) / 100), rounded once, half
up, to the currency's minor units; VAT = round(net × rate / 100) on the line
(`klient.money.vat.vat_from_net`); gross = net + VAT. The quote's totals are the sums of
its rounded lines, never the VAT of the summed net.

Example (RUB): 3 × 1 234.50 at 10 % discount: 3 703.50 × 0.9 = 3 333.15 net; VAT 20 % is
666.63; gross 3 999.78.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from klient.core.errors import ValidationFailed
from klient.money.amounts import Money
from klient.money.currencies import currency_check
from klient.money.errors import InvalidVatRate
from klient.money.vat import HUNDRED, VatTotals, vat_from_net, vat_rate_check, vat_totals

QUANTITY_PLACES = 3
PRICE_PLACES = 4
PERCENT_PLACES = 2
QUANTITY_MAX = Decimal(10) ** 9
PRICE_MAX = Decimal(10) ** 12
LINES_MAX = 500


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """One line's figures, each rounded: `list_amount` (quantity × price), the discount
    taken off it, and the net, VAT and gross the document prints."""

    list_amount: Money
    discount: Money
    net: Money
    vat: Money
    gross: Money
    vat_rate: Decimal


def _decimal(value: object, field: str, message: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal, an int or a string, not a float")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationFailed(fields={field: message})
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: message}) from None
    if not number.is_finite():
        raise ValidationFailed(fields={field: message})
    return number


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def quantity_check(value: object, *, field: str = "quantity") -> Decimal:
    """A quantity: greater than zero, at most three decimals (0.125 t, 1.5 h)."""
    number = _decimal(value, field, _("Enter the quantity as a number."))
    if number <= 0:
        raise ValidationFailed(fields={field: _("The quantity must be greater than zero.")})
    if number >= QUANTITY_MAX or _places(number) > QUANTITY_PLACES:
        raise ValidationFailed(fields={field: _("A quantity has at most 9 digits and 3 decimals.")})
    return number


def discount_check(value: object, *, field: str = "discount_percent") -> Decimal:
    """A discount in percent: from 0 to 100, at most two decimals."""
    number = _decimal(value, field, _("Enter the discount as a number."))
    if not HUNDRED >= number >= 0 or _places(number) > PERCENT_PLACES:
        raise ValidationFailed(fields={field: _("A discount is a percentage from 0 to 100.")})
    return number


def vat_check(value: object, *, field: str = "vat_rate") -> Decimal:
    """A VAT rate in percent: from 0 to 100, at most two decimals."""
    number = _decimal(value, field, _("Enter the VAT rate as a number."))
    try:
        rate = vat_rate_check(number)
    except InvalidVatRate:
        rate = Decimal(-1)
    if rate < 0 or _places(rate) > PERCENT_PLACES:
        raise ValidationFailed(fields={field: _("A VAT rate is a percentage from 0 to 100.")})
    return rate


def price_check(value: object, *, field: str = "unit_price") -> Decimal:
    """A unit price: not negative, at most four decimals (finer than a kopeck survives)."""
    number = _decimal(value, field, _("Enter the price as a number."))
    if number < 0:
        raise ValidationFailed(fields={field: _("The price cannot be negative.")})
    if number >= PRICE_MAX or _places(number) > PRICE_PLACES:
        raise ValidationFailed(fields={field: _("A price has at most 12 digits and 4 decimals.")})
    return number


def line_compute(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    vat_rate: Decimal,
    currency: str,
) -> LineAmounts:
    """The figures of one line (the arguments already checked)."""
    currency = currency_check(currency)
    list_amount = Money(quantity * unit_price, currency)
    net = Money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED, currency)
    vat_line = vat_from_net(net, rate=vat_rate)
    return LineAmounts(
        list_amount=list_amount,
        discount=list_amount - net,
        net=net,
        vat=vat_line.vat,
        gross=vat_line.gross,
        vat_rate=vat_line.rate,
    )


def quote_totals(lines: Iterable[LineAmounts], *, currency: str) -> VatTotals:
    """Net, VAT and gross of the quote and per VAT rate: sums of the rounded lines."""
    return vat_totals(
        (vat_from_net(line.net, rate=line.vat_rate) for line in lines), currency=currency
    )
