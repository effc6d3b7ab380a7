"""Reports: sums per currency, converted only on request, each currency's sum once."""

from datetime import date
from decimal import Decimal

import pytest

from klient.money.amounts import Money, MoneyTotals
from klient.money.errors import RateNotFound
from klient.money.models import ExchangeRate
from klient.money.selectors import money_totals, rate_book_load, totals_convert

pytestmark = pytest.mark.django_db

ON = date(2025, 3, 10)


def money(text: str, currency: str) -> Money:
    return Money(Decimal(text), currency)


def test_each_currency_total_is_converted_once_and_the_rounded_parts_summed(workspace, store_rates):
    store_rates(("2025-03-10", "EUR", "98.7655"), ("2025-03-07", "USD", "91.1111"))
    totals = MoneyTotals(
        [
            money("33.33", "EUR"),
            money("33.33", "EUR"),
            money("33.34", "EUR"),
            money("12.34", "USD"),
            money("1000", "RUB"),
        ]
    )
    converted = totals_convert(workspace=workspace, totals=totals, to="RUB", on=ON)
    # EUR 100.00 × 98.7655 = 9876.55 (line by line it would be 9876.54);
    # USD 12.34 × 91.1111 = 1124.310974 -> 1124.31; RUB as is.
    assert [(p.original, p.converted) for p in converted.parts] == [
        (money("1000", "RUB"), money("1000", "RUB")),
        (money("100", "EUR"), money("9876.55", "RUB")),
        (money("12.34", "USD"), money("1124.31", "RUB")),
    ]
    assert converted.total == money("12000.86", "RUB")
    assert converted.parts[2].rate.valid_on == date(2025, 3, 7)


def test_conversion_of_totals_fails_naming_the_currency_without_a_rate(workspace, store_rates):
    store_rates(("2025-03-10", "EUR", "98.5"))
    totals = MoneyTotals([money("1", "EUR"), money("1", "USD")])
    with pytest.raises(RateNotFound) as raised:
        totals_convert(workspace=workspace, totals=totals, to="RUB", on=ON)
    assert raised.value.source == "USD"


def test_amounts_on_different_dates_convert_at_their_own_dates(
    workspace, store_rates, django_assert_num_queries
):
    store_rates(("2025-03-10", "EUR", "98.5"), ("2025-03-12", "EUR", "99"))
    with django_assert_num_queries(1):
        book = rate_book_load(workspace=workspace, currencies=["EUR"], until=date(2025, 3, 31))
    total = book.amounts_convert(
        [(money("100", "EUR"), date(2025, 3, 11)), (money("100", "EUR"), date(2025, 3, 20))],
        to="RUB",
    )
    assert total == money("19750", "RUB")


def test_a_column_of_amounts_sums_per_currency_in_the_database(workspace, store_rates):
    # The rate table stands in for any table with an amount and a currency column.
    store_rates(
        ("2025-03-10", "EUR", "0.1"),
        ("2025-03-11", "EUR", "0.2"),
        ("2025-03-10", "USD", "1234567890.1234"),
        ("2025-03-11", "USD", "0.0001"),
    )
    totals = money_totals(ExchangeRate.objects.all(), amount="rate", currency="quote")
    assert totals == MoneyTotals([money("0.30", "EUR"), money("1234567890.12", "USD")])


def test_an_empty_column_sums_to_no_currencies(workspace):
    assert len(money_totals(ExchangeRate.objects.all(), amount="rate", currency="quote")) == 0
