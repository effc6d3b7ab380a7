"""An administrator adds a colleague in a real browser; the colleague signs in with the
first password, sees only their team's clients, and an admin finds it all in the audit log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.contacts.services import person_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_admin_adds_a_colleague_who_then_sees_their_team_only(
    page: Page, live_server, admin, team_a, team_b, agent_a, agent_b
):
    person_create(actor=agent_a, first_name="Анна", last_name="Командная")
    person_create(actor=agent_b, first_name="Борис", last_name="Чужой")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page

    page.goto(f"{base}/settings/users/")
    page.fill("#id_username", "newbie")
    page.select_option("#id_role", "agent")
    page.fill("#id_first_name", "Новый")
    page.get_by_label(team_a.name).last.check()
    page.get_by_role("button", name="Create user").click()
    password = page.get_by_test_id("new-password").inner_text().strip()
    assert len(password) >= 12

    page.goto(f"{base}/settings/audit/?action=user.create")
    expect(page.locator("table.audit tbody tr").first).to_contain_text("user.create")
    expect(page.locator("table.audit tbody")).to_contain_text("newbie")

    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "newbie")
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page
    page.goto(f"{base}/clients/")
    results = page.locator("#results")
    expect(results).to_contain_text("Анна Командная")
    expect(results).not_to_contain_text("Борис Чужой")
    assert page.goto(f"{base}/settings/users/").status == 403
