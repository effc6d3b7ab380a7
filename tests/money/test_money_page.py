"""/settings/money/: administrators only, one workspace's rates, errors on the page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klient.money.models import ExchangeRate
from klient.money.rates import RateRow
from klient.money.services import rates_store
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

URL = "/settings/money/"


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_admin_sees_the_rates_latest_first(admin_client, store_rates):
    store_rates(("2025-03-07", "EUR", "97.8"), ("2025-03-10", "USD", "90.125"))
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert [r.valid_on for r in response.context["page"].items] == [
        date(2025, 3, 10),
        date(2025, 3, 7),
    ]
    assert "1 USD = 90.125 RUB" in response.content.decode()


def test_rates_are_shown_in_the_readers_language(admin_client, store_rates):
    store_rates(("2025-03-10", "USD", "90.125"))
    response = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    assert "1 USD = 90,125 RUB" in response.content.decode()


def test_an_agent_gets_403(client, agent_a):
    client.force_login(agent_a)
    assert client.get(URL).status_code == 403
    response = client.post(f"{URL}rates/", {"quote": "EUR", "rate": "1", "base": "RUB"})
    assert response.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_a_manager_gets_403(client, manager_a):
    client.force_login(manager_a)
    assert client.get(URL).status_code == 403


def test_another_workspaces_rates_are_not_shown(admin_client, store_rates):
    store_rates(("2025-03-10", "EUR", "98.5"))
    store_rates(("2025-03-11", "USD", "77.7"), into=WorkspaceFactory())
    response = admin_client.get(URL)
    assert [r.quote for r in response.context["page"].items] == ["EUR"]
    assert "77.7" not in response.content.decode()


def test_another_workspaces_rate_cannot_be_deleted(admin_client):
    theirs = WorkspaceFactory()
    rates_store(
        workspace=theirs,
        rows=[RateRow(base="RUB", quote="EUR", rate=Decimal(98), valid_on=date(2025, 3, 10))],
        source="manual",
    )
    rate = ExchangeRate.objects.get()
    assert admin_client.post(f"{URL}rates/{rate.pk}/delete/").status_code == 404
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()


def test_admin_deletes_a_rate(admin_client, store_rates):
    store_rates(("2025-03-10", "EUR", "98.5"))
    rate = ExchangeRate.objects.get()
    assert admin_client.post(f"{URL}rates/{rate.pk}/delete/").status_code == 302
    assert not ExchangeRate.objects.exists()


def test_admin_enters_a_rate_with_a_decimal_comma_in_russian(admin_client):
    response = admin_client.post(
        f"{URL}rates/",
        {"quote": "EUR", "rate": "98,50", "base": "RUB", "valid_on": "2025-03-10"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.quote, rate.base, rate.rate, rate.valid_on) == (
        "EUR",
        "RUB",
        Decimal("98.5"),
        date(2025, 3, 10),
    )


def test_a_rate_that_is_not_a_number_is_shown_beside_the_field(admin_client):
    response = admin_client.post(
        f"{URL}rates/", {"quote": "EUR", "rate": "abc", "base": "RUB", "valid_on": "2025-03-10"}
    )
    assert response.status_code == 422
    assert response.context["rate_form"].errors["rate"] == ["Enter a number, for example 1,234.50."]
    assert not ExchangeRate.objects.exists()


def test_admin_changes_the_default_currency(admin_client, workspace):
    assert admin_client.post(f"{URL}currency/", {"currency": "BGN"}).status_code == 302
    workspace.refresh_from_db()
    assert workspace.default_currency == "BGN"


def test_an_unknown_default_currency_is_refused(admin_client, workspace):
    response = admin_client.post(f"{URL}currency/", {"currency": "XYZ"})
    assert response.status_code == 422
    workspace.refresh_from_db()
    assert workspace.default_currency == "RUB"


def test_admin_uploads_a_rates_file(admin_client):
    upload = SimpleUploadedFile("rates.csv", b"date;currency;rate\n10.03.2025;EUR;98,5\n")
    response = admin_client.post(f"{URL}rates/import/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Rates imported: 1 new, 0 changed, 0 unchanged."
    ]
    assert ExchangeRate.objects.get().rate == Decimal("98.5")


def test_a_bad_file_stores_nothing_and_names_the_line(admin_client):
    upload = SimpleUploadedFile(
        "rates.csv", b"date,currency,rate\n2025-03-10,EUR,98.5\n2025-03-10,EUX,1\n"
    )
    response = admin_client.post(f"{URL}rates/import/", {"file": upload})
    assert response.status_code == 422
    assert response.context["file_errors"] == [(3, "unknown currency “EUX”.")]
    assert "Line 3: unknown currency “EUX”." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_rates_are_paged(admin_client, workspace):
    first = date(2025, 1, 1)
    rates_store(
        workspace=workspace,
        rows=[
            RateRow(base="RUB", quote="EUR", rate=Decimal(90), valid_on=first + timedelta(days=n))
            for n in range(60)
        ],
        source="file",
    )
    page_one = admin_client.get(URL).context["page"]
    assert len(page_one.items) == 50
    page_two = admin_client.get(URL, {"cursor": page_one.next_cursor}).context["page"]
    assert [r.valid_on for r in page_two.items] == [
        first + timedelta(days=n) for n in range(9, -1, -1)
    ]
    assert page_two.next_cursor is None
