"""The arithmetic of quote lines on hand-worked examples: quantity × price × (1 − discount),
rounded once half up; VAT on each line, half up to the kopeck; totals as sums of the
rounded lines. Pure: no database."""

from decimal import Decimal

import pytest

from klient.core.errors import ValidationFailed
from klient.money.amounts import Money
from klient.sales.quotes.lines import (
    discount_check,
    line_compute,
    price_check,
    quantity_check,
    quote_totals,
    vat_check,
)

D = Decimal


def rub(text: str) -> Money:
    return Money(D(text), "RUB")


def test_a_discounted_line_with_vat():
    """3 × 1 234.50 = 3 703.50; less 10 % = 3 333.15; VAT 20 % = 666.63; 3 999.78."""
    line = line_compute(
        quantity=D(3),
        unit_price=D("1234.50"),
        discount_percent=D(10),
        vat_rate=D(20),
        currency="RUB",
    )

    assert (line.list_amount, line.discount, line.net, line.vat, line.gross) == (
        rub("3703.50"),
        rub("370.35"),
        rub("3333.15"),
        rub("666.63"),
        rub("3999.78"),
    )


def test_vat_is_rounded_half_up_on_each_line_and_the_totals_add_the_rounded_lines():
    """Net 10.03 carries VAT 2.006 → 2.01 on each line: three lines make 6.03, where 20 %
    of the summed 30.09 would have made 6.02."""
    lines = [
        line_compute(
            quantity=D(1),
            unit_price=D("10.03"),
            discount_percent=D(0),
            vat_rate=D(20),
            currency="RUB",
        )
        for _ in range(3)
    ]

    totals = quote_totals(lines, currency="RUB")

    assert [line.vat for line in lines] == [rub("2.01")] * 3
    assert (totals.net, totals.vat, totals.gross) == (rub("30.09"), rub("6.03"), rub("36.12"))


def test_the_net_is_rounded_once_after_the_discount():
    """1 × 0.05 at 50 % off is 0.025: half up, 0.03 (not 0.05 rounded, then halved)."""
    line = line_compute(
        quantity=D(1), unit_price=D("0.05"), discount_percent=D(50), vat_rate=D(0), currency="RUB"
    )

    assert (line.net, line.vat, line.gross, line.discount) == (
        rub("0.03"),
        rub("0.00"),
        rub("0.03"),
        rub("0.02"),
    )


def test_a_fractional_quantity_and_a_price_finer_than_a_kopeck():
    """2.5 h × 99.995 = 249.9875 → 249.99; VAT 20 % = 49.998 → 50.00; gross 299.99."""
    line = line_compute(
        quantity=D("2.5"),
        unit_price=D("99.995"),
        discount_percent=D(0),
        vat_rate=D(20),
        currency="RUB",
    )

    assert (line.net, line.vat, line.gross) == (rub("249.99"), rub("50.00"), rub("299.99"))


def test_a_currency_without_minor_units_rounds_to_whole_yen():
    line = line_compute(
        quantity=D(3), unit_price=D(333), discount_percent=D(0), vat_rate=D(10), currency="JPY"
    )

    assert (line.net, line.vat, line.gross) == (
        Money(D(999), "JPY"),
        Money(D(100), "JPY"),
        Money(D(1099), "JPY"),
    )


def test_totals_per_vat_rate_highest_first():
    lines = [
        line_compute(
            quantity=D(1), unit_price=D(50), discount_percent=D(0), vat_rate=D(10), currency="RUB"
        ),
        line_compute(
            quantity=D(1), unit_price=D(100), discount_percent=D(0), vat_rate=D(20), currency="RUB"
        ),
        line_compute(
            quantity=D(2),
            unit_price=D(100),
            discount_percent=D(100),
            vat_rate=D(20),
            currency="RUB",
        ),
    ]

    totals = quote_totals(lines, currency="RUB")

    assert [(row.rate, row.net, row.vat) for row in totals.by_rate] == [
        (D(20), rub("100.00"), rub("20.00")),
        (D(10), rub("50.00"), rub("5.00")),
    ]
    assert (totals.net, totals.vat, totals.gross) == (rub("150.00"), rub("25.00"), rub("175.00"))


@pytest.mark.parametrize("value", [D(-1), D(0), "-0.5", "abc", "NaN", "Infinity", D("0.0001")])
def test_a_quantity_must_be_a_positive_number_with_at_most_three_decimals(value):
    with pytest.raises(ValidationFailed) as refused:
        quantity_check(value, field="lines[0].quantity")

    assert list(refused.value.fields) == ["lines[0].quantity"]


def test_a_negative_quantity_says_so():
    with pytest.raises(ValidationFailed) as refused:
        quantity_check(D(-2))

    assert str(refused.value.fields["quantity"]) == "The quantity must be greater than zero."


@pytest.mark.parametrize("value", [D("100.01"), D(-1), D(150), "1e3", D("10.001")])
def test_a_discount_is_a_percentage_from_0_to_100(value):
    with pytest.raises(ValidationFailed) as refused:
        discount_check(value)

    assert (
        str(refused.value.fields["discount_percent"]) == "A discount is a percentage from 0 to 100."
    )


@pytest.mark.parametrize("value", [D(0), D(100), D("12.5"), "7"])
def test_discounts_at_the_bounds_are_accepted(value):
    assert discount_check(value) == D(value)


def test_a_negative_price_and_an_impossible_vat_rate_are_refused():
    with pytest.raises(ValidationFailed) as price:
        price_check(D("-0.01"))
    with pytest.raises(ValidationFailed) as vat:
        vat_check(D(101))

    assert str(price.value.fields["unit_price"]) == "The price cannot be negative."
    assert str(vat.value.fields["vat_rate"]) == "A VAT rate is a percentage from 0 to 100."


def test_floats_are_refused_everywhere():
    for check in (quantity_check, discount_check, price_check, vat_check):
        with pytest.raises(TypeError):
            check(1.1)
