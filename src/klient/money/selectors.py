"""Reads of money: the rate table, conversion by the rate rule, sums of amount columns.

Conversion only happens when a caller asks for it; reports otherwise show `MoneyTotals`
(one sum per currency). The rule for which rate applies is in klient.money.rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import User, Workspace
from klient.core.selectors import scoped
from klient.money.amounts import Money, MoneyTotals
from klient.money.fields import AMOUNT_DECIMAL_PLACES
from klient.money.models import ExchangeRate
from klient.money.rates import AppliedRate, ConvertedTotals, RateBook, RateRow


def rate_list(*, user: User) -> QuerySet[ExchangeRate]:
    """The workspace's rates, latest date first."""
    return scoped(ExchangeRate, user=user).order_by("-valid_on", "-id")


def rate_get_for_user(*, user: User, rate_id: int) -> ExchangeRate:
    found = rate_list(user=user).filter(pk=rate_id).first()
    if found is None:
        raise NotFound(_("Exchange rate not found."))
    return found


def _rows(rates: QuerySet[ExchangeRate]) -> list[RateRow]:
    return [
        RateRow(base=base, quote=quote, rate=rate, valid_on=valid_on)
        for base, quote, rate, valid_on in rates.values_list("base", "quote", "rate", "valid_on")
    ]


def _among(workspace: Workspace, currencies: Iterable[str] | None) -> QuerySet[ExchangeRate]:
    rates = ExchangeRate.objects.filter(workspace_id=workspace.pk)
    if currencies is not None:
        wanted = {*currencies, workspace.default_currency}
        rates = rates.filter(base__in=wanted, quote__in=wanted)
    return rates


def rate_book_on(
    *, workspace: Workspace, on: date, currencies: Iterable[str] | None = None
) -> RateBook:
    """For conversions on one date: the latest rate on or before `on` of each pair among
    `currencies` and the workspace currency (all pairs when None), in one query."""
    latest = (
        ExchangeRate.objects.filter(
            workspace_id=OuterRef("workspace_id"),
            base=OuterRef("base"),
            quote=OuterRef("quote"),
            valid_on__lte=on,
        )
        .order_by("-valid_on")
        .values("valid_on")[:1]
    )
    rates = _among(workspace, currencies).filter(valid_on__lte=on, valid_on=Subquery(latest))
    return RateBook(_rows(rates), home=workspace.default_currency)


def rate_book_load(
    *, workspace: Workspace, currencies: Iterable[str] | None = None, until: date | None = None
) -> RateBook:
    """For conversions on many dates (each deal at its close date): every rate up to
    `until` of the pairs among `currencies` and the workspace currency, in one query."""
    rates = _among(workspace, currencies)
    if until is not None:
        rates = rates.filter(valid_on__lte=until)
    return RateBook(_rows(rates), home=workspace.default_currency)


def rate_applied(*, workspace: Workspace, source: str, target: str, on: date) -> AppliedRate:
    """The rate the rule picks for `source`→`target` on `on`, or RateNotFound."""
    book = rate_book_on(workspace=workspace, on=on, currencies=[source, target])
    return book.rate(source, target, on=on)


def money_convert(*, workspace: Workspace, money: Money, to: str, on: date) -> Money:
    """`money` in `to` at the rate for `on` (the amount's own date), rounded half up once."""
    if money.currency == to:
        return money
    book = rate_book_on(workspace=workspace, on=on, currencies=[money.currency, to])
    return book.convert(money, to=to, on=on)


def totals_convert(
    *, workspace: Workspace, totals: MoneyTotals, to: str, on: date
) -> ConvertedTotals:
    """Per-currency totals in one currency: each currency's sum converted once at the rate
    for `on`, rounded half up, and the rounded parts added. RateNotFound names the first
    currency without a rate."""
    book = rate_book_on(workspace=workspace, on=on, currencies=[*totals.currencies, to])
    return book.totals_convert(totals, to=to, on=on)


def money_totals(
    rows: QuerySet[Any], *, amount: str = "amount", currency: str = "currency"
) -> MoneyTotals:
    """The sum of an amount column per currency, computed by the database, exactly.

    SQLite keeps DECIMAL columns as binary floating point, so the sum runs over whole
    units of 1/10,000 (an integer sum, exact on both backends), read back as Decimal.
    Each currency's sum is rounded half up to its minor units.
    """
    return money_totals_by(rows, key=None, amount=amount, currency=currency).get(
        None, MoneyTotals()
    )


def money_totals_by(
    rows: QuerySet[Any], *, key: str | None, amount: str = "amount", currency: str = "currency"
) -> dict[Any, MoneyTotals]:
    """`money_totals` per value of the column `key` (a stage, an owner), in one query;
    `key=None` gives the one total under None. Exact on both backends (see above)."""
    scale = 10**AMOUNT_DECIMAL_PLACES
    columns = [currency] if key is None else [key, currency]
    sums = (
        rows.order_by()
        .values(*columns)
        .annotate(units=Sum(Cast(Round(F(amount) * scale), BigIntegerField())))
    )
    grouped: dict[Any, list[Money]] = {}
    for row in sums:
        if row["units"] is not None:
            group = None if key is None else row[key]
            grouped.setdefault(group, []).append(
                Money(Decimal(row["units"]) / scale, row[currency])
            )
    return {group: MoneyTotals(items) for group, items in grouped.items()}
