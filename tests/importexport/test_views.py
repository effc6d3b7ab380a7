"""The import pages: upload, mapping, progress, results and the error report download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klient.contacts.models import Person
from klient.core.models import OutboxJob
from klient.importexport.models import ImportJob, ImportPreset
from tests.importexport.conftest import body, client_for, csv_bytes, csv_rows

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    [
        ["Фамилия", "Имя", "Email", "Заметка"],
        ["Иванов", "Иван", "ivan@example.com", "x"],
        ["Петров", "Пётр", "not-an-email", "y"],
    ]
)


def upload(client, content=FILE, **fields):
    data = {
        "file": SimpleUploadedFile("clients.csv", content, "text/csv"),
        "kind": "people",
        "dedupe": "skip",
        **fields,
    }
    return client.post("/import/", data)


def test_upload_map_run_and_download_the_error_report(admin, django_capture_on_commit_callbacks):
    client = client_for(admin)
    assert client.get("/import/").status_code == 200

    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/import/{job.pk}/mapping/"

    page = client.get(f"/import/{job.pk}/mapping/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="last_name" selected>' in html
    assert "ivan@example.com" in html  # sample values beside each column

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/import/{job.pk}/mapping/",
            {
                "col-0": "last_name",
                "col-1": "first_name",
                "col-2": "email",
                "col-3": "",
                "save_preset_as": "Мой файл",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == f"/import/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.created_count, job.invalid_count) == ("done", 1, 1)
    assert OutboxJob.objects.get().status == "done"
    assert ImportPreset.objects.get().name == "Мой файл"
    assert Person.objects.get().full_name == "Иван Иванов"

    detail = client.get(f"/import/{job.pk}/").content.decode()
    assert 'value="100"' in detail
    assert "not-an-email" in detail
    progress = client.get(f"/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in progress.content.decode()  # finished: polling stops

    report = client.get(f"/import/{job.pk}/errors.csv")
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    rows = csv_rows(report)
    assert rows[1][:3] == ["3", "Email", "not-an-email"]


def test_progress_fragment_polls_while_the_import_runs(admin):
    client = client_for(admin)
    upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", total=200, processed=50)
    html = client.get(f"/import/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html


def test_bad_file_is_refused_on_the_upload_page(admin):
    response = upload(client_for(admin), content=csv_bytes([["Name", "Email"]]))
    assert response.status_code == 422
    assert "The file has a header but no data rows." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_unusable_mapping_is_explained(admin):
    client = client_for(admin)
    upload(client)
    job = ImportJob.objects.get()
    response = client.post(f"/import/{job.pk}/mapping/", {"col-2": "email"})
    assert response.status_code == 422
    assert "Map a column to First name / Last name / Full name." in response.content.decode()
    assert ImportJob.objects.get().status == "mapping"


def test_preset_is_applied_on_the_mapping_page(admin):
    client = client_for(admin)
    upload(
        client,
        content=csv_bytes(
            [["First Name", "Last Name", "Email", "Record ID"], ["Jane", "Doe", "j@x.org", "1"]]
        ),
    )
    job = ImportJob.objects.get()
    html = client.get(f"/import/{job.pk}/mapping/", {"preset": "HubSpot"}).content.decode()
    assert '<option value="HubSpot" selected>' in html


def test_readers_cannot_import_and_others_cannot_see_an_import(admin, analyst, agent_a):
    assert client_for(analyst).get("/import/").status_code == 403
    upload(client_for(admin))
    job = ImportJob.objects.get()
    assert client_for(agent_a).get(f"/import/{job.pk}/").status_code == 404
    assert client_for(agent_a).get(f"/import/{job.pk}/errors.csv").status_code == 404


def test_export_page_lists_formats(admin):
    html = client_for(admin).get("/export/", {"q": "иван"}).content.decode()
    assert "/export/people.xlsx?q=" in html
    assert "/export/raw/people.csv" in html
    assert body(client_for(admin).get("/export/calendar.ics")).startswith(b"BEGIN:VCALENDAR")
