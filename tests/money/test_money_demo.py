"""Demo rates: a few months of plausible EUR, USD and BGN rates against the rouble."""

from datetime import date
from decimal import Decimal

import pytest

from klient.money.amounts import Money
from klient.money.demo import EUR_PER_BGN, demo_rates, demo_rates_create
from klient.money.models import ExchangeRate
from klient.money.selectors import money_convert


def test_demo_rates_cover_weekdays_of_four_months():
    rows = demo_rates(date(2025, 6, 30))
    days = sorted({row.valid_on for row in rows})
    assert (days[0], days[-1]) == (date(2025, 3, 3), date(2025, 6, 30))
    assert all(day.weekday() < 5 for day in days)
    assert len(rows) == 3 * len(days)


def test_demo_rates_stay_plausible():
    rows = demo_rates(date(2025, 6, 30))
    for currency, low, high in (("USD", 75, 90), ("EUR", 88, 102), ("BGN", 45, 52)):
        values = [row.rate for row in rows if row.quote == currency]
        assert low < min(values) and max(values) < high, currency


def test_the_lev_follows_the_euro_at_the_fixed_rate():
    rows = demo_rates(date(2025, 6, 30))
    eur = next(r.rate for r in rows if r.quote == "EUR" and r.valid_on == date(2025, 6, 30))
    bgn = next(r.rate for r in rows if r.quote == "BGN" and r.valid_on == date(2025, 6, 30))
    assert abs(bgn * EUR_PER_BGN - eur) < Decimal("0.001")


@pytest.mark.django_db
def test_demo_rates_are_stored_once_and_convert_today(workspace):
    created = demo_rates_create(workspace)
    assert created == ExchangeRate.objects.filter(workspace=workspace).count() > 200
    assert demo_rates_create(workspace) == 0
    latest = ExchangeRate.objects.order_by("-valid_on").first()
    converted = money_convert(
        workspace=workspace, money=Money(Decimal(1), "EUR"), to="RUB", on=latest.valid_on
    )
    assert converted.currency == "RUB"
