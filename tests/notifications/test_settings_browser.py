"""The notifications page on a phone: an administrator sends held messages, and a
template with an unknown placeholder is refused with the placeholder named."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.notifications.models import MessageLog, NotificationTemplate
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


def test_admin_releases_held_messages_and_fixes_a_template_at_phone_width(
    page: Page, live_server, admin, workspace
):
    for number in range(2):
        MessageLog.objects.create(
            workspace=workspace,
            kind="task",
            channel="email",
            address=f"colleague{number}@example.org",
            subject=f"Task: report {number}",
            body_text="A task for you",
            from_email="klient@localhost",
            status="held",
        )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))

    page.goto(f"{live_server.url}/settings/notifications/")
    held = page.get_by_test_id("held")
    expect(held).to_contain_text("Held back: 2")
    assert fits_the_screen(page)

    held.get_by_role("button", name="Send all now").click()
    expect(page.get_by_test_id("held")).to_contain_text("Held back: 0")
    assert set(MessageLog.objects.values_list("status", flat=True)) == {"sent"}

    page.get_by_test_id("templates").get_by_role("link", name="ru").first.click()
    page.fill("#id_body", "{actor}: {deal.amount}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_contain_text("Unknown placeholder {deal.amount}")
    assert fits_the_screen(page)

    page.fill("#id_body", "{actor}: {task.title}")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/settings/notifications/$"))
    assert NotificationTemplate.objects.get().body == "{actor}: {task.title}"
