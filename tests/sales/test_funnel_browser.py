"""The funnel page in a real browser at phone width (390 px): nothing scrolls sideways,
the chart and the figures show, a period is one tap away, and the strict
Content-Security-Policy blocks nothing (no console errors)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.urls import resolve
from playwright.sync_api import Page, expect

from klient.sales import report_views
from tests.factories import TEST_PASSWORD
from tests.sales._funnel_story import at, clock_hold, story_make

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": executable, "args": ["--no-sandbox"]}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "viewport": PHONE}


@pytest.fixture(autouse=True)
def funnel_urls(settings):
    if resolve("/deals/funnel/").func is not report_views.funnel:
        settings.ROOT_URLCONF = "tests.sales._funnel_urls"


def test_the_funnel_fits_a_phone_and_a_quarter_is_one_tap_away(
    page: Page, live_server, admin, monkeypatch
):
    clock = clock_hold(monkeypatch)
    story_make(admin, clock)
    clock.now = at(5, 20)  # Q2 2026: only D8 entered
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))

    page.goto(f"{live_server.url}/deals/funnel/")

    expect(page.locator('[data-figure="entered"]')).to_have_text("1")
    assert page.evaluate(TOO_WIDE) == []
    page.locator('.funnel-periods a.btn:not([rel])[href*="from=2026-01&to=2026-03"]').click()
    expect(page.locator('[data-figure="entered"]')).to_have_text("6")
    expect(page.locator('[data-figure="conversion"]')).to_have_text(re.compile(r"^16,7\s?%$"))
    assert page.locator(".funnel-chart li").count() == 4
    assert page.evaluate(TOO_WIDE) == []
    assert errors == []
    if os.environ.get("FUNNEL_SHOTS"):
        page.screenshot(path="/tmp/kh-funnel/phone.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path="/tmp/kh-funnel/desktop.png", full_page=True)
