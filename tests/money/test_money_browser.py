"""The money page on a phone: an administrator imports rates and enters one by hand."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.money.models import ExchangeRate
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "viewport": {"width": 375, "height": 740}}


def fits_the_screen(page: Page) -> bool:
    """Every part of the page's own content (the shared top bar aside) is within the screen."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('main .card, main .card *'))
            .every(e => e.getBoundingClientRect().right <= window.innerWidth)"""
    )


def test_admin_manages_rates_at_phone_width(page: Page, live_server, admin, tmp_path):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page

    page.goto(f"{live_server.url}/settings/money/")
    assert fits_the_screen(page)

    rates = tmp_path / "rates.csv"
    rates.write_text("дата;валюта;курс\n07.03.2025;EUR;97,8\n10.03.2025;USD;90,125\n")
    page.set_input_files("#id_file", str(rates))
    page.locator("form[action$='/rates/import/'] button[type=submit]").click()
    table = page.get_by_test_id("rates")
    expect(table).to_contain_text("1 USD = 90,125 RUB")
    expect(table.locator("tbody tr").first).to_contain_text("USD")

    page.select_option("#id_quote", "BGN")
    page.fill("#id_rate", "50,05")
    page.fill("#id_valid_on", "2025-03-11")
    page.locator("form[action$='/rates/'] button[type=submit]").click()
    expect(table.locator("tbody tr").first).to_contain_text("1 BGN = 50,05 RUB")
    assert fits_the_screen(page)
    assert ExchangeRate.objects.count() == 3
