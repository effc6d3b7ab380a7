"""Big exports run as jobs: a complete file or none, a page to follow, a link to download."""

from __future__ import annotations

import errno
import io
import os
import re
from datetime import timedelta

import icalendar
import openpyxl
import pytest
from django.utils import timezone

from klient.activities.services import task_create
from klient.contacts.list_services import saved_list_create, saved_list_delete
from klient.contacts.services import person_create
from klient.core.models import AuditEvent
from klient.importexport import export_jobs
from klient.importexport.export_jobs import ExportBusy, export_execute, exports_dir, exports_purge
from klient.importexport.models import ExportJob
from tests.importexport.conftest import body, client_for, csv_rows

pytestmark = pytest.mark.django_db
SURNAMES = sorted(f"Петров{n:02d}" for n in range(25))


@pytest.fixture
def small_inline(settings, tmp_path):
    """Exports of more than 10 records become jobs; their files go to a fresh folder."""
    settings.KLIENT_EXPORT_INLINE_ROWS = 10
    settings.KLIENT_HOME = tmp_path
    return settings


@pytest.fixture
def people(admin, small_inline):
    return [person_create(actor=admin, first_name="Пётр", last_name=name) for name in SURNAMES]


def _export(user, path, capture, **query):
    with capture(execute=True):
        return client_for(user).get(path, query)


def _job_from(response) -> ExportJob:
    assert response.status_code == 302
    found = re.fullmatch(r"/export/jobs/(\d+)/", response["Location"])
    assert found is not None
    return ExportJob.objects.get(pk=int(found[1]))


def test_a_big_export_becomes_a_job_whose_file_holds_every_row(
    admin, people, django_capture_on_commit_callbacks
):
    response = _export(
        admin, "/export/people.csv", django_capture_on_commit_callbacks, columns="last_name"
    )

    job = _job_from(response)
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 25, 25, 100)
    download = client_for(admin).get(f"/export/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    assert job.file_name.startswith("people-") and job.file_name.endswith(".csv")
    rows = csv_rows(download)
    assert rows[0] == ["Last name"]
    assert sorted(row[0] for row in rows[1:]) == SURNAMES


def test_the_job_page_shows_the_progress_and_the_download_link(
    admin, people, django_capture_on_commit_callbacks
):
    job = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))

    html = client_for(admin).get(f"/export/jobs/{job.pk}/").content.decode()

    assert 'data-status="done"' in html
    assert 'value="100"' in html
    assert f'href="/export/jobs/{job.pk}/download/"' in html
    assert "hx-get" not in html  # finished: the page stops polling


def test_a_queued_export_page_polls_for_progress(admin, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = _job_from(client_for(admin).get("/export/people.csv"))

    html = client_for(admin).get(f"/export/jobs/{job.pk}/progress/").content.decode()

    assert 'data-status="queued"' in html
    assert f'hx-get="/export/jobs/{job.pk}/progress/"' in html
    assert "/download/" not in html


def test_only_the_requester_and_administrators_see_an_export(
    admin, agent_a, agent_b, other_workspace_admin, small_inline, django_capture_on_commit_callbacks
):
    for n in range(12):
        person_create(actor=agent_a, first_name="Анна", last_name=f"Смирнова{n}")
    job = _job_from(_export(agent_a, "/export/people.csv", django_capture_on_commit_callbacks))

    for stranger in (agent_b, other_workspace_admin):
        client = client_for(stranger)
        for page in ("", "progress/", "download/"):
            assert client.get(f"/export/jobs/{job.pk}/{page}").status_code == 404
    assert client_for(admin).get(f"/export/jobs/{job.pk}/download/").status_code == 200
    assert client_for(agent_a).get(f"/export/jobs/{job.pk}/download/").status_code == 200


def test_the_job_exports_what_the_requester_sees(
    admin, agent_a, people, django_capture_on_commit_callbacks
):
    for n in range(11):
        person_create(actor=agent_a, first_name="Анна", last_name=f"Смирнова{n:02d}")

    job = _job_from(
        _export(
            agent_a, "/export/people.csv", django_capture_on_commit_callbacks, columns="last_name"
        )
    )

    rows = csv_rows(client_for(agent_a).get(f"/export/jobs/{job.pk}/download/"))
    assert [row[0] for row in rows[1:]] == [f"Смирнова{n:02d}" for n in range(11)]


def test_a_big_xlsx_export_is_complete(admin, people, django_capture_on_commit_callbacks):
    job = _job_from(
        _export(
            admin,
            "/export/people.xlsx",
            django_capture_on_commit_callbacks,
            columns="last_name,first_name",
        )
    )

    download = client_for(admin).get(f"/export/jobs/{job.pk}/download/")
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body(download))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Last name", "First name"]
    assert sorted(rows[1:]) == [[name, "Пётр"] for name in SURNAMES]


def test_a_big_export_is_audited_once(admin, people, django_capture_on_commit_callbacks):
    job = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))

    events = AuditEvent.objects.filter(action="export.people")
    assert [(event.actor_id, event.object_id) for event in events] == [(admin.pk, job.pk)]


def test_a_second_click_follows_the_export_already_queued(
    admin, people, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=False):
        first = client.get("/export/people.csv", {"columns": "last_name"})
        second = client.get("/export/people.csv", {"columns": "last_name"})
        other = client.get("/export/people.csv", {"columns": "first_name"})

    assert first["Location"] == second["Location"] != other["Location"]
    assert ExportJob.objects.count() == 2


def test_a_small_export_still_streams(admin, small_inline):
    for name in ("Иванов", "Петров"):
        person_create(actor=admin, first_name="Иван", last_name=name)

    response = client_for(admin).get("/export/people.csv", {"columns": "last_name"})

    assert response.status_code == 200 and response.streaming
    assert sorted(csv_rows(response)[1:]) == [["Иванов"], ["Петров"]]
    assert not ExportJob.objects.exists()


def test_a_failed_export_offers_no_file_and_says_why(
    admin, people, django_capture_on_commit_callbacks
):
    segment = saved_list_create(
        actor=admin, name="Петровы", kind="dynamic", filters={"q": "петров"}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _job_from(client_for(admin).get("/export/people.csv", {"list": segment.pk}))
    saved_list_delete(actor=admin, saved_list=segment)  # before the worker gets to it
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert (job.status, job.error_message, job.file_path) == ("failed", "List not found.", "")
    html = client_for(admin).get(f"/export/jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in html and "List not found." in html
    assert "/download/" not in html
    assert client_for(admin).get(f"/export/jobs/{job.pk}/download/").status_code == 404
    assert list(exports_dir().iterdir()) == []


def test_a_file_cut_short_by_a_full_disk_is_never_offered(
    admin, people, monkeypatch, django_capture_on_commit_callbacks
):
    def write_then_fail(source, target, *, progress):
        target.write(b"first rows")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_jobs, "export_write", write_then_fail)

    job = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))

    assert job.status == "failed"
    assert job.error_message.startswith("The export failed because of an error on the server.")
    assert client_for(admin).get(f"/export/jobs/{job.pk}/download/").status_code == 404
    assert list(exports_dir().iterdir()) == []  # the partial file is gone


def test_an_export_being_written_is_not_written_twice(admin, people):
    job = ExportJob.objects.create(
        workspace_id=admin.workspace_id,
        requested_by=admin,
        kind="people",
        file_format="csv",
        file_name="people.csv",
        status=ExportJob.Status.RUNNING,
        lease_owner="another-attempt",
        heartbeat_at=timezone.now(),
    )

    with pytest.raises(ExportBusy):
        export_execute(export_id=job.pk)


def test_an_export_whose_writer_died_is_written_again(admin, people):
    job = ExportJob.objects.create(
        workspace_id=admin.workspace_id,
        requested_by=admin,
        kind="people",
        file_format="csv",
        columns=["last_name"],
        file_name="people.csv",
        status=ExportJob.Status.RUNNING,
        lease_owner="dead-attempt",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
        rows_done=7,
    )

    job = export_execute(export_id=job.pk)

    assert (job.status, job.rows_done, job.lease_owner) == ("done", 25, "")


def test_a_requester_who_left_gets_no_file(admin, agent_a, small_inline):
    job = ExportJob.objects.create(
        workspace_id=agent_a.workspace_id,
        requested_by=agent_a,
        kind="people",
        file_format="csv",
        file_name="people.csv",
    )
    agent_a.is_active = False
    agent_a.save()

    job = export_execute(export_id=job.pk)

    assert job.status == "failed"
    assert job.error_message == "The user who asked for this export can no longer sign in."


def test_the_export_page_lists_my_recent_exports(
    admin, agent_a, people, django_capture_on_commit_callbacks
):
    job = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))

    mine = client_for(admin).get("/export/").content.decode()
    theirs = client_for(agent_a).get("/export/").content.decode()

    assert f'href="/export/jobs/{job.pk}/"' in mine
    assert f"/export/jobs/{job.pk}/" not in theirs


def test_files_older_than_the_keep_time_are_deleted(
    admin, people, small_inline, django_capture_on_commit_callbacks
):
    small_inline.KLIENT_EXPORT_KEEP_HOURS = 24
    old = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))
    fresh = _job_from(_export(admin, "/export/people.csv", django_capture_on_commit_callbacks))
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    old_file = exports_dir() / old.file_path
    leftover = exports_dir() / "99-deadbeef.part"  # an attempt killed long ago
    leftover.write_bytes(b"half a file")
    a_day_ago = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(leftover, (a_day_ago, a_day_ago))

    assert exports_purge() == 1

    old.refresh_from_db()
    assert (old.status, old.file_path) == ("expired", "")
    assert not old_file.exists() and not leftover.exists()
    assert (exports_dir() / ExportJob.objects.get(pk=fresh.pk).file_path).is_file()
    assert client_for(admin).get(f"/export/jobs/{old.pk}/download/").status_code == 404
    page = client_for(admin).get(f"/export/jobs/{old.pk}/").content.decode()
    assert "The file was deleted 24 hours after it was written." in page
    assert AuditEvent.objects.filter(action="export.purge", object_id=old.pk).count() == 1
    assert exports_purge() == 0


def test_an_export_whose_job_gave_up_is_failed_by_the_purge(admin, small_inline):
    job = ExportJob.objects.create(
        workspace_id=admin.workspace_id,
        requested_by=admin,
        kind="people",
        file_format="csv",
        file_name="people.csv",
        status=ExportJob.Status.RUNNING,
        lease_owner="dead-attempt",
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )

    exports_purge()

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error_message == "The export stopped before it finished. Start it again."


def test_a_big_raw_export_keeps_values_as_stored(admin, people, django_capture_on_commit_callbacks):
    person_create(actor=admin, last_name="Формулов", title="=1+1")

    job = _job_from(_export(admin, "/export/raw/people.csv", django_capture_on_commit_callbacks))

    rows = csv_rows(client_for(admin).get(f"/export/jobs/{job.pk}/download/"))
    header = rows[0]
    assert len(rows) == 27 and job.file_name.startswith("people-raw-")
    record = next(row for row in rows[1:] if row[header.index("last_name")] == "Формулов")
    assert record[header.index("title")] == "=1+1"


def test_a_big_calendar_export_holds_every_task(
    admin, small_inline, django_capture_on_commit_callbacks
):
    due = timezone.now()
    for n in range(12):
        task_create(actor=admin, title=f"Позвонить {n}", due_at=due, assignee=admin)

    job = _job_from(_export(admin, "/export/calendar.ics", django_capture_on_commit_callbacks))

    download = client_for(admin).get(f"/export/jobs/{job.pk}/download/")
    assert download["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(body(download))
    assert sorted(str(todo["summary"]) for todo in calendar.walk("VTODO")) == sorted(
        f"Позвонить {n}" for n in range(12)
    )
