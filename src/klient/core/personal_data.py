"""Personal-data duties: a client's copy of everything held about them, and erasure.

Both are composed from `core.registry.client_records` (each app's `export` and `erase`),
so core names no domain app and a new app takes part by registering its handler.

- `personal_data_export`: a ZIP with `data.json` (every section, machine-readable),
  `summary.html` (the same, readable) and the sections' files; administrators and the
  managers who see the client (`person.export_personal_data`); audited.
- `personal_data_erase`: administrators only (`person.erase`); every handler's erase in
  one transaction, then the client's personal values in the audit log are deleted
  (core.audit_personal: the audit rows themselves stay, append-only); audited with the
  reason, and `personal_data.erased` is sent (webhooks pass it on).

docs/personal-data.md describes what each app exports and erases; ADR 0011 the design.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.core.audit_words import audit_words_register
from klient.core.capabilities import ADMINS, LEADS, Capability, capabilities, require
from klient.core.errors import NotFound, ValidationFailed
from klient.core.events import Event
from klient.core.models import AuditPersonalValues, User
from klient.core.registry import PersonalDataSection, client_records, record_kinds
from klient.core.services import actor_workspace_id, audit_record

EXPORT = "person.export_personal_data"
ERASE = "person.erase"
FORMAT = "klient.personal-data"
VERSION = 1
REASON_MAX_LENGTH = 500
# Ids per DELETE: well under SQLite's limit of bound variables.
CHUNK = 500


@dataclass(frozen=True, kw_only=True)
class PersonalDataErased:
    workspace_id: int
    subject_kind: str
    subject_id: int
    actor_id: int | None


# Sent once a client's personal data was erased, so systems fed by webhooks erase theirs.
personal_data_erased = Event("personal_data.erased", PersonalDataErased)


def personal_data_register() -> None:
    """The capabilities and the audit wording (from CoreConfig.ready)."""
    capabilities.register(
        Capability(EXPORT, gettext_lazy("Export a client's personal data"), LEADS, 140)
    )
    capabilities.register(
        Capability(ERASE, gettext_lazy("Erase a client's personal data"), ADMINS, 150)
    )
    audit_words_register(
        actions=[
            (
                "personal_data.export",
                gettext_lazy("Personal data exported"),
                gettext_lazy("%(actor)s exported the personal data of client %(record)s"),
            ),
            (
                "personal_data.erase",
                gettext_lazy("Personal data erased"),
                gettext_lazy("%(actor)s erased the personal data of client %(record)s: %(reason)s"),
            ),
        ]
    )


# The audit log's personal values (core.audit_personal) -----------------------------------------


def audit_personal_values_erase(
    *, workspace_id: int, subject_kind: str, subject_ids: Sequence[int]
) -> int:
    """Delete the personal values audit events hold about these clients; their events
    then read ERASED for them. Returns how many events lost values."""
    deleted = 0
    ids = list(subject_ids)
    for start in range(0, len(ids), CHUNK):
        deleted += AuditPersonalValues.objects.filter(
            workspace_id=workspace_id,
            subject_kind=subject_kind,
            subject_id__in=ids[start : start + CHUNK],
        ).delete()[0]
    return deleted


def audit_personal_values_erase_records(
    *, workspace_id: int, object_type: str, object_ids: Sequence[int]
) -> int:
    """The same for the events about these records, whoever they were about when written
    (an entry moved from one client to another)."""
    deleted = 0
    ids = list(object_ids)
    for start in range(0, len(ids), CHUNK):
        deleted += AuditPersonalValues.objects.filter(
            workspace_id=workspace_id,
            event__object_type=object_type,
            event__object_id__in=ids[start : start + CHUNK],
        ).delete()[0]
    return deleted


# The subject -------------------------------------------------------------------------------------


def _subject_name(actor: User, subject: str, record_id: int) -> str:
    """The client, as the actor may see it (NotFound otherwise: another workspace's or
    team's client is simply not found), by name."""
    if subject not in record_kinds:
        raise NotFound(_("Record not found."))
    kind = record_kinds.get(subject)
    kind.resolve(actor, record_id)
    ref = kind.describe([record_id]).get(record_id)
    return ref.name if ref is not None else f"#{record_id}"


# Export ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataExport:
    """The archive, read from the start; whoever streams it closes it (it is a temporary
    file, gone once closed)."""

    file: IO[bytes]
    file_name: str
    size: int


def _archive_name(section: str, name: str) -> str:
    """files/<section>/<name>, with no way out of that folder."""
    parts = [
        p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")
    ]
    return "/".join(["files", section, *parts]) if parts else f"files/{section}/file"


def _cell(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _summary_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    return {
        "columns": [column.replace("_", " ") for column in columns],
        "rows": [[_cell(row.get(column)) for column in columns] for row in rows],
    }


def personal_data_export(*, actor: User, subject: str, record_id: int) -> PersonalDataExport:
    """Everything every app holds about one client, as a ZIP, for the client."""
    name = _subject_name(actor, subject, record_id)
    require(actor, EXPORT)
    workspace_id = actor_workspace_id(actor)
    now = timezone.now()
    sections: list[tuple[str, PersonalDataSection]] = []
    for handler in client_records:
        if handler.export is not None:
            section = handler.export(subject, record_id)
            if section is not None:
                sections.append((handler.key, section))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by the response that streams it
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "subject": {"kind": subject, "id": record_id, "name": name},
        "exported_at": now,
        "exported_by": {"id": actor.pk, "name": actor.display_name},
        "sections": {},
    }
    summary = []
    files = 0
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, section in sections:
            names, missing = [], []
            for file_name, path in section.files:
                if not os.path.isfile(path):
                    missing.append(file_name)
                    continue
                names.append(_archive_name(key, file_name))
                archive.write(path, names[-1])
            for file_name, content in section.contents:
                names.append(_archive_name(key, file_name))
                archive.writestr(names[-1], content)
            files += len(names)
            data["sections"][key] = {
                "label": str(section.label),
                "rows": section.rows,
                "files": names,
                **({"missing_files": missing} if missing else {}),
            }
            summary.append(
                {
                    "key": key,
                    "label": str(section.label),
                    "files": names,
                    **_summary_table(section.rows),
                }
            )
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        archive.writestr(
            "summary.html",
            render_to_string(
                "core/personal_data_summary.html",
                {"name": name, "exported_at": now, "actor": actor, "sections": summary},
            ),
        )
    size = handle.tell()
    handle.seek(0)
    with transaction.atomic():
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="personal_data.export",
            object_type=subject,
            object_id=record_id,
            changes={
                "sections": (None, [key for key, _section in sections]),
                "files": (None, files),
            },
        )
    kind = subject.rsplit(".", 1)[-1]
    return PersonalDataExport(
        file=handle, file_name=f"personal-data-{kind}-{record_id}.zip", size=size
    )


# Erasure -----------------------------------------------------------------------------------------


@transaction.atomic
def personal_data_erase(*, actor: User, subject: str, record_id: int, reason: str) -> list[str]:
    """Erase what every app holds about one client, in one transaction; returns the keys
    of the handlers that erased. The client's record stays, pseudonymised (its business
    records may point at it); the audit log keeps who did what and when, not the values.
    The reason is kept in the audit log: it should not repeat the client's data."""
    _subject_name(actor, subject, record_id)
    require(actor, ERASE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why the data is erased."), fields={"reason": _("This field is required.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            fields={"reason": _("At most %(count)d characters.") % {"count": REASON_MAX_LENGTH}}
        )
    workspace_id = actor_workspace_id(actor)
    erased = []
    for handler in client_records:
        if handler.erase is not None:
            handler.erase(subject, record_id)
            erased.append(handler.key)
    audit_personal_values_erase(
        workspace_id=workspace_id, subject_kind=subject, subject_ids=[record_id]
    )
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="personal_data.erase",
        object_type=subject,
        object_id=record_id,
        changes={"reason": (None, reason), "handlers": (None, erased)},
    )
    personal_data_erased.send_on_commit(
        workspace_id=workspace_id, subject_kind=subject, subject_id=record_id, actor_id=actor.pk
    )
    return erased
