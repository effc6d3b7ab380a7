"""Rates from a CSV file: all rows or none, every bad line named."""

from datetime import date
from decimal import Decimal

import pytest

from klient.core.errors import PermissionDenied
from klient.core.models import AuditEvent
from klient.money.errors import RatesFileInvalid
from klient.money.models import ExchangeRate
from klient.money.services import rates_import_csv

pytestmark = pytest.mark.django_db


def stored():
    return sorted(
        (r.valid_on.isoformat(), r.quote, r.base, r.rate, r.source)
        for r in ExchangeRate.objects.all()
    )


def test_a_russian_spreadsheet_with_decimal_commas_is_imported(admin):
    content = "дата;валюта;курс\n10.03.2025;EUR;98,5\n10.03.2025;USD;90,1234\n".encode()
    result = rates_import_csv(actor=admin, content=content, filename="rates.csv")
    assert (result.created, result.updated) == (2, 0)
    assert stored() == [
        ("2025-03-10", "EUR", "RUB", Decimal("98.5"), "file"),
        ("2025-03-10", "USD", "RUB", Decimal("90.1234"), "file"),
    ]


def test_base_and_units_columns_are_read(admin):
    content = (
        b"date,currency,rate,base,units\n2025-03-10,KZT,17.8,RUB,100\n2025-03-10,USD,1.80,BGN,\n"
    )
    rates_import_csv(actor=admin, content=content)
    assert stored() == [
        ("2025-03-10", "KZT", "RUB", Decimal("0.178"), "file"),
        ("2025-03-10", "USD", "BGN", Decimal("1.8"), "file"),
    ]


def test_base_defaults_to_the_workspace_currency(admin, workspace):
    workspace.default_currency = "BGN"
    workspace.save()
    admin.refresh_from_db()
    rates_import_csv(actor=admin, content=b"date,currency,rate\n2025-03-10,EUR,1.95583\n")
    assert stored() == [("2025-03-10", "EUR", "BGN", Decimal("1.95583"), "file")]


def test_a_windows_1251_file_is_read(admin):
    content = "Дата;Валюта;Курс\n10.03.2025;EUR;98,5\n".encode("cp1251")
    assert rates_import_csv(actor=admin, content=content).created == 1


def test_a_bad_row_stores_nothing_and_is_named_by_its_line(admin):
    content = b"date,currency,rate\n2025-03-10,EUR,98.5\n2025-03-10,EUX,98.5\n2025-03-11,EUR,99\n"
    with pytest.raises(RatesFileInvalid) as raised:
        rates_import_csv(actor=admin, content=content)
    assert raised.value.rows == [(3, "unknown currency “EUX”.")]
    assert ExchangeRate.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="exchange_rate.").exists()


def test_every_bad_row_is_listed(admin):
    content = (
        b"date,currency,rate\n"
        b"2025-02-30,EUR,98.5\n"
        b"2025-03-10,EUR,-1\n"
        b"2025-03-10,EUR,1e5\n"
        b"2025-03-10,RUB,1\n"
        b"2025-03-11,USD,90\n"
        b"2025-03-11,USD,91\n"
    )
    with pytest.raises(RatesFileInvalid) as raised:
        rates_import_csv(actor=admin, content=content)
    assert raised.value.rows == [
        (2, "the date “2025-02-30” is not a date; write 2025-01-31 or 31.01.2025."),
        (3, "the rate “-1” is not a positive number."),
        (4, "the rate “1e5” is not a positive number."),
        (5, "the currency is the same as the base currency."),
        (7, "the same currency, base and date as line 6."),
    ]


def test_a_file_without_the_columns_is_refused_at_line_1(admin):
    with pytest.raises(RatesFileInvalid) as raised:
        rates_import_csv(actor=admin, content=b"day,code,value\n2025-03-10,EUR,98.5\n")
    assert raised.value.rows == [
        (1, "The first row must name the columns date, currency and rate.")
    ]


def test_an_empty_file_is_refused(admin):
    with pytest.raises(RatesFileInvalid):
        rates_import_csv(actor=admin, content=b"\n\n")


def test_importing_again_replaces_changed_rates_and_audits_the_change(admin, store_rates):
    store_rates(("2025-03-10", "EUR", "98"), ("2025-03-10", "USD", "90"))
    content = b"date,currency,rate\n2025-03-10,EUR,98.5\n2025-03-10,USD,90\n2025-03-11,EUR,99\n"
    result = rates_import_csv(actor=admin, content=content, filename="march.csv")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    rate = ExchangeRate.objects.get(quote="EUR", valid_on=date(2025, 3, 10))
    assert (rate.rate, rate.source) == (Decimal("98.5"), "file")
    update = AuditEvent.objects.get(action="exchange_rate.update")
    assert update.changes == {
        "rate": ["98.0000000000", "98.5000000000"],
        "source": ["manual", "file"],
    }
    summary = AuditEvent.objects.get(action="exchange_rate.import")
    assert summary.changes == {
        "file": [None, "march.csv"],
        "created": [None, 1],
        "updated": [None, 1],
    }


def test_an_agent_cannot_import(agent_a):
    with pytest.raises(PermissionDenied):
        rates_import_csv(actor=agent_a, content=b"date,currency,rate\n2025-03-10,EUR,98.5\n")
