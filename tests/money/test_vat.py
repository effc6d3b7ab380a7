"""VAT rounded per line; document totals are sums of the rounded lines."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klient.money.amounts import Money
from klient.money.errors import CurrencyMismatch, InvalidVatRate
from klient.money.vat import line_amount, vat_from_gross, vat_from_net, vat_line, vat_totals


def rub(text: str) -> Money:
    return Money(Decimal(text), "RUB")


def test_vat_on_a_net_line_is_rounded_on_the_line():
    line = vat_from_net(rub("10.03"), rate=Decimal("20"))
    assert (line.net, line.vat, line.gross) == (rub("10.03"), rub("2.01"), rub("12.04"))


def test_document_vat_is_the_sum_of_line_vat_not_vat_of_the_sum():
    lines = [vat_from_net(rub("10.03"), rate=20) for _ in range(3)]
    totals = vat_totals(lines, currency="RUB")
    # 3 × round(2.006) = 6.03, where round(30.09 × 20%) would give 6.02.
    assert (totals.net, totals.vat, totals.gross) == (rub("30.09"), rub("6.03"), rub("36.12"))
    assert rub("30.09") * Decimal("0.2") == rub("6.02")


def test_vat_included_in_a_gross_price_is_taken_out_per_line():
    line = vat_from_gross(rub("100.00"), rate=20)
    # 100 × 20/120 = 16.666… -> 16.67; net is what remains.
    assert (line.net, line.vat, line.gross) == (rub("83.33"), rub("16.67"), rub("100.00"))


def test_gross_lines_total_differs_from_taking_vat_out_of_the_total():
    totals = vat_totals([vat_line(rub("100.00"), rate=20, includes_vat=True)] * 3, currency="RUB")
    assert (totals.net, totals.vat, totals.gross) == (rub("249.99"), rub("50.01"), rub("300.00"))


def test_bulgarian_reduced_rate_on_a_euro_line():
    line = vat_from_net(Money(Decimal("0.25"), "EUR"), rate=9)
    assert line.vat == Money(Decimal("0.02"), "EUR")  # 0.0225 rounds half up to 0.02


def test_half_a_kopeck_of_vat_rounds_up():
    assert vat_from_net(rub("0.25"), rate=10).vat == rub("0.03")  # 0.025 -> 0.03


def test_totals_per_rate_highest_first():
    lines = [
        vat_from_net(rub("100.00"), rate=10),
        vat_from_net(rub("10.03"), rate=20),
        vat_from_net(rub("50.00"), rate=0),
        vat_from_net(rub("10.03"), rate=Decimal("20.00")),
    ]
    by_rate = vat_totals(lines, currency="RUB").by_rate
    assert [(t.rate, t.net, t.vat, t.gross) for t in by_rate] == [
        (Decimal("20"), rub("20.06"), rub("4.02"), rub("24.08")),
        (Decimal("10"), rub("100.00"), rub("10.00"), rub("110.00")),
        (Decimal("0"), rub("50.00"), rub("0.00"), rub("50.00")),
    ]


def test_a_document_without_lines_totals_zero():
    totals = vat_totals([], currency="EUR")
    assert (totals.net, totals.vat, totals.gross) == (Money.zero("EUR"),) * 3


def test_lines_in_another_currency_are_refused():
    with pytest.raises(CurrencyMismatch):
        vat_totals([vat_from_net(rub("1.00"), rate=20)], currency="EUR")


def test_line_amount_is_quantity_times_price_rounded_half_up():
    assert line_amount(unit_price=Decimal("0.335"), quantity=3, currency="RUB") == rub("1.01")


def test_a_float_vat_rate_is_refused():
    with pytest.raises(TypeError):
        vat_from_net(rub("1.00"), rate=0.2)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [Decimal("-1"), Decimal("100.01")])
def test_a_vat_rate_outside_0_to_100_is_refused(rate):
    with pytest.raises(InvalidVatRate):
        vat_from_net(rub("1.00"), rate=rate)


amounts = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)


@given(amount=amounts, rate=rates, includes_vat=st.booleans())
def test_every_line_adds_up(amount, rate, includes_vat):
    line = vat_line(rub(str(amount)), rate=rate, includes_vat=includes_vat)
    assert line.net + line.vat == line.gross
