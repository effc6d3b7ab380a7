"""The home page in a browser: signing in lands on it, a task is completed from it with
the keyboard, and at phone width it fits the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from klient.activities.models import Task
from klient.activities.services import interaction_create, task_create
from klient.contacts.services import person_create
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": PHONE}


@pytest.fixture
def overdue_task(agent_a):
    person = person_create(
        actor=agent_a,
        first_name="Александра-Мария",
        last_name="Константинопольская-Преображенская",
    )
    interaction_create(
        actor=agent_a,
        kind="call",
        person=person,
        subject="Обсуждение условий доставки контейнеров из Шанхая в Санкт-Петербург",
    )
    return task_create(
        actor=agent_a,
        title="Отправить коммерческое предложение по контейнерным перевозкам",
        person=person,
        due_at=timezone.now() - timedelta(days=1),
    )


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "agent_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")


def test_signing_in_lands_on_my_day_and_it_fits_a_phone(page: Page, live_server, overdue_task):
    sign_in(page, live_server.url)

    expect(page).to_have_url(re.compile(r":\d+/$"))
    expect(page.locator("h1")).to_have_text("My day")
    expect(page.get_by_test_id("home-recent")).to_contain_text("Обсуждение условий доставки")
    expect(page.get_by_test_id("home-chart").locator("rect.chart-bar")).to_have_count(14)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_overdue_task_is_completed_from_the_home_page_with_the_keyboard(
    page: Page, live_server, overdue_task
):
    sign_in(page, live_server.url)
    row = page.locator(f"#task-{overdue_task.pk}")
    expect(row).to_have_class(re.compile(r"\bis-overdue\b"))

    row.get_by_role("button", name=re.compile("Mark .* as done")).focus()
    page.keyboard.press("Enter")

    expect(row).to_have_class(re.compile(r"\bis-done\b"))
    expect(page).to_have_url(re.compile(r":\d+/$"))  # swapped in place, no reload
    overdue_task.refresh_from_db()
    assert overdue_task.status == Task.Status.DONE
