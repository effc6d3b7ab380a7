"""The people list in a browser: sort by a column, check two rows, add a tag to them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.contacts.services import person_create
from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_sort_check_two_rows_and_add_a_tag(page: Page, live_server, admin):
    for last_name in ("Волков", "Антонов", "Борисов"):
        person_create(actor=admin, first_name="", last_name=last_name)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))

    page.goto(f"{live_server.url}/clients/")
    table = page.get_by_test_id("people")
    page.locator("th a[data-sort=name]").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Person")
    names = table.locator("tbody td[data-column=name] a")
    expect(names).to_have_text(["Антонов", "Борисов", "Волков"])

    page.get_by_label("Select Антонов").check()
    page.get_by_label("Select Борисов").check()
    page.select_option("#bulk-action", "tag_add")
    expect(page.locator("#bulk-owner")).to_be_hidden()  # only the input this action needs
    page.fill("#bulk-tag", "VIP")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator(".messages")).to_contain_text("Tag added: 2.")
    tags = page.get_by_test_id("people").locator("tbody td[data-column=tags]")
    expect(tags).to_have_text(["VIP", "VIP", ""])
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Person")  # still sorted
