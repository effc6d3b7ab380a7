"""How an app stores an amount: two columns, read back as `Money`.

    from klient.money.fields import amount_field, currency_field, money_get

    class Deal(models.Model):
        amount = amount_field(_("amount"))
        currency = currency_field()

        @property
        def money(self) -> Money:
            return money_get(self, "amount", "currency")

`amount` is DECIMAL(18, 4): 14 digits before the point, 4 after, so unit prices finer
than a kopeck survive; a `Money` read from it is rounded to the currency's minor units.
`currency` is the ISO 4217 code; services check it with `currency_check` (no `choices`,
so adding a currency needs no migration in every app). Sums run in the database with
`Sum("amount")` grouped by `currency`; see `klient.money.selectors.totals_from_rows`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.money.amounts import Money

AMOUNT_MAX_DIGITS = 18
AMOUNT_DECIMAL_PLACES = 4


def amount_field(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField[Any, Decimal]:
    """DECIMAL(18, 4) for an amount; pair it with `currency_field()`."""
    kwargs.setdefault("max_digits", AMOUNT_MAX_DIGITS)
    kwargs.setdefault("decimal_places", AMOUNT_DECIMAL_PLACES)
    return models.DecimalField(verbose_name or _("amount"), **kwargs)


def currency_field(verbose_name: Any = None, **kwargs: Any) -> models.CharField[Any, str]:
    """The ISO 4217 code of the amount beside it (three capitals)."""
    kwargs.setdefault("max_length", 3)
    return models.CharField(verbose_name or _("currency"), **kwargs)


def money_get(
    instance: object, amount_attr: str = "amount", currency_attr: str = "currency"
) -> Money | None:
    """The row's amount as Money; None when the amount is empty."""
    amount = getattr(instance, amount_attr)
    if amount is None:
        return None
    return Money(Decimal(amount), getattr(instance, currency_attr))
