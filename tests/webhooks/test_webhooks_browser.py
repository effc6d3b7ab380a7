"""The webhooks page on a phone: an administrator adds a webhook, copies its secret, and
turns it off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.webhooks.models import Webhook
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


def test_admin_adds_a_webhook_at_phone_width(page: Page, live_server, admin):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page

    page.goto(f"{live_server.url}/settings/webhooks/")
    assert fits_the_screen(page)
    page.fill("#id_url", "https://93.184.216.34/hooks/klient")
    page.locator("input[name=event_names][value='interaction.created']").check()
    page.locator("form[action$='/settings/webhooks/new/'] button[type=submit]").click()

    secret = page.get_by_test_id("webhook-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_"))
    webhook = Webhook.objects.get()
    assert secret.inner_text() == webhook.secret
    assert webhook.event_names == ["interaction.created"]
    row = page.locator(f"#webhook-{webhook.pk}")
    expect(row).to_contain_text("https://93.184.216.34/hooks/klient")
    assert fits_the_screen(page)

    row.locator("form[action$='/toggle/'] button").click()  # htmx swaps the row
    expect(page.locator(f"#webhook-{webhook.pk} .badge.overdue")).to_be_visible()
    assert Webhook.objects.get().is_active is False
    assert fits_the_screen(page)
