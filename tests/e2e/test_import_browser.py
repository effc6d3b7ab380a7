"""Import in a real browser: upload a CSV with bad rows, map a column, watch the progress
bar reach 100% through htmx polling, download the error report."""

from __future__ import annotations

import csv
import re

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import Page, expect

from klient.contacts.models import Person
from klient.importexport.engine import import_execute
from klient.importexport.models import ImportJob
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

CSV = (
    "Client surname;Имя;E-mail;Телефон\r\n"
    "Иванов;Иван;ivan@example.com;+7 916 123-45-67\r\n"
    "Петрова;Анна;anna@example;8 903 111 22 33\r\n"
    "Smith;Jane;jane@example.org;+44 20 7946 0958\r\n"
    "Сидоров;Пётр;petr@example.com;8 000\r\n"
)


def test_upload_map_watch_progress_and_download_the_error_report(
    page: Page, live_server, admin, tmp_path
):
    HUEY.immediate = False  # the test plays the worker, so the page sees the import queued
    path = tmp_path / "clients.csv"
    path.write_bytes(CSV.encode("cp1251"))
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{base}/import/")
    expect(page.locator("h1")).to_have_text("Import")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_dedupe", "update")
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.locator("h1")).to_have_text("Map columns")
    surname = page.locator('select[data-header="Client surname"]')
    expect(surname).to_have_value("")  # not guessed: the user maps it
    expect(page.locator('select[data-header="E-mail"]')).to_have_value("email")
    expect(page.locator("table.list")).to_contain_text("ivan@example.com")
    surname.select_option("last_name")
    page.get_by_role("button", name="Start import").click()

    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    import_execute(job_id=ImportJob.objects.get().pk)  # the worker runs it meanwhile
    expect(progress).to_have_attribute("data-status", "done", timeout=15_000)
    expect(page.locator("progress.ie-progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-percent]")).to_have_text("100%")
    # Row 5's unreadable phone is dropped with a warning; the person is still imported.
    expect(page.locator('[data-count="created"]')).to_have_text("3")
    expect(page.locator('[data-count="invalid"]')).to_have_text("1")
    expect(page.locator('[data-count="warned"]')).to_have_text("1")

    with page.expect_download() as info:
        page.locator("#error-report").click()
    download = info.value
    assert download.suggested_filename.endswith("-errors.csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[:3] for row in rows] == [
        ["Row", "Column", "Value"],
        ["3", "E-mail", "anna@example"],
        ["5", "Телефон", "8 000"],
    ]
    assert sorted(Person.objects.values_list("last_name", flat=True)) == [
        "Smith",
        "Иванов",
        "Сидоров",
    ]
    assert not Person.objects.get(last_name="Сидоров").phones.exists()
