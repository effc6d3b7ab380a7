"""At phone width (390 px) every page fits the screen: nothing scrolls sideways, the top
bar folds its nav behind a menu button, and the client card's main actions can be used.
At desktop width the nav stays in the top bar."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from klient.activities import services as activity_services
from klient.calendars.services import calendar_create, calendar_exception_add
from klient.contacts import services as contact_services
from klient.contacts.list_services import saved_list_create
from klient.core.services import token_create
from klient.core.throttle import throttle_failure_record
from klient.importexport.services import import_upload
from klient.money.services import rate_set
from klient.notifications.services import notification_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Every element wider than the window, outermost first, to say what broke the layout.
TOO_WIDE = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."));
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def crm(admin, team_a) -> dict[str, Any]:
    """An admin's workspace with long names and addresses, and one of everything a page lists."""
    organization = contact_services.organization_create(
        actor=admin,
        name="Международная транспортно-экспедиционная компания «Северо-Западный Логистик»",
        email="international.freight.forwarding.department@severo-zapadny-logistic.example",
        phone="+7 812 123-45-67",
    )
    person = contact_services.person_create(
        actor=admin,
        first_name="Александра-Мария",
        last_name="Константинопольская-Преображенская",
        title="Руководитель отдела международных перевозок и таможенного оформления",
        emails=["aleksandra-maria.konstantinopolskaya-preobrazhenskaya@severo-zapadny.example"],
        phones=["+7 916 123-45-67"],
        organization_id=organization.pk,
        tags=["ключевой клиент", "международные перевозки"],
    )
    colleague = contact_services.person_create(
        actor=admin, first_name="Пётр", last_name="Иванов", emails=["petr@example.com"]
    )
    call = activity_services.interaction_create(
        actor=admin,
        kind="call",
        person=person,
        direction="outbound",
        subject="Обсуждение условий доставки контейнеров из Шанхая в Санкт-Петербург",
        body="Клиент просит коммерческое предложение до пятницы; " * 6,
    )
    activity_services.comment_create(actor=admin, interaction=call, body="Готовлю КП")
    activity_services.interaction_create(
        actor=admin, kind="email", organization=organization, subject="Договор"
    )
    now = timezone.now()
    activity_services.task_create(
        actor=admin,
        title="Отправить коммерческое предложение по контейнерным перевозкам",
        person=person,
        due_at=now - timedelta(days=1),
        description="Ставки на сорокафутовые контейнеры, сроки, страховка",
    )
    activity_services.task_create(
        actor=admin, title="Созвон", organization=organization, due_at=now + timedelta(days=2)
    )
    activity_services.task_create(actor=admin, title="Без срока", person=colleague)
    notification_create(
        recipient=admin,
        kind="test.mobile",
        text="Александра-Мария Константинопольская-Преображенская упомянула вас в комментарии",
        url=f"/people/{person.pk}/",
    )
    static_list = saved_list_create(
        actor=admin, name="Ключевые клиенты северо-западного региона", person_ids=[person.pk]
    )
    segment = saved_list_create(
        actor=admin, name="Лиды", kind="dynamic", filters={"lifecycle_stage": "lead"}
    )
    calendar = calendar_create(
        workspace=admin.workspace,
        name="Офис в Санкт-Петербурге",
        time_zone="Europe/Moscow",
        weekly={day: [(time(9), time(18))] for day in range(5)},
        actor=admin,
    )
    calendar_exception_add(
        calendar=calendar, day=date(2030, 1, 1), kind="holiday", actor=admin, name="Новый год"
    )
    rate_set(actor=admin, quote="USD", rate=Decimal("92.5"), valid_on=date(2030, 1, 1))
    upload = import_upload(
        actor=admin,
        file_name="контакты-северо-запад-выгрузка-из-старой-системы.csv",
        content=[
            "Имя,Фамилия,Эл. почта,Телефон\n"
            "Иван,Петров,ivan.petrov.very.long.address@example.com,+79161234567\n".encode()
        ],
        kind="people",
    )
    throttle_failure_record(
        scope="account",
        key="someone.with.a.rather.long.login@example.com",
        limit=1,
        now=now,
        workspace_id=admin.workspace_id,
    )
    token_create(user=admin, name="Интеграция с учётной системой")
    return {
        "person": person,
        "organization": organization,
        "list": static_list,
        "segment": segment,
        "calendar": calendar,
        "import": upload,
    }


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))  # signed in: the home page


def pages_of(crm: dict[str, Any]) -> list[str]:
    person, organization = crm["person"].pk, crm["organization"].pk
    return [
        "/",
        "/clients/",
        "/organizations/",
        f"/people/{person}/",
        f"/people/{person}/edit/",
        "/people/new/",
        f"/organizations/{organization}/",
        f"/organizations/{organization}/edit/",
        "/organizations/new/",
        "/tasks/",
        "/lists/",
        "/lists/new/",
        "/lists/new/segment/",
        f"/lists/{crm['list'].pk}/",
        f"/lists/{crm['list'].pk}/edit/",
        f"/lists/{crm['segment'].pk}/",
        "/import/",
        f"/import/{crm['import'].pk}/mapping/",
        "/export/",
        "/notifications/",
        "/settings/workspace/",
        "/settings/users/",
        "/settings/teams/",
        "/settings/audit/",
        "/settings/jobs/",
        "/settings/calendars/",
        f"/settings/calendars/{crm['calendar'].pk}/",
        "/settings/money/",
        "/settings/lockouts/",
        "/accounts/password/",
        "/accounts/tokens/",
    ]


def test_no_page_scrolls_sideways_at_phone_width(page: Page, live_server, crm):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    too_wide: dict[str, Any] = {}
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        too_wide["/accounts/login/"] = page.evaluate(TOO_WIDE)
    sign_in(page, base)

    for path in pages_of(crm):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            too_wide[path] = page.evaluate(TOO_WIDE)

    assert too_wide == {}


def test_the_menu_button_opens_the_nav_and_its_links_work(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    toggle = page.get_by_role("button", name="Menu")
    tasks_link = page.locator("#mainnav").get_by_role("link", name="My tasks")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(tasks_link).to_be_hidden()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    tasks_link.click()
    expect(page).to_have_url(re.compile(r"/tasks/$"))


def test_escape_folds_the_menu_and_gives_focus_back_to_its_button(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    toggle = page.get_by_role("button", name="Menu")
    toggle.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#mainnav a").first).to_be_focused()

    page.keyboard.press("Escape")

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_a_tap_outside_the_top_bar_folds_the_menu(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    page.get_by_role("button", name="Menu").click()

    page.locator("main h1").click()

    expect(page.locator("#mainnav")).to_be_hidden()


def test_a_call_is_logged_from_the_card_at_phone_width(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/people/{crm['person'].pk}/")
    subject = page.locator("#interaction-form [name=subject]")

    page.get_by_role("tab", name="Log a call").click()
    subject.fill("Перезвонил по ставкам")
    page.get_by_role("button", name="Save to timeline").click()

    expect(page.locator("#timeline-items")).to_contain_text("Перезвонил по ставкам")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_task_is_added_from_the_card_at_phone_width(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/people/{crm['person'].pk}/")

    page.get_by_role("tab", name="Add a task").click()
    page.locator("#task-form [name=title]").fill("Выслать договор")
    page.get_by_role("button", name="Add task").click()

    expect(page.locator("#open-tasks")).to_contain_text("Выслать договор")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_card_actions_come_right_after_the_profile_and_fit_a_finger(
    page: Page, live_server, crm
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/organizations/{crm['organization'].pk}/")
    profile = page.locator(".grid-card .profile").bounding_box()
    tabs = [page.get_by_role("tab", name=name) for name in ("Log a call", "Add a task")]
    people = page.locator("#people-title").bounding_box()

    boxes = [tab.bounding_box() for tab in tabs]

    assert profile is not None and people is not None
    for box in boxes:
        assert box is not None
        assert profile["y"] < box["y"] < people["y"]
        assert box["height"] >= 40
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_buttons_on_the_pages_are_at_least_40px_tall(page: Page, live_server, crm):
    sign_in(page, live_server.url)
    short: dict[str, list[str]] = {}
    for path in pages_of(crm):
        page.goto(f"{live_server.url}{path}")
        found = page.evaluate(
            """() => [...document.querySelectorAll(
                  "button, .btn, input[type=submit], [role=tab], summary")]
                .filter((el) => {
                  const box = el.getBoundingClientRect();
                  return box.width > 0 && box.height > 0 && box.height < 40;
                })
                .map((el) => (el.textContent || el.getAttribute("aria-label") || "").trim())"""
        )
        if found:
            short[path] = found
    assert short == {}


def test_at_desktop_width_the_nav_stays_in_the_top_bar(page: Page, live_server, crm):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url)
    topbar = page.locator("header.topbar").bounding_box()
    nav = page.locator("#mainnav").bounding_box()

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#mainnav").get_by_role("link", name="My tasks")).to_be_visible()
    assert topbar is not None and nav is not None
    assert (topbar["height"], nav["y"]) == (56, topbar["y"])
