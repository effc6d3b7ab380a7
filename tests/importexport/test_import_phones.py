"""Phones in an import: read in a chosen region, and an unreadable one costs only itself."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klient.contacts.models import Affiliation, Organization, Person
from klient.core.errors import ValidationFailed
from klient.importexport.models import ImportJob, ImportRowError
from klient.importexport.selectors import import_error_report_csv
from klient.importexport.services import import_start, import_upload
from tests.importexport.conftest import client_for, csv_bytes, csv_rows

pytestmark = pytest.mark.django_db

BG_PEOPLE = [
    ["Име", "Фамилия", "Телефон"],
    ["Георги", "Иванов", "0888 123 456"],
    ["Мария", "Петрова", "02 987 6543"],
]
PLACEHOLDER = [
    ["First name", "Last name", "Email", "Phone", "Company"],
    ["Jane", "Doe", "jane@peer.example", "+1 555 0100", "Acme Corp"],
]


def _phones():
    return dict(Person.objects.values_list("last_name", "primary_phone"))


def test_bulgarian_national_numbers_with_region_bg_are_stored_in_e164(
    admin, write_file, run_import
):
    job = run_import(admin, write_file("bg.csv", BG_PEOPLE), phone_region="BG")

    assert job.phone_region == "BG"
    assert (job.created_count, job.invalid_count, job.warned_count) == (2, 0, 0)
    assert _phones() == {"Иванов": "+359888123456", "Петрова": "+35929876543"}


def test_without_a_region_the_workspaces_default_region_is_used(admin, write_file, run_import):
    admin.workspace.default_region = "BG"
    admin.workspace.save()
    run_import(admin, write_file("bg.csv", BG_PEOPLE))
    assert _phones() == {"Иванов": "+359888123456", "Петрова": "+35929876543"}


def test_the_imports_region_wins_over_the_workspaces(admin, write_file, run_import):
    rows = [["Фамилия", "Телефон"], ["Кузнецов", "8 916 123-45-67"]]
    admin.workspace.default_region = "BG"
    admin.workspace.save()
    run_import(admin, write_file("ru.csv", rows), phone_region="RU")
    assert _phones() == {"Кузнецов": "+79161234567"}


def test_a_placeholder_phone_leaves_the_person_and_company_with_a_warning(
    admin, write_file, run_import
):
    job = run_import(admin, write_file("peer.csv", PLACEHOLDER))

    assert (job.created_count, job.invalid_count, job.warned_count) == (1, 0, 1)
    jane = Person.objects.get()
    assert (jane.full_name, jane.primary_email, jane.primary_phone) == (
        "Jane Doe",
        "jane@peer.example",
        "",
    )
    assert list(Affiliation.objects.values_list("organization__name", flat=True)) == ["Acme Corp"]
    warning = ImportRowError.objects.get()
    assert (warning.row_number, warning.level, warning.column, warning.value) == (
        2,
        "warning",
        "Phone",
        "+1 555 0100",
    )
    assert warning.reason == ("“+1 555 0100” is not a valid phone number. Imported without it.")


def test_a_row_with_an_error_reports_its_bad_phone_as_an_error_too(admin, write_file, run_import):
    rows = [["Last name", "Email", "Phone"], ["Doe", "not-an-email", "+1 555 0100"]]
    job = run_import(admin, write_file("bad.csv", rows))
    assert (job.created_count, job.invalid_count, job.warned_count) == (0, 1, 0)
    assert list(ImportRowError.objects.order_by("id").values_list("column", "level")) == [
        ("Email", "error"),
        ("Phone", "error"),
    ]
    assert ImportRowError.objects.get(column="Phone").reason == (
        "“+1 555 0100” is not a valid phone number."
    )


def test_an_organization_keeps_its_row_without_an_unreadable_phone(admin, write_file, run_import):
    rows = [["Name", "Phone"], ["Acme Corp", "+1 555 0100"]]
    job = run_import(admin, write_file("orgs.csv", rows), kind="organizations")
    assert (job.created_count, job.warned_count) == (1, 1)
    assert Organization.objects.get().phone == ""
    assert ImportRowError.objects.get().level == "warning"


def test_the_error_report_says_which_lines_are_warnings(admin, write_file, run_import):
    rows = [*PLACEHOLDER, ["", "", "x@peer.example", "", ""]]
    job = run_import(admin, write_file("peer.csv", rows))
    text = "".join(import_error_report_csv(job=job)).lstrip("\ufeff")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == ["Row", "Column", "Value", "Reason", "Level"]
    assert [(row[0], row[1], row[4]) for row in report[1:]] == [
        ("2", "Phone", "Warning"),
        ("3", "Last name", "Error"),
    ]


def test_unknown_region_is_refused(admin, write_file):
    path = write_file("bg.csv", BG_PEOPLE)
    with open(path, "rb") as handle:
        job = import_upload(actor=admin, file_name="bg.csv", content=[handle.read()], kind="people")
    with pytest.raises(ValidationFailed) as error:
        import_start(actor=admin, job=job, phone_region="XX", enqueue=False)
    assert set(error.value.fields) == {"phone_region"}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING


def test_mapping_page_offers_the_region_and_the_import_uses_the_choice(
    admin, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("bg.csv", csv_bytes(BG_PEOPLE), "text/csv"),
            "kind": "people",
            "dedupe": "skip",
        },
    )
    job = ImportJob.objects.get()
    html = client.get(f"/import/{job.pk}/mapping/").content.decode()
    assert '<select id="phone_region" name="phone_region"' in html
    assert '<option value="RU" selected>Russia (+7)</option>' in html  # the workspace's

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/import/{job.pk}/mapping/",
            {"col-0": "first_name", "col-1": "last_name", "col-2": "phone", "phone_region": "BG"},
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.phone_region) == ("done", "BG")
    assert _phones()["Иванов"] == "+359888123456"


def test_import_page_lists_warnings_and_offers_the_report(admin, write_file, run_import):
    job = run_import(admin, write_file("peer.csv", PLACEHOLDER))
    html = client_for(admin).get(f"/import/{job.pk}/").content.decode()
    assert '<strong data-count="warned">1</strong>' in html
    assert 'id="error-report"' in html  # no invalid row, but a warning to read
    assert '<tr data-level="warning"><td>2</td>' in html
    rows = csv_rows(client_for(admin).get(f"/import/{job.pk}/errors.csv"))
    assert rows[1][4] == "Warning"
