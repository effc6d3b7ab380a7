"""Type-ahead pickers and @mentions in a real browser, with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.activities import services as activity_services
from klient.activities.models import Comment
from klient.contacts import services as contact_services
from klient.contacts.models import Affiliation
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
# The picker's list lies inside the window and nothing on the page scrolls sideways.
FITS = """(list) => {
  const box = list.getBoundingClientRect();
  return box.left >= 0 && box.right <= window.innerWidth + 0.5
    && document.documentElement.scrollWidth <= window.innerWidth;
}"""


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))


def test_choose_an_organization_with_the_keyboard_in_the_person_form(
    page: Page, live_server, agent_a, agent_b
):
    wind = contact_services.organization_create(actor=agent_a, name="ООО Северный Ветер")
    contact_services.organization_create(actor=agent_a, name="Северсталь Трейд")
    contact_services.organization_create(actor=agent_b, name="Северный Путь")  # team B's
    _sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/people/new/")
    page.fill("#id_first_name", "Мария")
    page.fill("#id_last_name", "Смирнова")

    combobox = page.get_by_role("combobox", name="Organization", exact=True)
    expect(page.locator("#id_organization")).to_be_hidden()  # the plain select, for no script
    combobox.focus()
    combobox.press_sequentially("СЁВЕР")  # any case, ё or е
    listbox = page.get_by_role("listbox", name="Organization", exact=True)
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("Северсталь Трейд")  # the name starting with it
    expect(listbox).not_to_contain_text("Северный Путь")
    expect(combobox).to_have_attribute("aria-expanded", "true")

    combobox.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    combobox.press("Enter")  # chooses; does not send the form
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("ООО Северный Ветер")
    expect(page.locator("#id_organization")).to_have_value(str(wind.pk))
    expect(page.locator("h1")).to_have_text("New person")

    # Typing without choosing, then Escape, puts the chosen name back.
    combobox.press_sequentially(" xyz")
    combobox.press("Escape")
    expect(combobox).to_have_value("ООО Северный Ветер")

    page.get_by_role("button", name="Create person").click()
    expect(page.locator("h1")).to_have_text("Мария Смирнова")
    expect(page.locator(".facts")).to_contain_text("ООО Северный Ветер")
    assert list(Affiliation.objects.values_list("organization_id", flat=True)) == [wind.pk]


def test_mention_a_colleague_from_the_suggestions(
    page: Page, live_server, agent_a, agent_a2, agent_b
):
    person = contact_services.person_create(actor=agent_a, first_name="Иван", last_name="Петров")
    activity_services.interaction_create(
        actor=agent_a, kind="call", person=person, subject="Первый звонок"
    )
    _sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    item = page.locator("#timeline-items .tl-item").first
    item.locator("summary").click()
    box = item.locator("textarea")
    expect(box).to_be_focused()
    box.press_sequentially("Обсуди с @AGE")
    suggestions = item.get_by_role("listbox", name="Colleagues")
    expect(suggestions.get_by_role("option")).to_have_count(1)  # not agent_b: cannot see him
    expect(suggestions).to_contain_text("@agent_a2")
    box.press("Enter")
    expect(box).to_have_value("Обсуди с @agent_a2 ")
    expect(suggestions).to_be_hidden()
    box.press_sequentially("договор")
    item.get_by_role("button", name="Send").click()
    expect(item.locator(".mention")).to_have_text("@agent_a2")
    assert list(Comment.objects.get().mentioned_users.all()) == [agent_a2]


def test_filter_team_tasks_by_client_at_phone_width(
    page: Page, live_server, manager_a, agent_a, agent_a2
):
    page.set_viewport_size(PHONE)
    ivan = contact_services.person_create(actor=agent_a, first_name="Иван", last_name="Ёлкин")
    olga = contact_services.person_create(actor=agent_a2, first_name="Ольга", last_name="Ель")
    activity_services.task_create(actor=agent_a, title="Позвонить Ивану", person=ivan)
    activity_services.task_create(actor=agent_a2, title="Написать Ольге", person=olga)
    _sign_in(page, live_server.url, "manager_a")
    page.goto(f"{live_server.url}/tasks/?scope=team")
    results = page.locator("#results")
    expect(results).to_contain_text("Позвонить Ивану")
    expect(results).to_contain_text("Написать Ольге")

    combobox = page.get_by_role("combobox", name="Person")
    combobox.focus()
    combobox.press_sequentially("елк")
    listbox = page.get_by_role("listbox", name="Person")
    expect(listbox.get_by_role("option")).to_have_count(1)
    assert listbox.evaluate(FITS)
    combobox.press("Enter")
    expect(combobox).to_have_value("Иван Ёлкин")
    expect(results).not_to_contain_text("Написать Ольге")  # the list follows, no reload
    expect(results).to_contain_text("Позвонить Ивану")
    expect(page).to_have_url(re.compile(rf"person={ivan.pk}"))

    # Back: htmx puts the earlier page back from its history, and its pickers work again.
    page.go_back()
    expect(results).to_contain_text("Написать Ольге")
    combobox = page.get_by_role("combobox", name="Person")
    combobox.focus()
    combobox.press_sequentially("ел")
    expect(page.get_by_role("listbox", name="Person").get_by_role("option")).to_have_count(2)
