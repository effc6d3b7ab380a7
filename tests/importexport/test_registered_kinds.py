"""A kind another app registers goes through the generic import engine and export paths.

The kind here stands in for an app above importexport (a sales app's deals): business
calendars, written through the calendars app's own services. It is registered for the
test and unregistered after it, as an app's plug would register it at start-up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet

from klient.calendars.models import BusinessCalendar
from klient.calendars.services import calendar_create, calendar_update
from klient.calendars.spec import intervals_parse, time_zone_names
from klient.core.errors import KlientError, ValidationFailed
from klient.core.models import AuditEvent, Workspace
from klient.importexport.batch import BatchResult
from klient.importexport.engine import import_execute
from klient.importexport.models import (
    DedupeMode,
    ExportJob,
    ImportJob,
    ImportRowError,
    RowOutcome,
)
from klient.importexport.records import RowParser
from klient.importexport.registry import (
    ExportKind,
    ImportKind,
    TargetField,
    export_kinds,
    import_kinds,
)
from klient.importexport.selectors import import_error_report_csv
from klient.importexport.services import import_resume_cli, import_start, import_upload
from klient.importexport.writer_context import WriteContext
from tests.api.client import PREFIX, ApiClient
from tests.importexport.conftest import client_for, csv_bytes, csv_rows

KEY = "calendars"
WEEK = dict.fromkeys(range(5), intervals_parse("09:00-18:00"))
HEADER = ["Name", "Time zone"]


class Killed(Exception):
    """Stands in for the process dying after its first committed batch."""


class CalendarRowParser(RowParser):
    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[tuple[str, str, str]]]:
        self._collect(values)
        errors: list[tuple[str, str, str]] = []
        record: dict[str, Any] = {}
        self._text(record, errors, values, "name", 120)
        if not record["name"]:
            errors.append((self._header("name"), "", "A calendar needs a name."))
        column, zone = self._one(values, "time_zone")
        if zone not in time_zone_names():
            errors.append((column, zone, "Unknown time zone."))
        record["time_zone"] = zone
        return (None if errors else record), errors


class CalendarWriter:
    """Matches calendars by name; writes through the calendars services."""

    tables = (BusinessCalendar,)

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.workspace = Workspace.objects.get(pk=ctx.workspace_id)

    def batch_scope(self) -> AbstractContextManager[None]:
        return nullcontext()

    def write(self, rows: list[tuple[int, dict[str, Any]]], result: BatchResult) -> None:
        ctx = self.ctx
        found = {
            calendar.name: calendar
            for calendar in BusinessCalendar.objects.filter(
                workspace_id=ctx.workspace_id, name__in=[record["name"] for _n, record in rows]
            )
        }
        for number, record in rows:
            calendar, key = found.get(record["name"]), f"calendar:{record['name']}"
            try:
                if ctx.dedupe == DedupeMode.CREATE or (calendar is None and not ctx.seen(key)):
                    ctx.remember(key)
                    if not ctx.dry_run:
                        calendar = calendar_create(
                            workspace=self.workspace,
                            name=record["name"],
                            time_zone=record["time_zone"],
                            weekly=WEEK,
                            actor=ctx.user,
                        )
                        found[calendar.name] = calendar
                    result.mark(number, RowOutcome.CREATED, calendar.pk if calendar else None)
                elif (
                    calendar is not None
                    and ctx.dedupe == DedupeMode.OVERWRITE
                    and calendar.time_zone != record["time_zone"]
                ):
                    if not ctx.dry_run:
                        calendar_update(
                            calendar=calendar, actor=ctx.user, time_zone=record["time_zone"]
                        )
                    result.mark(number, RowOutcome.UPDATED, calendar.pk)
                else:
                    result.mark(number, RowOutcome.SKIPPED, calendar.pk if calendar else None)
            except KlientError as error:
                level = ImportRowError.Level.ERROR
                result.errors.append((number, "", record["name"], str(error.message), level))
                result.mark(number, RowOutcome.INVALID)


def _calendar_rows(rows: QuerySet[Any], *, columns: list[str]) -> Iterator[list[Any]]:
    for calendar in rows.order_by("name"):
        values = {"name": calendar.name, "time_zone": calendar.time_zone}
        yield [values[key] for key in columns]


@pytest.fixture
def calendar_kind() -> Iterator[ImportKind]:
    kind = import_kinds.register(
        ImportKind(
            key=KEY,
            label="Business calendars",
            fields=(TargetField("name", "Name"), TargetField("time_zone", "Time zone")),
            required=(("name",), ("time_zone",)),
            parser=CalendarRowParser,
            writer=CalendarWriter,
        )
    )
    yield kind
    import_kinds.unregister(KEY)


@pytest.fixture
def calendar_export() -> Iterator[ExportKind]:
    kind = export_kinds.register(
        ExportKind(
            key=KEY,
            label="Business calendars",
            source=lambda user, spec: [
                BusinessCalendar.objects.filter(workspace_id=user.workspace_id)
            ],
            columns={"name": "Name", "time_zone": "Time zone"},
            table=_calendar_rows,
            roles=frozenset({"admin"}),
        )
    )
    yield kind
    export_kinds.unregister(KEY)


@pytest.fixture
def moscow(admin) -> BusinessCalendar:
    return calendar_create(
        workspace=admin.workspace,
        name="Moscow office",
        time_zone="Europe/Moscow",
        weekly=WEEK,
        actor=admin,
    )


def _names() -> list[tuple[str, str]]:
    return list(BusinessCalendar.objects.order_by("name").values_list("name", "time_zone"))


def _counts(job: ImportJob) -> tuple[str, int, int, int, int, int]:
    job.refresh_from_db()
    return (
        job.status,
        job.processed,
        job.created_count,
        job.updated_count,
        job.skipped_count,
        job.invalid_count,
    )


# Registry ---------------------------------------------------------------------------------


def test_a_key_that_does_not_fit_the_kind_columns_is_refused_at_registration():
    with pytest.raises(ValueError, match="kind key 'sales_opportunities'"):
        ImportKind(
            key="sales_opportunities",
            label="Opportunities",
            fields=(TargetField("name", "Name"),),
            required=(("name",),),
            parser=CalendarRowParser,
            writer=CalendarWriter,
        )


def test_a_required_field_the_kind_does_not_have_is_refused_at_registration():
    with pytest.raises(ValueError, match=r"required fields not in fields: \['title'\]"):
        ImportKind(
            key="deals",
            label="Deals",
            fields=(TargetField("name", "Name"),),
            required=(("title",),),
            parser=CalendarRowParser,
            writer=CalendarWriter,
        )


# Import -------------------------------------------------------------------------------------


def test_the_import_page_offers_a_registered_kind(admin, calendar_kind):
    html = client_for(admin).get("/import/").content.decode()

    assert '<option value="calendars">Business calendars</option>' in html


def test_an_upload_of_a_kind_nobody_registered_is_refused_on_kind(admin):
    with pytest.raises(ValidationFailed) as refused:
        import_upload(actor=admin, file_name="d.csv", content=[b"Name\r\nX\r\n"], kind="deals")

    assert refused.value.fields == {"kind": "Unknown value “deals”."}
    assert ImportJob.objects.count() == 0


def test_the_api_takes_a_registered_kind_and_guesses_its_mapping(admin, calendar_kind):
    api = ApiClient(admin)
    upload = SimpleUploadedFile("c.csv", csv_bytes([HEADER, ["Sofia office", "Europe/Sofia"]]))

    response = api.client.post(PREFIX + "/imports", {"file": upload, "kind": KEY}, **api.headers)

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["mapping"]) == (KEY, ["name", "time_zone"])


def test_a_registered_kind_imports_its_rows_as_the_importing_user(
    admin, calendar_kind, write_file, run_import
):
    rows = [HEADER, ["Sofia office", "Europe/Sofia"], ["Riga office", "Europe/Riga"]]

    job = run_import(admin, write_file("c.csv", rows), kind=KEY)

    assert _counts(job) == ("done", 2, 2, 0, 0, 0)
    assert _names() == [("Riga office", "Europe/Riga"), ("Sofia office", "Europe/Sofia")]
    assert AuditEvent.objects.filter(action="calendar.create", actor=admin).count() == 2


def test_a_dry_run_of_a_registered_kind_counts_duplicates_and_writes_nothing(
    admin, calendar_kind, moscow, write_file, run_import
):
    rows = [
        HEADER,
        ["Sofia office", "Europe/Sofia"],
        ["Sofia office", "Europe/Sofia"],  # a duplicate within the file
        ["Moscow office", "Europe/Moscow"],  # one already in Klient
    ]

    job = run_import(admin, write_file("c.csv", rows), kind=KEY, dry_run=True, batch_rows=1)

    assert _counts(job) == ("done", 3, 1, 0, 2, 0)
    assert _names() == [("Moscow office", "Europe/Moscow")]


def test_the_error_report_of_a_registered_kind_holds_its_parser_and_writer_errors(
    admin, calendar_kind, moscow, write_file, run_import
):
    rows = [
        HEADER,
        ["Sofia office", "Europe/Sofia"],
        ["", "Europe/Sofia"],
        ["Mars base", "Mars/Olympus"],
        ["Moscow office", "Europe/Moscow"],  # "create anyway": the service refuses the name
    ]

    job = run_import(admin, write_file("c.csv", rows), kind=KEY, dedupe=DedupeMode.CREATE)

    assert _counts(job) == ("done", 4, 1, 0, 0, 3)
    report = "".join(import_error_report_csv(job=job)).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(report))) == [
        ["Row", "Column", "Value", "Reason", "Level"],
        ["3", "Name", "", "A calendar needs a name.", "Error"],
        ["4", "Time zone", "Mars/Olympus", "Unknown time zone.", "Error"],
        ["5", "", "Moscow office", "A calendar with this name already exists.", "Error"],
    ]


def test_an_interrupted_import_of_a_registered_kind_resumes_after_its_last_batch(
    admin, calendar_kind, write_file, run_import
):
    rows = [HEADER, ["A office", "Europe/Sofia"], ["B office", "Europe/Riga"], ["C office", "UTC"]]

    def die(state: Any) -> None:
        raise Killed

    with pytest.raises(Killed):
        run_import(admin, write_file("c.csv", rows), kind=KEY, batch_rows=1, progress_callback=die)
    job = ImportJob.objects.get()
    assert (job.status, _names()) == ("running", [("A office", "Europe/Sofia")])

    import_resume_cli(import_id=job.pk)

    # Row 2 was not handed to the writer again: it would have been counted as skipped.
    assert _counts(job) == ("done", 3, 3, 0, 0, 0)
    assert [name for name, _zone in _names()] == ["A office", "B office", "C office"]


@pytest.mark.parametrize(
    ("dedupe", "counts", "zone"),
    [
        (DedupeMode.SKIP, ("done", 1, 0, 0, 1, 0), "Europe/Moscow"),
        (DedupeMode.UPDATE, ("done", 1, 0, 0, 1, 0), "Europe/Moscow"),
        (DedupeMode.OVERWRITE, ("done", 1, 0, 1, 0, 0), "Europe/Minsk"),
    ],
)
def test_a_row_matching_a_record_follows_the_dedupe_mode(
    admin, calendar_kind, moscow, write_file, run_import, dedupe, counts, zone
):
    rows = [HEADER, ["Moscow office", "Europe/Minsk"]]

    job = run_import(admin, write_file("c.csv", rows), kind=KEY, dedupe=dedupe)

    assert _counts(job) == counts
    assert _names() == [("Moscow office", zone)]


def test_an_import_whose_kind_is_no_longer_registered_fails_with_a_message(admin, calendar_kind):
    job = import_upload(
        actor=admin,
        file_name="c.csv",
        content=[csv_bytes([HEADER, ["Sofia office", "Europe/Sofia"]])],
        kind=KEY,
    )
    import_start(actor=admin, job=job, enqueue=False)
    import_kinds.unregister(KEY)  # the app that added the kind is gone

    import_execute(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_message) == (
        "failed",
        "Klient can no longer import “calendars”.",
    )
    assert _names() == []


# Export -------------------------------------------------------------------------------------


def test_a_registered_export_kind_downloads_at_its_own_address(admin, calendar_export, moscow):
    response = client_for(admin).get(f"/export/{KEY}.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{KEY}-')
    assert csv_rows(response) == [["Name", "Time zone"], ["Moscow office", "Europe/Moscow"]]


def test_the_export_page_lists_a_registered_kind_only_to_the_roles_it_names(
    admin, manager_a, calendar_export
):
    shown = client_for(admin).get("/export/").content.decode()
    hidden = client_for(manager_a).get("/export/").content.decode()

    assert (f'href="/export/{KEY}.xlsx"' in shown, f'href="/export/{KEY}.xlsx"' in hidden) == (
        True,
        False,
    )


def test_a_registered_export_kind_is_refused_to_other_roles_before_anything_is_audited(
    manager_a, calendar_export
):
    api = ApiClient(manager_a)
    audited = AuditEvent.objects.count()

    response = api.get(f"/exports/{KEY}.csv")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert AuditEvent.objects.count() == audited


def test_a_big_export_of_a_registered_kind_is_written_by_a_job(
    admin, calendar_export, moscow, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.KLIENT_EXPORT_INLINE_ROWS, settings.KLIENT_HOME = 1, tmp_path
    calendar_create(
        workspace=admin.workspace, name="Riga office", time_zone="Europe/Riga", weekly=WEEK
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(admin).get(f"/exports/{KEY}.csv", columns="name")

    assert (response.status_code, response.json()["kind"]) == (202, KEY)
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.rows_done) == ("done", 2)
    download = client_for(admin).get(f"/export/jobs/{job.pk}/download/")
    assert csv_rows(download) == [["Name"], ["Moscow office"], ["Riga office"]]
