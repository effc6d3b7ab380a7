"""VAT on the lines of a quote, order or invoice. Pure: no ORM, no floats.

The rule: VAT is computed and rounded on each line, to the currency's minor units,
half up (ROUND_HALF_UP); the document's net, VAT and gross totals are the sums of the
rounded lines, never the VAT of the summed net. Each printed line then adds up, and
so does the total.

- Price without VAT (net):   vat = round(net × rate / 100);           gross = net + vat.
- Price including VAT (gross): vat = round(gross × rate / (100 + rate)); net = gross − vat
  (what Russian invoices print as "в том числе НДС" and Bulgarian ones as "в т.ч. ДДС").

The line's amount itself is round(quantity × unit price), see `line_amount`.

Example (RUB, 20%): three lines of net 10.03 each carry VAT 2.006 -> 2.01 each, 6.03 in
all; 20% of the summed net 30.09 would be 6.018 -> 6.02. The document says 6.03.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from klient.money.amounts import Money, decimal_exact
from klient.money.currencies import currency_check
from klient.money.errors import CurrencyMismatch, InvalidVatRate

HUNDRED = Decimal(100)


def vat_rate_check(rate: Decimal | int) -> Decimal:
    """A VAT rate in percent (20 for 20%), from 0 to 100; floats refused."""
    value = decimal_exact(rate, "rate")
    if not HUNDRED >= value >= 0:
        raise InvalidVatRate()
    return value


@dataclass(frozen=True, slots=True)
class VatLine:
    """One line's net, VAT and gross, each already rounded; net + vat == gross always."""

    net: Money
    vat: Money
    gross: Money
    rate: Decimal


def line_amount(*, unit_price: Decimal, quantity: Decimal | int, currency: str) -> Money:
    """quantity × unit price, rounded half up to the currency's minor units."""
    return Money(
        decimal_exact(unit_price, "unit_price") * decimal_exact(quantity, "quantity"), currency
    )


def vat_from_net(net: Money, *, rate: Decimal | int) -> VatLine:
    """A line priced without VAT: VAT rounded on this line, added on top."""
    value = vat_rate_check(rate)
    vat = Money(net.amount * value / HUNDRED, net.currency)
    return VatLine(net=net, vat=vat, gross=net + vat, rate=value)


def vat_from_gross(gross: Money, *, rate: Decimal | int) -> VatLine:
    """A line priced with VAT included: the VAT inside it rounded on this line, net the rest."""
    value = vat_rate_check(rate)
    vat = Money(gross.amount * value / (HUNDRED + value), gross.currency)
    return VatLine(net=gross - vat, vat=vat, gross=gross, rate=value)


def vat_line(amount: Money, *, rate: Decimal | int, includes_vat: bool = False) -> VatLine:
    return vat_from_gross(amount, rate=rate) if includes_vat else vat_from_net(amount, rate=rate)


@dataclass(frozen=True, slots=True)
class VatRateTotal:
    """The lines at one rate, summed: what an invoice prints per VAT rate."""

    rate: Decimal
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class VatTotals:
    currency: str
    lines: tuple[VatLine, ...]
    net: Money
    vat: Money
    gross: Money
    by_rate: tuple[VatRateTotal, ...]


def vat_totals(lines: Iterable[VatLine], *, currency: str) -> VatTotals:
    """A document's totals: sums of its rounded lines, overall and per rate (highest first).

    Every line must be in `currency` (CurrencyMismatch otherwise); no lines -> zeros.
    """
    currency = currency_check(currency)
    rows = tuple(lines)
    zero = Money.zero(currency)
    per_rate: dict[Decimal, tuple[Money, Money, Money]] = {}
    for line in rows:
        if line.net.currency != currency:
            raise CurrencyMismatch(currency, line.net.currency)
        net, vat, gross = per_rate.get(line.rate, (zero, zero, zero))
        per_rate[line.rate] = (net + line.net, vat + line.vat, gross + line.gross)
    by_rate = tuple(
        VatRateTotal(rate=rate, net=net, vat=vat, gross=gross)
        for rate, (net, vat, gross) in sorted(per_rate.items(), key=lambda item: -item[0])
    )
    return VatTotals(
        currency=currency,
        lines=rows,
        net=sum((total.net for total in by_rate), zero),
        vat=sum((total.vat for total in by_rate), zero),
        gross=sum((total.gross for total in by_rate), zero),
        by_rate=by_rate,
    )
