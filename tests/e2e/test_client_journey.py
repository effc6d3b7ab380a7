"""A first session in a real browser: sign in, add clients, log a call, search, switch language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.activities.models import Comment, Interaction
from klient.contacts import services as contact_services
from klient.contacts.models import Person
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_sign_in_create_log_call_search_and_switch_language(
    page: Page, live_server, agent_a, agent_a2
):
    # Someone else is already in the dossier, so the search has something to leave out.
    contact_services.person_create(
        actor=agent_a, first_name="Пётр", last_name="Иванов", phones=["+7 903 555-11-22"]
    )
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "agent_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page
    page.locator("#mainnav").get_by_role("link", name="Clients").click()
    expect(page.locator("h1")).to_have_text("Clients")

    # A new organization.
    page.get_by_role("link", name="New organization").click()
    page.fill("#id_name", "ООО Северный Ветер")
    page.fill("#id_phone", "+7 495 765-43-21")
    page.get_by_role("button", name="Create organization").click()
    expect(page.locator("h1")).to_have_text("ООО Северный Ветер")

    # A person in it, with a phone typed the way people type it.
    page.get_by_role("link", name="Add person").click()
    page.fill("#id_first_name", "Мария")
    page.fill("#id_last_name", "Смирнова")
    page.fill("#id_phones", "+7 916 123-45-67")
    expect(page.locator("#id_organization")).to_have_value(re.compile(r"\d+"))
    page.select_option("#id_organization_role", "decision_maker")
    page.get_by_role("button", name="Create person").click()
    expect(page.locator("h1")).to_have_text("Мария Смирнова")
    expect(page.locator(".facts")).to_contain_text("+7 916 123-45-67")
    expect(page.locator(".facts")).to_contain_text("ООО Северный Ветер")

    # Log a call on the card: it appears at the top of the timeline without a reload.
    page.fill("#interaction-form #id_subject", "Обсудили коммерческое предложение")
    page.fill("#interaction-form #id_duration_minutes", "7")
    page.get_by_role("button", name="Save to timeline").click()
    first_item = page.locator("#timeline-items .tl-item").first
    expect(first_item).to_contain_text("Обсудили коммерческое предложение")
    expect(first_item).to_contain_text("7 min")
    expect(page.locator("#interaction-form #id_subject")).to_have_value("")

    # Comment on it, mentioning a colleague.
    first_item.locator("summary").click()
    first_item.locator("textarea").fill("@agent_a2 подготовь договор")
    first_item.get_by_role("button", name="Send").click()
    expect(first_item.locator(".comment")).to_contain_text("подготовь договор")
    expect(first_item.locator(".mention")).to_have_text("@agent_a2")

    person = Person.objects.get(full_name="Мария Смирнова")
    assert Interaction.objects.filter(person=person, kind="call", duration_seconds=420).count() == 1
    assert list(Comment.objects.get().mentioned_users.values_list("username", flat=True)) == [
        "agent_a2"
    ]

    # Back to the list: "/" jumps to the search box; a fragment of the phone finds her.
    page.get_by_role("link", name="Clients").first.click()
    expect(page.locator("table.list")).to_contain_text("Пётр Иванов")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("916 123")
    expect(page.locator("table.list")).to_contain_text("Мария Смирнова")
    expect(page.locator("table.list")).not_to_contain_text("Пётр Иванов")
    expect(page).to_have_url(re.compile(r"q=916"))

    # Switch the interface to Russian: labels change, the choice sticks.
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("h1")).to_have_text("Клиенты")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto(f"{base}/tasks/")
    expect(page.locator("h1")).to_have_text("Мои задачи")
    agent_a.refresh_from_db()
    assert agent_a.language == "ru"
