"""The sales board and the deal page in a real browser: a card dragged to another column
moves the deal; the same by keyboard alone; a gate refusal shows what is missing next to
the card; a move to the lost stage asks why; at phone width (390 px) neither the board
nor the deal page scrolls sideways (the board scrolls inside its own box)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from klient.sales.models import Deal
from tests.factories import TEST_PASSWORD
from tests.sales.ui_factories import Sales, sales_world

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
# Every element wider than the window and not inside a box that scrolls or clips it.
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
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))


def column(page: Page, sales: Sales, stage: str):
    return page.locator(f'[data-stage-drop="{sales.stages[stage].pk}"]')


def card(page: Page, deal: Deal):
    return page.locator(f"#deal-card-{deal.pk}")


def stage_of(deal: Deal) -> str:
    return Deal.objects.select_related("stage").get(pk=deal.pk).stage.name


def test_dragging_a_card_to_another_column_moves_the_deal(
    page: Page, live_server, agent_a, sales: Sales
):
    deal = sales.deals["Shanghai — Novorossiysk"]
    sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/deals/")
    expect(column(page, sales, "Request received").locator(f"#deal-card-{deal.pk}")).to_be_visible()

    card(page, deal).drag_to(column(page, sales, "Proposal").locator(".board-cards"))

    expect(column(page, sales, "Proposal").locator(f"#deal-card-{deal.pk}")).to_be_visible()
    expect(page.locator(".board-status")).to_contain_text("moved to “Proposal”")
    expect(column(page, sales, "Proposal").locator(".board-col-head .count")).to_have_text("1")
    assert stage_of(deal) == "Proposal"


def test_a_card_moves_with_the_keyboard_alone(page: Page, live_server, agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/deals/")
    title = card(page, deal).locator(".deal-card-title")
    title.focus()
    page.keyboard.press("Tab")  # the card's "Move to" list
    select = page.locator(f"#move-{deal.pk}")
    expect(select).to_be_focused()
    select.select_option(label="Proposal")  # what arrow keys do on a focused list
    page.keyboard.press("Tab")
    expect(card(page, deal).get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")

    expect(column(page, sales, "Proposal").locator(f"#deal-card-{deal.pk}")).to_be_visible()
    # The focus stays with the card in its new column.
    expect(page.locator(f"#move-{deal.pk}")).to_be_focused()
    assert stage_of(deal) == "Proposal"


def test_a_gate_refusal_shows_what_is_missing_next_to_the_card(
    page: Page, live_server, agent_a2, sales: Sales
):
    deal = sales.deals["Guangzhou — Moscow"]  # agent_a2's, no amount yet
    sign_in(page, live_server.url, "agent_a2")
    page.goto(f"{live_server.url}/deals/")
    card(page, deal).drag_to(column(page, sales, "Terms agreed").locator(".board-cards"))

    problem = page.locator(f"#deal-{deal.pk}-problem")
    expect(problem.get_by_role("alert")).to_contain_text("Not moved to “Terms agreed”")
    expect(problem).to_contain_text("Amount is not filled in")
    expect(column(page, sales, "Request received").locator(f"#deal-card-{deal.pk}")).to_be_visible()
    assert stage_of(deal) == "Request received"

    problem.get_by_role("button", name="Close").click()
    expect(problem).to_be_empty()


def test_moving_to_lost_asks_for_the_reason(page: Page, live_server, agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/deals/")
    page.locator(f"#move-{deal.pk}").select_option(label="Lost")
    card(page, deal).get_by_role("button", name="Move").click()

    prompt = page.locator(f"#deal-{deal.pk}-problem")
    expect(prompt).to_contain_text("Why was the deal lost?")
    reason = prompt.get_by_label("Lost reason")
    expect(reason).to_be_focused()
    reason.select_option(label="Price too high")
    prompt.get_by_role("button", name="Mark as lost").click()

    expect(column(page, sales, "Lost").locator(f"#deal-card-{deal.pk}")).to_be_visible()
    deal.refresh_from_db()
    assert deal.state == Deal.State.LOST and deal.lost_reason == sales.reasons[0]


def test_the_deal_page_moves_the_deal_and_ticks_its_checklist(
    page: Page, live_server, agent_a, sales: Sales
):
    deal = sales.deals["Shanghai — Novorossiysk"]
    sign_in(page, live_server.url, "agent_a")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    page.get_by_role("button", name="Move to “Proposal”").click()
    expect(page.locator(".messages")).to_contain_text("moved to “Proposal”")
    page.get_by_role("button", name="Move to “Terms agreed”").click()
    expect(page.locator(".stage-step.is-current")).to_have_text("Terms agreed")
    expect(page.locator("#gate-missing")).to_contain_text("“Insurance” is not done")

    page.get_by_role("button", name="Done: Customs declaration").click()
    page.get_by_role("button", name="Done: Insurance").click()
    expect(page.locator("#gate-missing")).to_contain_text("Everything is ready")
    expect(page.get_by_role("button", name="Done: Insurance")).to_be_focused()
    assert stage_of(deal) == "Terms agreed"


@pytest.mark.parametrize("where", ["board", "deal", "list", "settings", "new"])
def test_no_sideways_scroll_at_phone_width(page: Page, live_server, admin, where, sales: Sales):
    deal = sales.deal(
        admin,
        "Международная перевозка оборудования Шанхай — Санкт-Петербург через Новороссийск",
        amount=Decimal("123456789.99"),
    )
    for index in range(4):
        sales.deal(admin, f"Сборный груз {index}", amount=Decimal(1000 * index))
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "admin")
    path = {
        "board": "/deals/",
        "deal": f"/deals/{deal.pk}/",
        "list": "/deals/list/",
        "settings": "/deals/settings/",
        "new": "/deals/new/",
    }[where]
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    assert page.evaluate(TOO_WIDE) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    if where == "board":
        # The columns scroll inside the board's own box.
        assert page.evaluate(
            "(() => { const b = document.querySelector('.board');"
            " return b.scrollWidth > b.clientWidth; })()"
        )
