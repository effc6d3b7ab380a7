"""A client's files in their personal-data export (the client's copy): the list of files
with their details, and the files themselves. For `ClientRecordsHandler.export`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.attachments import storage
from klient.attachments.selectors import client_attachments
from klient.core.registry import PersonalDataSection

SECTION = "attachments.files"  # the handler's key: the export puts its files under it


def client_files_export(subject: str, record_id: int) -> PersonalDataSection | None:
    rows = list(client_attachments(subject, record_id).order_by("created_at", "id"))
    if not rows:
        return None
    files: list[tuple[str, str]] = []
    for row in rows:
        try:
            path = storage.path_of(row.storage_name)
        except ValueError:
            continue
        if path.is_file():
            files.append((f"{row.pk}-{row.file_name}", str(path)))
    return PersonalDataSection(
        label=_("Files"),
        rows=[
            {
                "file": f"files/{SECTION}/{row.pk}-{row.file_name}",
                "file_name": row.file_name,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
                "description": row.description,
                "attached_at": row.created_at.isoformat(),
            }
            for row in rows
        ],
        files=files,
    )
