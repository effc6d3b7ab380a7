"""Demo exchange rates: four months of weekday EUR, USD and BGN rates against the rouble.

Deterministic (no randomness, no floats): each rate walks from a plausible start by a
fixed cycle of small steps, so the demo looks alive and tests can count on it. BGN is
tied to the euro at the fixed 1.95583 BGN per EUR, as it was until the euro replaced it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from klient.core.models import Workspace
from klient.money.models import ExchangeRate
from klient.money.rates import RateRow
from klient.money.services import rates_store

DEMO_DAYS = 120
EUR_PER_BGN = Decimal("1.95583")
STARTS = {"USD": Decimal("81.2500"), "EUR": Decimal("94.6000")}
# Daily moves in kopecks; the cycle sums to zero, so the rates wander but do not drift.
STEPS = (35, -20, 12, -41, 28, 6, -33, 19, -8, 24, -15, -7)
QUANTUM = Decimal("0.0001")


def _weekdays(until: date, days: int) -> list[date]:
    start = until - timedelta(days=days)
    every = (start + timedelta(days=offset) for offset in range(days + 1))
    return [day for day in every if day.weekday() < 5]


def demo_rates(until: date, days: int = DEMO_DAYS) -> list[RateRow]:
    rows: list[RateRow] = []
    rates = dict(STARTS)
    for index, day in enumerate(_weekdays(until, days)):
        for offset, currency in enumerate(("USD", "EUR")):
            move = Decimal(STEPS[(index + 5 * offset) % len(STEPS)]) / 100
            rates[currency] += move
            rows.append(RateRow(base="RUB", quote=currency, rate=rates[currency], valid_on=day))
        bgn = (rates["EUR"] / EUR_PER_BGN).quantize(QUANTUM, rounding=ROUND_HALF_UP)
        rows.append(RateRow(base="RUB", quote="BGN", rate=bgn, valid_on=day))
    return rows


def demo_rates_create(workspace: Workspace) -> int:
    """Store the demo rates (up to today) in the workspace; returns how many were new."""
    stored = rates_store(
        workspace=workspace,
        rows=demo_rates(timezone.localdate()),
        source=ExchangeRate.Source.FILE,
    )
    return stored.created
