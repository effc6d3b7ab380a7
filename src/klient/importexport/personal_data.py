"""What imports keep about a person, for the personal-data export and erasure
(docs/personal-data.md).

An import's file is deleted once the import finishes; what stays is its row record
(which source row created, updated or matched which person or interaction), the first
rows of the file shown when mapping the columns (`sample`), and the error report's
lines (a warning names the value left out, e.g. a phone).

Exported: the imports whose rows wrote the person (or the merged records, or their
interactions): file name, date, row number, outcome, and those rows' error lines.

Erased: those rows' error lines; the samples of those imports; and wherever the
person's email or phone shows in another import's sample (an abandoned upload, a dry
run) or an error line's value (an email), that sample row or line. Export files are
not opened: they hold many clients and are deleted KLIENT_EXPORT_KEEP_HOURS after
they were written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from klient.activities.models import Interaction
from klient.contacts.models import EmailAddress, Person, PhoneNumber
from klient.contacts.personal_data import person_with_merged_ids
from klient.core.registry import ClientRecordsHandler, PersonalDataSection, client_records
from klient.importexport.models import ImportBatch, ImportJob, ImportRowError, RowOutcome

PERSON = "contacts.person"
_DIGITS = re.compile(r"\d")
# A phone in a sample cell is the person's when its last digits are theirs: files write
# the same number as "8 916 123-45-67", "+7 (916) 1234567" or "79161234567".
PHONE_DIGITS_MATCHED = 9


def _workspace_id(record_id: int) -> int | None:
    return Person.objects.filter(pk=record_id).values_list("workspace_id", flat=True).first()


def _rows(workspace_id: int, record_id: int) -> Iterator[tuple[int, int, str]]:
    """(import id, source row, outcome) of every import row that wrote the person, the
    people merged into them, or their interactions. Reads the row records of the
    workspace's people and interaction imports: an erasure or export is rare."""
    wanted = {
        "people": set(person_with_merged_ids(record_id)),
        "interactions": set(
            Interaction.objects.filter(person_id=record_id).values_list("pk", flat=True)
        ),
    }
    batches = (
        ImportBatch.objects.filter(job__workspace_id=workspace_id, job__kind__in=list(wanted))
        .values_list("job_id", "job__kind", "first_row", "outcomes", "object_ids")
        .order_by("job_id", "first_row")
    )
    for job_id, kind, first_row, outcomes, object_ids in batches.iterator(chunk_size=50):
        ids = wanted[kind]
        for offset, object_id in enumerate(object_ids):
            if object_id is not None and object_id in ids:
                yield job_id, first_row + offset, outcomes[offset]


def _rows_by_job(workspace_id: int, record_id: int) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    for job_id, row, outcome in _rows(workspace_id, record_id):
        found.setdefault(job_id, {})[row] = outcome
    return found


def imports_export(subject: str, record_id: int) -> PersonalDataSection | None:
    if subject != PERSON or (workspace_id := _workspace_id(record_id)) is None:
        return None
    found = _rows_by_job(workspace_id, record_id)
    if not found:
        return None
    jobs = {job.pk: job for job in ImportJob.objects.filter(pk__in=list(found))}
    lines: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for line in ImportRowError.objects.filter(job_id__in=list(found)).order_by("pk"):
        if line.row_number in found[line.job_id]:
            lines.setdefault((line.job_id, line.row_number), []).append(
                {
                    "level": line.level,
                    "column": line.column,
                    "value": line.value,
                    "reason": line.reason,
                }
            )
    outcomes = dict(RowOutcome.choices)
    rows = [
        {
            "import_id": job_id,
            "file_name": jobs[job_id].file_name,
            "kind": jobs[job_id].kind,
            "imported_at": jobs[job_id].created_at,
            "row": row,
            "outcome": str(outcomes.get(outcome, outcome)),
            "report": lines.get((job_id, row), []),
        }
        for job_id in sorted(found)
        for row, outcome in sorted(found[job_id].items())
    ]
    return PersonalDataSection(label=gettext_lazy("Imports"), rows=rows)


def _phone_tail(value: str) -> str:
    digits = "".join(_DIGITS.findall(value))
    return digits[-PHONE_DIGITS_MATCHED:] if len(digits) >= PHONE_DIGITS_MATCHED else ""


def _sample_scrub(workspace_id: int, emails: set[str], phones: set[str]) -> None:
    """Blank the sample rows that hold one of the person's emails or phones."""
    if not (emails or phones):
        return
    for job_id, sample in (
        ImportJob.objects.filter(workspace_id=workspace_id)
        .exclude(sample=[])
        .values_list("pk", "sample")
    ):
        if not isinstance(sample, list):
            continue
        scrubbed = [
            ["" for _cell in row]
            if any(
                str(cell).strip().lower() in emails or _phone_tail(str(cell)) in phones
                for cell in row
            )
            else row
            for row in sample
            if isinstance(row, list)
        ]
        if scrubbed != sample:
            ImportJob.objects.filter(pk=job_id).update(sample=scrubbed)


def imports_erase(subject: str, record_id: int) -> None:
    if subject != PERSON or (workspace_id := _workspace_id(record_id)) is None:
        return
    ids = person_with_merged_ids(record_id)
    emails = {
        email.lower()
        for email in EmailAddress.objects.filter(person_id__in=ids).values_list("email", flat=True)
    }
    phones = {
        tail
        for number in PhoneNumber.objects.filter(person_id__in=ids).values_list("number", flat=True)
        if (tail := _phone_tail(number))
    }
    found = _rows_by_job(workspace_id, record_id)
    for job_id, rows in found.items():
        ImportRowError.objects.filter(job_id=job_id, row_number__in=list(rows)).delete()
    ImportJob.objects.filter(pk__in=list(found)).exclude(
        status__in=[ImportJob.Status.MAPPING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(sample=[])
    _sample_scrub(workspace_id, emails, phones)
    if emails:
        matches = Q()
        for email in emails:
            matches |= Q(value__iexact=email)
        ImportRowError.objects.filter(matches, job__workspace_id=workspace_id).delete()


def _imports_count(subject: str, record_id: int) -> int:
    if subject != PERSON or (workspace_id := _workspace_id(record_id)) is None:
        return 0
    return sum(1 for _row in _rows(workspace_id, record_id))


def personal_data_register() -> None:
    client_records.register(
        ClientRecordsHandler(
            key="importexport.imports",
            label=gettext_lazy("Imports"),
            count=_imports_count,
            erase=imports_erase,
            export=imports_export,
            protects=False,
            order=50,
        )
    )
