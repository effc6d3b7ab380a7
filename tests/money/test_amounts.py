"""Money as a value: minor units, half-up rounding, one currency per sum, no floats."""

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision

from klient.money.amounts import Money, MoneyTotals
from klient.money.currencies import MINOR_UNITS, SUPPORTED_CURRENCIES
from klient.money.errors import CurrencyMismatch, InvalidAmount, UnsupportedCurrency


def rub(text: str) -> Money:
    return Money(Decimal(text), "RUB")


def test_amount_is_rounded_half_up_to_the_currency_minor_units():
    assert rub("1.005").amount == Decimal("1.01")
    assert rub("-1.005").amount == Decimal("-1.01")
    assert rub("1.004").amount == Decimal("1.00")
    assert Money(Decimal("1234.5"), "JPY").amount == Decimal("1235")


def test_amount_keeps_the_minor_unit_digits():
    assert str(rub("7").amount) == "7.00"
    assert str(Money(12, "EUR")) == "12.00 EUR"


def test_a_float_amount_is_refused():
    with pytest.raises(TypeError):
        Money(0.1, "RUB")  # type: ignore[arg-type]


def test_a_text_amount_is_refused():
    with pytest.raises(TypeError):
        Money("0.10", "RUB")  # type: ignore[arg-type]


def test_multiplying_by_a_float_is_refused():
    with pytest.raises(TypeError):
        rub("10.00") * 1.5  # type: ignore[operator]


def test_not_a_number_is_refused():
    with pytest.raises(InvalidAmount):
        Money(Decimal("NaN"), "RUB")


@pytest.mark.parametrize("code", ["XYZ", "rub", "", None])
def test_an_unsupported_currency_is_refused(code):
    with pytest.raises(UnsupportedCurrency):
        Money(Decimal(1), code)


def test_the_four_required_currencies_are_supported():
    assert {"RUB", "BGN", "EUR", "USD"} <= set(SUPPORTED_CURRENCIES)


@pytest.mark.parametrize("code", SUPPORTED_CURRENCIES)
def test_minor_units_agree_with_the_cldr_data_used_for_formatting(code):
    assert MINOR_UNITS[code] == get_currency_precision(code)


def test_sum_of_tenths_is_exact():
    assert rub("0.10") + rub("0.20") == rub("0.30")


def test_difference_and_negation():
    assert rub("10.00") - rub("0.01") == rub("9.99")
    assert -rub("5.50") == rub("-5.50")


def test_multiplication_rounds_half_up():
    assert rub("10.05") * Decimal("0.5") == rub("5.03")
    assert 3 * rub("0.10") == rub("0.30")


def test_adding_two_currencies_raises_currency_mismatch():
    with pytest.raises(CurrencyMismatch) as raised:
        rub("1.00") + Money(Decimal(1), "EUR")
    assert raised.value.currencies == ("RUB", "EUR")


def test_comparing_two_currencies_raises_currency_mismatch():
    with pytest.raises(CurrencyMismatch):
        assert rub("1.00") < Money(Decimal(2), "EUR")


def test_comparison_within_a_currency():
    assert rub("1.00") < rub("1.01")
    assert max([rub("3.00"), rub("12.00"), rub("5.00")]) == rub("12.00")


def test_totals_sum_each_currency_apart():
    totals = MoneyTotals(
        [rub("100.25"), Money(Decimal("20"), "EUR"), rub("50.25"), Money(Decimal("10.5"), "EUR")]
    )
    assert list(totals) == [Money(Decimal("30.50"), "EUR"), rub("150.50")]
    assert totals.currencies == ("EUR", "RUB")


def test_totals_put_the_workspace_currency_first_on_request():
    totals = MoneyTotals([Money(Decimal(1), "USD"), rub("2"), Money(Decimal(3), "EUR")])
    assert [m.currency for m in totals.ordered(first="RUB")] == ["RUB", "EUR", "USD"]


def test_totals_of_a_missing_currency_are_zero():
    assert MoneyTotals([rub("1")]).get("USD") == Money(Decimal(0), "USD")


def test_totals_add_up():
    combined = MoneyTotals([rub("1")]) + Money(Decimal(2), "EUR") + MoneyTotals([rub("2")])
    assert combined == MoneyTotals([rub("3"), Money(Decimal(2), "EUR")])


def test_totals_refuse_anything_but_money():
    with pytest.raises(TypeError):
        MoneyTotals([Decimal("1.00")])  # type: ignore[list-item]
