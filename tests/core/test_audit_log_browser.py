"""The audit log on a phone: an administrator narrows it to one colleague's changes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.contacts.services import organization_create, person_create, person_update
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def history(admin, workspace, team_a):
    boris = UserFactory(
        workspace=workspace,
        role="manager",
        username="boris",
        first_name="Борис",
        last_name="Иванов",
        teams=[team_a],
    )
    petr = person_create(actor=boris, first_name="Пётр", last_name="Сидоров")
    person_update(actor=boris, person=petr, data={"title": "Директор по закупкам"})
    organization_create(actor=admin, name="Меридиан")
    return {"boris": boris, "petr": petr}


def test_an_admin_filters_the_log_by_colleague_at_phone_width(
    page: Page, live_server, admin, history
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/(clients|home)?/?$"))

    page.goto(f"{live_server.url}/settings/audit/")
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(3)

    page.select_option("#a-actor", label="Борис Иванов")
    page.get_by_role("button", name="Фильтр").click()

    expect(page).to_have_url(re.compile(rf"actor={history['boris'].pk}"))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Борис Иванов: изменён контакт Пётр Сидоров — должность")
    expect(rows.first.get_by_role("link", name="Пётр Сидоров")).to_have_attribute(
        "href", f"/people/{history['petr'].pk}/"
    )
    expect(page.locator("table.audit")).not_to_contain_text("Меридиан")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
