"""`{% load money %}{{ deal.amount|money:deal.currency }}` formats per the active language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from klient.money.amounts import Money, decimal_exact, decimal_format, money_format

register = template.Library()


@register.filter(name="money")
def money_filter(amount: Money | Decimal | int | None, currency: str = "") -> str:
    """An amount (a `Money`, or a stored Decimal with its currency code) as the reader's
    language writes it: ru "1 234,50 ₽", en "€1,234.50"; "" when there is no amount.
    Rounded half up to the currency's minor units; a float is refused (TypeError)."""
    if amount is None or amount == "":
        return ""
    value = (
        amount if isinstance(amount, Money) else Money(decimal_exact(amount, "amount"), currency)
    )
    return money_format(value, language=get_language())


@register.filter(name="rate")
def rate_filter(value: Decimal | None) -> str:
    """An exchange rate with every significant digit, in the reader's language: ru "98,1234"."""
    if value is None:
        return ""
    return decimal_format(value, language=get_language())
