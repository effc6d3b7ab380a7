"""Amounts written and read the way each language writes them (babel's CLDR data)."""

from decimal import Decimal

import pytest

from klient.money.amounts import Money, decimal_format, money_format, money_parse
from klient.money.errors import InvalidAmount

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("ru", "RUB", f"1{NBSP}234,50{NBSP}₽"),
        ("ru", "EUR", f"1{NBSP}234,50{NBSP}€"),
        ("ru", "USD", f"1{NBSP}234,50{NBSP}$"),
        ("ru", "BGN", f"1{NBSP}234,50{NBSP}BGN"),
        ("bg", "BGN", f"1{NBSP}234,50{NBSP}лв."),
        ("bg", "EUR", f"1{NBSP}234,50{NBSP}€"),
        ("bg", "USD", f"1{NBSP}234,50{NBSP}щ.д."),
        ("bg", "RUB", f"1{NBSP}234,50{NBSP}RUB"),
        ("en", "USD", "$1,234.50"),
        ("en", "EUR", "€1,234.50"),
        ("en", "RUB", "RUB1,234.50"),
        ("en", "BGN", "BGN1,234.50"),
    ],
)
def test_amount_is_formatted_per_language(language, currency, expected):
    assert money_format(Money(Decimal("1234.5"), currency), language=language) == expected


def test_negative_amount_in_russian():
    assert money_format(Money(Decimal("-1234.5"), "RUB"), language="ru") == f"-1{NBSP}234,50{NBSP}₽"


def test_currency_without_minor_units_shows_none():
    assert money_format(Money(Decimal("1234.5"), "JPY"), language="en") == "¥1,235"


def test_regional_language_code_and_unknown_language():
    amount = Money(Decimal("1234.5"), "USD")
    assert money_format(amount, language="en-us") == "$1,234.50"
    assert money_format(amount, language="xx") == "$1,234.50"


def test_a_rate_keeps_its_digits_and_drops_padding_zeros():
    assert decimal_format(Decimal("98.1234000000"), language="ru") == "98,1234"
    assert decimal_format(Decimal("98.1234000000"), language="en") == "98.1234"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "1 234,50", "1234.50"),
        ("ru", f"1{NBSP}234,50", "1234.50"),
        ("ru", "1234,5", "1234.50"),
        ("ru", "1234.50", "1234.50"),
        ("bg", "1 234,50", "1234.50"),
        ("en", "1,234.50", "1234.50"),
        ("en", "1234.5", "1234.50"),
        ("en", "12,345", "12345.00"),
        ("ru", "-5", "-5.00"),
        ("ru", " 7 ", "7.00"),
    ],
)
def test_user_amount_is_read_per_language(language, text, expected):
    assert money_parse(text, currency="RUB", language=language) == Money(Decimal(expected), "RUB")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "abc"),
        ("ru", ""),
        ("ru", "1e5"),
        ("ru", "NaN"),
        ("ru", "1,234.50"),
        ("en", "1234,5"),
        ("en", "1,23.4"),
        ("ru", "5 руб"),
    ],
)
def test_bad_user_amount_raises_invalid_amount(language, text):
    with pytest.raises(InvalidAmount) as raised:
        money_parse(text, currency="RUB", language=language)
    assert set(raised.value.fields) == {"amount"}


def test_more_decimals_than_the_currency_has_are_refused_not_rounded():
    with pytest.raises(InvalidAmount) as raised:
        money_parse("12,345", currency="RUB", language="ru")
    assert str(raised.value) == (
        "Too many digits after the decimal separator for RUB (at most: 2)."
    )


def test_trailing_zeros_beyond_the_minor_units_are_fine():
    assert money_parse("1,500", currency="RUB", language="ru") == Money(Decimal("1.5"), "RUB")


def test_error_example_is_written_in_the_users_language():
    with pytest.raises(InvalidAmount) as raised:
        money_parse("abc", currency="RUB", language="ru")
    assert str(raised.value) == f"Enter a number, for example 1{NBSP}234,50."
