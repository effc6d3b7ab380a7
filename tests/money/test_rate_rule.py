"""Which date's rate applies: the latest on or before the amount's date, either direction."""

from datetime import date
from decimal import Decimal

import pytest

from klient.money.amounts import Money
from klient.money.errors import RateNotFound
from klient.money.selectors import money_convert, rate_applied
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def rub(text: str) -> Money:
    return Money(Decimal(text), "RUB")


@pytest.fixture
def march(store_rates):
    store_rates(
        ("2025-03-07", "EUR", "97.8"), ("2025-03-10", "EUR", "98.5"), ("2025-03-11", "EUR", "99")
    )


def test_the_rate_of_the_amounts_own_date_applies(workspace, march):
    converted = money_convert(workspace=workspace, money=eur("100"), to="RUB", on=date(2025, 3, 10))
    assert converted == rub("9850.00")


def test_a_day_without_a_rate_takes_the_latest_earlier_one(workspace, march):
    on = date(2025, 3, 9)  # a Sunday: Friday's rate
    assert money_convert(workspace=workspace, money=eur("100"), to="RUB", on=on) == rub("9780.00")
    applied = rate_applied(workspace=workspace, source="EUR", target="RUB", on=on)
    assert applied.valid_on == date(2025, 3, 7)


def test_an_old_rate_still_applies_long_after(workspace, march):
    on = date(2026, 1, 1)
    assert money_convert(workspace=workspace, money=eur("1"), to="RUB", on=on) == rub("99.00")


def test_a_rate_from_after_the_date_is_never_used(workspace, march):
    with pytest.raises(RateNotFound) as raised:
        money_convert(workspace=workspace, money=eur("100"), to="RUB", on=date(2025, 3, 6))
    assert str(raised.value) == "No rate for EUR→RUB on or before 2025-03-06."


def test_the_other_direction_uses_the_inverse(workspace, march):
    converted = money_convert(
        workspace=workspace, money=rub("9850"), to="EUR", on=date(2025, 3, 10)
    )
    assert converted == eur("100.00")


def test_an_inverse_rounds_once_half_up(workspace, march):
    # 1000 / 99 = 10.1010… -> 10.10
    assert money_convert(
        workspace=workspace, money=rub("1000"), to="EUR", on=date(2025, 3, 11)
    ) == eur("10.10")


def test_a_pair_stored_the_other_way_round_converts_too(workspace, store_rates):
    store_rates(("2025-03-10", "RUB", "0.0102", "EUR"))  # 1 RUB = 0.0102 EUR
    on = date(2025, 3, 10)
    assert money_convert(workspace=workspace, money=rub("10000"), to="EUR", on=on) == eur("102.00")
    assert money_convert(workspace=workspace, money=eur("102"), to="RUB", on=on) == rub("10000.00")


def test_when_both_directions_are_stored_the_later_date_wins(workspace, store_rates):
    store_rates(("2025-03-10", "EUR", "98"), ("2025-03-12", "RUB", "0.01", "EUR"))
    on = date(2025, 3, 12)
    assert money_convert(workspace=workspace, money=eur("1"), to="RUB", on=on) == rub("100.00")
    on = date(2025, 3, 11)
    assert money_convert(workspace=workspace, money=eur("1"), to="RUB", on=on) == rub("98.00")


def test_two_foreign_currencies_convert_through_the_workspace_currency(workspace, store_rates):
    store_rates(("2025-03-10", "EUR", "98.5"), ("2025-03-10", "USD", "90"))
    converted = money_convert(workspace=workspace, money=eur("100"), to="USD", on=date(2025, 3, 10))
    assert converted == Money(Decimal("109.44"), "USD")  # 100 × 98.5 / 90 = 109.444…


def test_no_rate_at_all_names_the_pair_and_date(workspace, march):
    with pytest.raises(RateNotFound) as raised:
        money_convert(
            workspace=workspace, money=Money(Decimal(1), "USD"), to="RUB", on=date(2025, 3, 10)
        )
    assert (raised.value.source, raised.value.target) == ("USD", "RUB")
    assert raised.value.status == 422


def test_the_same_currency_needs_no_rate(workspace):
    assert money_convert(workspace=workspace, money=rub("5"), to="RUB", on=date(2025, 1, 1)) == rub(
        "5.00"
    )


def test_another_workspaces_rates_are_never_used(workspace, store_rates):
    store_rates(("2025-03-10", "EUR", "98.5"), into=WorkspaceFactory())
    with pytest.raises(RateNotFound):
        money_convert(workspace=workspace, money=eur("1"), to="RUB", on=date(2025, 3, 10))


def test_one_query_finds_the_rate(workspace, march, django_assert_num_queries):
    with django_assert_num_queries(1):
        money_convert(workspace=workspace, money=eur("1"), to="RUB", on=date(2025, 3, 10))
