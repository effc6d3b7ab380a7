"""Money fixtures: rates stored through the service, as every caller stores them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from klient.money.rates import RateRow
from klient.money.services import rates_store


@pytest.fixture
def store_rates(workspace):
    """store_rates(("2025-03-10", "EUR", "98.5"), ...) -> rows of 1 EUR = 98.5 RUB.

    A fourth item sets the base currency; `into=` another workspace."""

    def store(*rows: tuple[str, ...], into=None) -> None:
        rates_store(
            workspace=into or workspace,
            rows=[
                RateRow(
                    base=row[3] if len(row) > 3 else "RUB",
                    quote=row[1],
                    rate=Decimal(row[2]),
                    valid_on=date.fromisoformat(row[0]),
                )
                for row in rows
            ],
            source="manual",
        )

    return store
