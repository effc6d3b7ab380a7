"""REST API of import/export: exact payloads and error codes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klient.importexport.models import ImportJob
from tests.api.client import PREFIX, ApiClient
from tests.importexport.conftest import body, csv_bytes

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    [["Фамилия", "Email", "ID"], ["Иванов", "ivan@example.com", "1"], ["Петров", "bad@", "2"]]
)


def upload(api: ApiClient, content: bytes = FILE, **fields):
    data = {"file": SimpleUploadedFile("c.csv", content, "text/csv"), **fields}
    return api.client.post(PREFIX + "/imports", data, **api.headers)


def test_upload_start_follow_and_error_report(admin, django_capture_on_commit_callbacks):
    api = ApiClient(admin)
    response = upload(api, kind="people", dedupe="update")
    assert response.status_code == 201
    created = response.json()
    job_id = created["id"]
    assert {
        key: created[key]
        for key in (
            "status",
            "kind",
            "dedupe",
            "is_dry_run",
            "file_name",
            "file_format",
            "headers",
            "mapping",
            "unknown_columns",
        )
    } == {
        "status": "mapping",
        "kind": "people",
        "dedupe": "update",
        "is_dry_run": False,
        "file_name": "c.csv",
        "file_format": "csv",
        "headers": ["Фамилия", "Email", "ID"],
        "mapping": ["last_name", "email", ""],
        "unknown_columns": ["ID"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            f"/imports/{job_id}/start", {"mapping": {"Фамилия": "last_name", "Email": "email"}}
        )
    assert started.status_code == 202
    done = api.get(f"/imports/{job_id}").json()
    assert {
        key: done[key]
        for key in (
            "status",
            "total",
            "processed",
            "percent",
            "created_count",
            "updated_count",
            "skipped_count",
            "invalid_count",
            "error_message",
        )
    } == {
        "status": "done",
        "total": 2,
        "processed": 2,
        "percent": 100,
        "created_count": 1,
        "updated_count": 0,
        "skipped_count": 0,
        "invalid_count": 1,
        "error_message": "",
    }

    report = api.get(f"/imports/{job_id}/errors.csv")
    assert report.status_code == 200
    lines = body(report).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("3,Email,bad@,")
    assert [item["id"] for item in api.get("/imports").json()] == [job_id]


def test_bad_file_is_a_422_with_the_reason(admin):
    response = upload(ApiClient(admin), content=b"")
    assert response.status_code == 422
    assert response.json() == {
        "code": "import_file_invalid",
        "message": "The file is empty.",
        "fields": {"file": "The file is empty."},
    }


def test_bad_mapping_is_a_422_and_a_second_start_a_409(admin):
    api = ApiClient(admin)
    job_id = upload(api).json()["id"]
    response = api.post(f"/imports/{job_id}/start", {"mapping": ["email", "", ""]})
    assert response.status_code == 422
    assert response.json()["code"] == "import_mapping_invalid"
    assert response.json()["fields"] == {
        "first_name": "Map a column to First name / Last name / Full name."
    }
    assert api.post(f"/imports/{job_id}/start", {}).status_code == 202
    conflict = api.post(f"/imports/{job_id}/start", {})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "import_not_ready"


def test_presets_and_unknown_preset(admin):
    api = ApiClient(admin)
    assert api.get("/imports/presets", kind="people").json() == ["amoCRM", "Bitrix24", "HubSpot"]
    job_id = upload(api).json()["id"]
    response = api.post(f"/imports/{job_id}/start", {"preset": "Nope"})
    assert response.status_code == 404
    assert ImportJob.objects.get().status == "mapping"


def test_other_workspace_and_readers(admin, analyst, other_workspace_admin):
    job_id = upload(ApiClient(admin)).json()["id"]
    assert ApiClient(other_workspace_admin).get(f"/imports/{job_id}").status_code == 404
    response = upload(ApiClient(analyst))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert ApiClient(None).get("/imports").status_code == 401


def test_export_endpoints(admin):
    from klient.contacts.services import person_create

    person_create(actor=admin, first_name="Иван", last_name="Иванов", phones=["+79161234567"])
    api = ApiClient(admin)
    response = api.get("/exports/people.csv", columns="last_name,phone")
    assert response.status_code == 200
    assert body(response).decode("utf-8-sig").splitlines() == [
        "Last name,Phone",
        "Иванов,+79161234567",
    ]
    assert api.get("/exports/people.pdf").status_code == 404
    assert api.get("/exports/calendar.ics").status_code == 200


@pytest.fixture
def many_people(admin, settings, tmp_path):
    """25 people, and exports of more than 10 records run as jobs."""
    from klient.contacts.services import person_create

    settings.KLIENT_EXPORT_INLINE_ROWS = 10
    settings.KLIENT_HOME = tmp_path
    return [person_create(actor=admin, last_name=f"Петров{n:02d}") for n in range(25)]


def test_a_big_export_answers_202_with_a_job_to_follow(
    admin, many_people, django_capture_on_commit_callbacks
):
    api = ApiClient(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.get("/exports/people.csv", columns="last_name")

    assert response.status_code == 202
    queued = response.json()
    job_id = queued["id"]
    assert {key: queued[key] for key in ("status", "kind", "format", "percent")} == {
        "status": "queued",
        "kind": "people",
        "format": "csv",
        "percent": 0,
    }
    assert queued["status_url"] == f"{PREFIX}/exports/jobs/{job_id}"
    assert queued["download_url"] is None

    for callback in callbacks:
        callback()  # the worker writes the file
    done = api.get(f"/exports/jobs/{job_id}").json()
    assert {
        key: done[key]
        for key in ("status", "rows_total", "rows_done", "percent", "error_message", "download_url")
    } == {
        "status": "done",
        "rows_total": 25,
        "rows_done": 25,
        "percent": 100,
        "error_message": "",
        "download_url": f"{PREFIX}/exports/jobs/{job_id}/file",
    }
    file = api.get(f"/exports/jobs/{job_id}/file")
    assert file.status_code == 200
    assert file["Content-Disposition"] == f'attachment; filename="{done["file_name"]}"'
    lines = body(file).decode("utf-8-sig").splitlines()
    assert lines[0] == "Last name" and sorted(lines[1:]) == [f"Петров{n:02d}" for n in range(25)]


def test_an_export_job_is_not_found_for_another_user(
    admin, agent_b, many_people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = ApiClient(admin).get("/exports/people.csv").json()["id"]

    stranger = ApiClient(agent_b)
    for path in (f"/exports/jobs/{job_id}", f"/exports/jobs/{job_id}/file"):
        response = stranger.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert stranger.get("/exports/jobs").json() == []
