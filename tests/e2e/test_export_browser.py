"""A big export in a real browser: the export becomes a job, its page follows the progress
to 100% through htmx polling, and the link downloads the whole file."""

from __future__ import annotations

import csv
import re

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import Page, expect

from klient.contacts.services import person_create
from klient.importexport.export_jobs import export_execute
from klient.importexport.models import ExportJob
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_big_export_shows_its_progress_and_downloads_the_whole_file(
    page: Page, live_server, admin, settings, tmp_path
):
    HUEY.immediate = False  # the test plays the worker, so the page sees the export queued
    settings.KLIENT_EXPORT_INLINE_ROWS = 10
    settings.KLIENT_HOME = tmp_path
    surnames = [f"Петров{n:02d}" for n in range(25)]
    for name in surnames:
        person_create(actor=admin, first_name="Пётр", last_name=name)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{base}/export/")
    page.locator('a[href="/export/people.csv"]').click()

    expect(page).to_have_url(re.compile(r"/export/jobs/\d+/$"))
    progress = page.locator("#export-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    job = ExportJob.objects.get()
    export_execute(export_id=job.pk)  # the worker writes the file meanwhile
    expect(progress).to_have_attribute("data-status", "done", timeout=15_000)
    expect(page.locator("progress.ie-progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-percent]")).to_have_text("100%")

    with page.expect_download() as info:
        page.locator("#export-download").click()
    download = info.value
    job.refresh_from_db()
    assert download.suggested_filename == job.file_name
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["First name", "Last name"]
    assert sorted(row[1] for row in rows[1:]) == surnames
