"""Amounts of money: a Decimal in one ISO 4217 currency. Pure: no ORM, no floats.

Rules every caller can rely on:

- A `Money` amount is always quantized to its currency's minor units (ISO 4217: RUB,
  BGN, EUR, USD have 2 digits, JPY 0), rounding half up (ROUND_HALF_UP: 0.005 -> 0.01,
  -0.005 -> -0.01). This happens when it is built and after every multiplication.
- A float is refused everywhere with TypeError: binary floats cannot hold 0.10 exactly.
  Build from `Decimal` or `int`, or parse the user's text with `money_parse`.
- Sums, differences and comparisons only between the same currency; anything else
  raises `CurrencyMismatch`. Different currencies are summed side by side in
  `MoneyTotals` and converted only when asked (see `klient.money.rates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_group_symbol,
    parse_decimal,
)
from django.utils.translation import gettext as _

from klient.money.currencies import babel_locale, currency_check, minor_units
from klient.money.errors import CurrencyMismatch, InvalidAmount

ROUNDING = ROUND_HALF_UP


def decimal_exact(value: object, what: str) -> Decimal:
    """A Decimal from a Decimal or an int; a float (or anything else) is a TypeError."""
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal or an int, not a float")
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidAmount()
    return number


def quantize(value: Decimal, currency: str) -> Decimal:
    """`value` rounded half up to the currency's minor units."""
    try:
        return value.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUNDING)
    except InvalidOperation as exc:  # more digits than Decimal's context holds
        raise InvalidAmount() from exc


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, quantized to its minor units on creation."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        currency = currency_check(self.currency)
        object.__setattr__(self, "amount", quantize(decimal_exact(self.amount, "amount"), currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """Scaled by a Decimal (a quantity, a share, a rate), rounded half up."""
        return Money(self.amount * decimal_exact(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class MoneyTotals:
    """Sums per currency, never across currencies: {RUB: 1 500,00; EUR: 20,00}.

    Immutable; `+` returns a new total. Iteration yields one `Money` per currency in
    code order (`ordered(first=...)` puts the workspace currency first for display).
    """

    __slots__ = ("_sums",)

    def __init__(self, items: Iterable[Money] = ()) -> None:
        sums: dict[str, Decimal] = {}
        for item in items:
            if not isinstance(item, Money):
                raise TypeError(f"expected Money, got {type(item).__name__}")
            sums[item.currency] = sums.get(item.currency, Decimal(0)) + item.amount
        self._sums = sums

    def __add__(self, other: MoneyTotals | Money) -> MoneyTotals:
        more = list(other) if isinstance(other, MoneyTotals) else [other]
        return MoneyTotals([*self, *more])

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted(self._sums))

    def get(self, currency: str) -> Money:
        """The total in `currency`; zero when nothing was in it."""
        return Money(self._sums.get(currency_check(currency), Decimal(0)), currency)

    def __iter__(self) -> Iterator[Money]:
        return iter([Money(self._sums[code], code) for code in self.currencies])

    def ordered(self, *, first: str | None = None) -> list[Money]:
        return sorted(self, key=lambda money: (money.currency != first, money.currency))

    def __len__(self) -> int:
        return len(self._sums)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MoneyTotals) and self._sums == other._sums

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._sums.items())))

    def __repr__(self) -> str:
        return f"MoneyTotals({', '.join(str(money) for money in self)})"


def money_format(money: Money, *, language: str | None) -> str:
    """The amount as the reader's locale writes it, with babel (CLDR):
    ru "1 234,50 ₽", bg "1 234,50 лв.", en "€1,234.50" (the spaces are no-break)."""
    return str(format_currency(money.amount, money.currency, locale=babel_locale(language)))


def decimal_format(value: Decimal, *, language: str | None) -> str:
    """A plain number (an exchange rate) in the reader's locale, every digit kept, no zeros
    padded: ru "98,1234", en "98.1234"."""
    number = decimal_exact(value, "value")
    return str(format_decimal(number, locale=babel_locale(language), decimal_quantization=False))


_TYPED = re.compile(r"[+-]?[\d\s.,']*\d[\d\s.,']*")
_SPACES = re.compile(r"\s")


def decimal_parse(text: str, *, language: str | None, field: str = "amount") -> Decimal:
    """A number the user typed, read in their locale: ru/bg "1 234,50", en "1,234.50".

    Spaces of any kind count as the group separator where the locale groups with a space;
    the group separators, if any, must be where the locale puts them. Exponents, NaN and
    letters are refused with InvalidAmount.
    """
    locale = babel_locale(language)
    cleaned = str(text).strip().replace("−", "-")
    if not _TYPED.fullmatch(cleaned):
        raise InvalidAmount(
            _("Enter a number, for example %(example)s.") % _example(locale), field=field
        )
    group = get_group_symbol(locale)
    if not group.strip():
        cleaned = _SPACES.sub(group, cleaned)
    try:
        return Decimal(parse_decimal(cleaned, locale=locale, strict=True))
    except (NumberFormatError, InvalidOperation) as exc:
        raise InvalidAmount(
            _("“%(text)s” is not a number as written in this language, for example %(example)s.")
            % {"text": text, **_example(locale)},
            field=field,
        ) from exc


def _example(locale: str) -> dict[str, Any]:
    return {"example": format_decimal(Decimal("1234.5"), locale=locale, format="#,##0.00")}


def money_parse(text: str, *, currency: str, language: str | None, field: str = "amount") -> Money:
    """An amount the user typed in `currency`; more decimals than the currency has are refused
    rather than rounded away silently."""
    number = decimal_parse(text, language=language, field=field)
    digits = minor_units(currency)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise InvalidAmount(
            _("Too many digits after the decimal separator for %(currency)s (at most: %(digits)s).")
            % {"digits": digits, "currency": currency},
            field=field,
        )
    return Money(number, currency)
