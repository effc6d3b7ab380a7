"""The calendar pages on a phone: an administrator sets up an office's calendar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.calendars.models import BusinessCalendar
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 375, "height": 740}}


def fits_the_screen(page: Page) -> bool:
    """Every part of the page's own content (the shared top bar aside) is within the screen."""
    return page.evaluate(
        """Array.from(document.querySelectorAll('main .card, main .card *'))
            .every(e => e.getBoundingClientRect().right <= window.innerWidth)"""
    )


def test_admin_sets_up_a_calendar_at_phone_width(page: Page, live_server, admin):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page

    page.goto(f"{live_server.url}/settings/calendars/")
    assert fits_the_screen(page)
    page.fill("#id_name", "Sofia office")
    page.select_option("#id_time_zone", "Europe/Sofia")
    page.fill("#id_weekday_4", "09:00-13:00, 14:00-16:00")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.locator("h1")).to_contain_text("Sofia office")
    expect(page.locator("#id_weekday_4")).to_have_value("09:00-13:00, 14:00-16:00")

    page.fill("#holidays_year_from", "2026")
    page.fill("#holidays_year_to", "2026")
    page.get_by_role("button", name="Load public holidays").click()
    exceptions = page.get_by_test_id("exceptions")
    expect(exceptions).to_contain_text("Liberation Day")

    page.fill("#exception_date", "2026-06-06")
    page.select_option("#exception_kind", "working_day")
    page.fill("#exception_hours", "10:00-25:00")
    page.get_by_role("button", name="Add date").click()
    expect(page.locator("#exception_hours_error")).to_be_visible()
    assert fits_the_screen(page)
    calendar = BusinessCalendar.objects.get(name="Sofia office")
    assert calendar.time_zone == "Europe/Sofia"
    assert not calendar.exceptions.filter(kind="working_day").exists()
