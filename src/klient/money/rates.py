"""Which exchange rate applies, and conversion with it. Pure: works on rows handed to it.

What a stored rate means: 1 `quote` is worth `rate` `base`, from `valid_on` on
(base RUB, quote EUR, rate 98.5: 1 EUR = 98.50 RUB), the way the central banks of
Russia and Bulgaria publish their rates against the home currency.

The rule for which rate applies to converting an amount of X into Y dated D (the deal's
close date, the order's date):

1. X == Y: no rate, the amount as it is.
2. The latest rate of the pair with `valid_on` <= D, stored in either direction: a row
   for X (quote) in Y (base) multiplies, a row for Y in X divides (its inverse). When both
   directions exist, the one with the later date wins; on the same date, the multiplying one.
3. Otherwise, through the workspace currency W: X→W and W→Y, each by rule 2 on D.
4. Otherwise RateNotFound: "No rate for X→Y on or before D." A rate is never taken from
   after D, and an old rate is never refused for being old: the table says how fresh it is.

The converted amount is rounded once, half up, to Y's minor units, after every step of
the conversion has been applied at full precision.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from klient.money.amounts import Money, MoneyTotals
from klient.money.errors import RateNotFound

# A stored rate: DECIMAL(20, 10), 10 digits either side of the point.
RATE_MAX_DIGITS = 20
RATE_DECIMAL_PLACES = 10

# Enough digits that a 14-digit amount times a 20-digit rate is exact before rounding.
PRECISION = 60


@dataclass(frozen=True, slots=True)
class RateRow:
    """1 `quote` = `rate` `base`, from `valid_on` until a newer row of the same pair."""

    base: str
    quote: str
    rate: Decimal
    valid_on: date


@dataclass(frozen=True, slots=True)
class RateStep:
    row: RateRow
    inverse: bool  # the amount is in the row's base: divide by the rate


@dataclass(frozen=True, slots=True)
class AppliedRate:
    """The rate (one step, or two through the workspace currency) chosen by the rule for a date."""

    source: str
    target: str
    on: date
    steps: tuple[RateStep, ...]

    def apply(self, amount: Decimal) -> Decimal:
        with localcontext() as context:
            context.prec = PRECISION
            for step in self.steps:
                amount = amount / step.row.rate if step.inverse else amount * step.row.rate
            return +amount

    @property
    def factor(self) -> Decimal:
        """How many `target` one `source` is worth (for display; conversion uses `apply`)."""
        return self.apply(Decimal(1))

    @property
    def valid_on(self) -> date | None:
        """The date of the oldest rate used; None when no rate was needed."""
        return min((step.row.valid_on for step in self.steps), default=None)


@dataclass(frozen=True, slots=True)
class ConvertedPart:
    original: Money
    converted: Money
    rate: AppliedRate


@dataclass(frozen=True, slots=True)
class ConvertedTotals:
    """A per-currency total converted into one currency on one date: each currency's total
    converted once and rounded, then the rounded parts summed (so the parts add up)."""

    total: Money
    on: date
    parts: tuple[ConvertedPart, ...]


class RateBook:
    """The rates of a workspace (or the part of them a caller loaded), applying the rule above.

    `home` is the workspace currency, used as the bridge for cross rates (rule 3).
    """

    def __init__(self, rows: Iterable[RateRow], *, home: str | None = None) -> None:
        series: dict[tuple[str, str], list[RateRow]] = {}
        for row in rows:
            series.setdefault((row.base, row.quote), []).append(row)
        self._series = {
            pair: sorted(found, key=lambda row: row.valid_on) for pair, found in series.items()
        }
        self._dates = {
            pair: [row.valid_on for row in found] for pair, found in self._series.items()
        }
        self.home = home

    def _latest(self, base: str, quote: str, on: date) -> RateRow | None:
        dates = self._dates.get((base, quote))
        if not dates:
            return None
        index = bisect_right(dates, on)
        return self._series[(base, quote)][index - 1] if index else None

    def _step(self, source: str, target: str, on: date) -> RateStep | None:
        multiply = self._latest(target, source, on)
        divide = self._latest(source, target, on)
        if multiply is not None and (divide is None or multiply.valid_on >= divide.valid_on):
            return RateStep(row=multiply, inverse=False)
        if divide is not None:
            return RateStep(row=divide, inverse=True)
        return None

    def rate(self, source: str, target: str, *, on: date) -> AppliedRate:
        if source == target:
            return AppliedRate(source=source, target=target, on=on, steps=())
        step = self._step(source, target, on)
        if step is not None:
            return AppliedRate(source=source, target=target, on=on, steps=(step,))
        home = self.home
        if home is not None and home not in (source, target):
            first, second = self._step(source, home, on), self._step(home, target, on)
            if first is not None and second is not None:
                return AppliedRate(source=source, target=target, on=on, steps=(first, second))
        raise RateNotFound(source, target, on)

    def convert(self, money: Money, *, to: str, on: date) -> Money:
        return Money(self.rate(money.currency, to, on=on).apply(money.amount), to)

    def totals_convert(self, totals: MoneyTotals, *, to: str, on: date) -> ConvertedTotals:
        """Each currency's total converted once at the rate for `on`, rounded, then summed."""
        parts = []
        for original in totals.ordered(first=to):
            applied = self.rate(original.currency, to, on=on)
            parts.append(
                ConvertedPart(
                    original=original,
                    converted=Money(applied.apply(original.amount), to),
                    rate=applied,
                )
            )
        total = sum((part.converted for part in parts), Money.zero(to))
        return ConvertedTotals(total=total, on=on, parts=tuple(parts))

    def amounts_convert(self, items: Iterable[tuple[Money, date]], *, to: str) -> Money:
        """Amounts each dated by its own event (a deal's close date), each converted at the
        rate for its own date and rounded, then summed: revenue or LTV in one currency."""
        total = Money.zero(to)
        for money, on in items:
            total += self.convert(money, to=to, on=on)
        return total
