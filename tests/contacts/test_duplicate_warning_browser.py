"""In a real browser: a new person with a known phone is held back with a warning that links
to the existing card, names no hidden colleague's client, and saves on "Save anyway"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.contacts import services as contact_services
from klient.contacts.models import Person
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1366, "height": 900}}


def test_duplicate_warning_links_the_existing_person_and_saves_anyway(
    page: Page, live_server, agent_a, agent_b
):
    existing = contact_services.person_create(
        actor=agent_a, first_name="Пётр", last_name="Иванов", phones=["+7 903 555-11-22"]
    )
    contact_services.person_create(
        actor=agent_b, first_name="Скрытый", last_name="Клиент", emails=["petr@example.org"]
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "agent_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page

    page.goto(f"{base}/people/new/")
    page.fill("#id_first_name", "Петя")
    page.fill("#id_last_name", "Иванов")
    page.fill("#id_phones", "8 903 555 11 22")
    page.fill("#id_emails", "petr@example.org")
    page.get_by_role("button", name="Create person").click()

    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Пётр Иванов")
    expect(warning).to_contain_text("+7 903 555-11-22")
    expect(warning).not_to_contain_text("Скрытый")
    expect(warning.get_by_role("link", name="Пётр Иванов")).to_have_attribute(
        "href", f"/people/{existing.pk}/"
    )
    # Nothing saved yet, and what was typed is still in the form.
    assert Person.objects.filter(first_name="Петя").count() == 0
    expect(page.locator("#id_phones")).to_have_value("8 903 555 11 22")

    page.get_by_role("button", name="Save anyway").click()
    expect(page.locator("h1")).to_have_text("Петя Иванов")
    assert Person.objects.filter(first_name="Петя").count() == 1
