"""The Content-Security-Policy in a real browser: the main pages break none of it, and
htmx and our script still work under it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.activities import services as activity_services
from klient.contacts import services as contact_services
from klient.core.services import token_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# Every violation, whatever Chrome logs for it, fires this event in the page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Violations seen so far: the console's CSP errors and each document's own record."""
    found: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def page_violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_main_pages_break_no_policy_and_htmx_still_swaps(
    page: Page, live_server, admin, violations
):
    organization = contact_services.organization_create(actor=admin, name="ООО Ромашка")
    person = contact_services.person_create(
        actor=admin,
        first_name="Мария",
        last_name="Смирнова",
        phones=["+7 916 123-45-67"],
        organization_id=organization.pk,
    )
    contact_services.person_create(actor=admin, first_name="Пётр", last_name="Иванов")
    activity_services.interaction_create(
        actor=admin, kind="call", person=person, direction="outbound", subject="Звонок"
    )
    token_create(user=admin, name="ERP")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    assert page_violations(page) == []
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page
    page.goto(f"{base}/clients/")

    # Live search: htmx swaps the results in without a reload.
    page.fill("#search", "Смирнова")
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.locator("table.list")).to_contain_text("Мария Смирнова")
    expect(page.locator("table.list")).not_to_contain_text("Пётр Иванов")
    # Avatar colours come from classes now; the stylesheet still paints them.
    hue = page.locator("table.list .avatar").first.evaluate(
        "el => getComputedStyle(el).getPropertyValue('--h').trim()"
    )
    assert hue != "220"
    assert page_violations(page) == []

    # The card: klient.js switches the composer's tabs.
    page.goto(f"{base}/people/{person.pk}/")
    page.get_by_role("tab", name="Add a note").click()
    expect(page.locator("#panel-note")).to_be_visible()
    assert page_violations(page) == []

    for path in [
        "/import/",
        "/tasks/",
        "/settings/users/",
        "/settings/audit/",
        "/settings/lockouts/",
        "/accounts/tokens/",
        "/notifications/",
    ]:
        page.goto(f"{base}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert (path, page_violations(page)) == (path, [])

    assert violations == []


def test_the_api_docs_render_under_the_policy(page: Page, live_server, admin, violations):
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Klient API")
    assert page_violations(page) == []
    assert violations == []
