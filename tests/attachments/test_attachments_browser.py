"""In a real browser at phone width: a person's card takes a file with the keyboard, lists
it, downloads it through the checked view, and explains a refused file; nothing on the
card scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from klient.attachments.models import Attachment
from klient.contacts import services as contact_services
from tests.attachments.samples import PDF
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  (Debian's chromium)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TOO_WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return false;
    }
    return true;
  })
  .slice(0, 3).map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."))"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "en-US",
        "viewport": {"width": 390, "height": 844},
        "accept_downloads": True,
    }


def test_a_file_is_attached_with_the_keyboard_at_phone_width(
    page: Page, live_server, agent_a, tmp_path
):
    person = contact_services.person_create(
        actor=agent_a, first_name="Александра-Мария", last_name="Константинопольская"
    )
    long_name = "Договор поставки контейнеров Шанхай — Санкт-Петербург, подписанный.pdf"
    (tmp_path / long_name).write_bytes(PDF)
    (tmp_path / "invoice.html").write_bytes(b"<html><script>alert(1)</script></html>")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "agent_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r":\d+/$"))

    page.goto(f"{base}/people/{person.pk}/")
    panel = page.locator(f"#attachments-contacts-person-{person.pk}")
    expect(panel.get_by_role("heading", name="Files")).to_be_visible()
    expect(panel).to_contain_text("No files yet.")

    # A refused type: the reason under the field, nothing stored.
    panel.get_by_label("File").set_input_files(str(tmp_path / "invoice.html"))
    panel.get_by_role("button", name="Attach").focus()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("Files of this type cannot be attached.")
    assert not Attachment.objects.exists()

    # The keyboard way: Tab from the file picker to the description, type, Enter.
    panel.get_by_label("File").set_input_files(str(tmp_path / long_name))
    panel.get_by_label("File").focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Description")).to_be_focused()
    page.keyboard.type("Signed copy")
    page.keyboard.press("Enter")

    expect(panel).to_contain_text(f"File “{long_name}” attached.")
    link = panel.get_by_role("link", name=long_name)
    expect(link).to_be_visible()
    expect(panel).to_contain_text("Signed copy")
    expect(panel).to_contain_text(agent_a.display_name)
    assert page.evaluate(TOO_WIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == long_name
    assert download.path().read_bytes() == PDF
