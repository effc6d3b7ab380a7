"""Writes of attached files: add, delete, move to a merge's survivor, erase with a
client, and the sweep of files no row points at.

A file is written to disk before its transaction opens (a 25 MB upload never holds a
database lock) and placed under its stored name inside it; if that transaction fails,
the file is removed at once. A delete removes the file only once the delete commits.
What a crash or a caller's rolled-back outer transaction leaves is removed by the sweep.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Model, OuterRef
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.services import system_event_record
from klient.attachments import selectors, storage
from klient.attachments.errors import (
    AttachmentEmpty,
    AttachmentLimitReached,
    AttachmentTooLarge,
    AttachmentTypeRefused,
)
from klient.attachments.models import Attachment
from klient.attachments.sniff import extension_allowed, file_name_clean, verdict
from klient.core.capabilities import can, require
from klient.core.errors import NotFound, PermissionDenied
from klient.core.models import User
from klient.core.registry import record_kinds
from klient.core.services import audit_record

ATTACHED_KIND = "attachments.added"  # the timeline's system entry
DESCRIPTION_MAX = 500
SWEEP_GRACE = timedelta(hours=24)
# What a multipart body carries besides the file: boundaries, headers, the description.
MULTIPART_SLACK = 64 * 1024


class Upload(Protocol):
    """What an upload offers: Django's UploadedFile, or any object like it."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def attachment_max_bytes() -> int:
    return int(settings.KLIENT_ATTACHMENT_MAX_BYTES)


def attachment_max_per_record() -> int:
    """0: no limit."""
    return int(getattr(settings, "KLIENT_ATTACHMENT_MAX_PER_RECORD", 0))


def attachment_too_large_error(limit: int) -> AttachmentTooLarge:
    message = _("The file is larger than %(limit)s, the most a file may be.") % {
        "limit": filesizeformat(limit)
    }
    return AttachmentTooLarge(message, fields={"file": message})


def _type_refused() -> AttachmentTypeRefused:
    message = _(
        "Files of this type cannot be attached. Attach PDF, office documents, images, "
        "text, CSV or ZIP files."
    )
    return AttachmentTypeRefused(message, fields={"file": message})


def attachment_add(
    *, actor: User, owner: tuple[str, int], upload: Upload, description: str = ""
) -> Attachment:
    """Attach an uploaded file to a record the actor can see.

    Refused (a typed 422) when larger than KLIENT_ATTACHMENT_MAX_BYTES, empty, of a type
    not on the allowlist (checked on the bytes and on the extension), or when the record
    holds KLIENT_ATTACHMENT_MAX_PER_RECORD files already. Audited, and shown on the
    record's timeline as "File attached"."""
    require(actor, "attachment.add")
    kind, record_id = owner
    record = selectors.owner_resolve(user=actor, kind=kind, record_id=record_id)
    name = file_name_clean(upload.name)
    limit = attachment_max_bytes()
    if not extension_allowed(name):
        raise _type_refused()
    if upload.size is not None and upload.size > limit:
        raise attachment_too_large_error(limit)
    try:
        staged = storage.stage(upload.chunks(), max_bytes=limit)
    except storage.StoredFileTooLarge as error:
        raise attachment_too_large_error(limit) from error
    try:
        checked = verdict(staged.path, name, staged.size)
        if checked.reason == "empty":
            message = _("The file is empty.")
            raise AttachmentEmpty(message, fields={"file": message})
        if not checked.is_allowed:
            raise _type_refused()
        return _attachment_insert(
            actor=actor,
            record=record,
            kind=kind,
            staged=staged,
            name=name,
            content_type=checked.content_type,
            description=description.replace("\x00", "").strip()[:DESCRIPTION_MAX],
        )
    finally:
        staged.discard()  # nothing left to remove once it was placed


def _attachment_insert(
    *,
    actor: User,
    record: Model,
    kind: str,
    staged: storage.Staged,
    name: str,
    content_type: str,
    description: str,
) -> Attachment:
    workspace_id: int = record.workspace_id  # type: ignore[attr-defined]
    now = timezone.now()
    storage_name = storage.storage_name_new(workspace_id=workspace_id, at=now)
    placed = False
    try:
        with transaction.atomic():
            most = attachment_max_per_record()
            if most and (
                selectors.attachment_count(
                    workspace_id=workspace_id, kind=kind, record_id=record.pk
                )
                >= most
            ):
                message = _("This record already has %(count)s files, the most it may hold.") % {
                    "count": most
                }
                raise AttachmentLimitReached(message, fields={"file": message})
            storage.place(staged, storage_name)
            placed = True
            attachment = Attachment.objects.create(
                workspace_id=workspace_id,
                subject_kind=kind,
                subject_id=record.pk,
                file_name=name,
                content_type=content_type,
                size=staged.size,
                sha256=staged.sha256,
                storage_name=storage_name,
                description=description,
                uploaded_by=actor,
                created_at=now,
            )
            audit_record(
                workspace=workspace_id,
                actor=actor,
                action="attachment.add",
                instance=attachment,
                changes={
                    "file_name": (None, name),
                    "size": (None, staged.size),
                    kind: (None, record.pk),
                },
            )
            system_event_record(
                owner=record,
                kind=ATTACHED_KIND,
                subject=name,
                occurred_at=now,
                idempotency_key=f"attachment:{attachment.pk}",
            )
    except BaseException:
        if placed:
            storage.remove([storage_name])
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete a file: who attached it, or a lead for anyone's. The file leaves the disk
    when the delete commits."""
    require(actor, "attachment.delete")
    if attachment.workspace_id != actor.workspace_id or not selectors.owner_visible(
        user=actor, kind=attachment.subject_kind, record_id=attachment.subject_id
    ):
        raise NotFound(_("File not found."))
    if attachment.uploaded_by_id != actor.pk and not can(actor, "attachment.delete_any"):
        raise PermissionDenied(
            _("Only the colleague who attached this file or a manager can delete it.")
        )
    audit_record(
        workspace=attachment.workspace_id,
        actor=actor,
        action="attachment.delete",
        instance=attachment,
        changes={
            "file_name": (attachment.file_name, None),
            "size": (attachment.size, None),
            attachment.subject_kind: (attachment.subject_id, None),
        },
    )
    storage_name = attachment.storage_name
    attachment.delete()
    storage.remove_on_commit([storage_name])


def attachments_move(*, workspace_id: int, kind: str, from_id: int, to_id: int) -> int:
    """A merge: the duplicate's files become the survivor's (in the merge's transaction)."""
    return Attachment.objects.filter(
        workspace_id=workspace_id, subject_kind=kind, subject_id=from_id
    ).update(subject_id=to_id)


def attachments_erase(*, kind: str, record_id: int) -> int:
    """Delete every file of a record, rows now and files on commit (a client's erasure
    or deletion). Returns how many there were."""
    rows = selectors.client_attachments(kind, record_id)
    names = list(rows.values_list("storage_name", flat=True))
    if names:
        Attachment.objects.filter(storage_name__in=names).delete()
        storage.remove_on_commit(names)
    return len(names)


def attachment_files_sweep(*, grace: timedelta = SWEEP_GRACE) -> dict[str, int]:
    """Daily upkeep, safe to repeat:

    - rows whose record is gone (a record deleted without an event, e.g. an
      organization) are deleted with their files;
    - files older than `grace` that no row points at (a crash between placing and
      committing, a caller's rolled-back transaction) and stale staging files are
      removed."""
    orphans = 0
    kinds = Attachment.objects.values_list("subject_kind", flat=True).distinct().order_by()
    for kind in list(kinds):
        if kind not in record_kinds:
            continue  # an app no longer installed: its files wait for it
        model = record_kinds.get(kind).model
        gone = (
            Attachment.objects.filter(subject_kind=kind)
            .annotate(alive=Exists(model._default_manager.filter(pk=OuterRef("subject_id"))))
            .filter(alive=False)
        )
        names = list(gone.values_list("storage_name", flat=True))
        if names:
            with transaction.atomic():
                Attachment.objects.filter(storage_name__in=names).delete()
                storage.remove_on_commit(names)
            orphans += len(names)
    cutoff = (timezone.now() - grace).timestamp()
    stray = 0
    for path in storage.staged_files():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            stray += 1
    batch: list[str] = []
    for name, path in storage.stored_files():
        if path.stat().st_mtime < cutoff:
            batch.append(name)
        if len(batch) >= 500:
            stray += _strays_remove(batch)
            batch = []
    stray += _strays_remove(batch)
    return {"orphan_rows": orphans, "stray_files": stray}


def _strays_remove(batch: list[str]) -> int:
    if not batch:
        return 0
    known = set(
        Attachment.objects.filter(storage_name__in=batch).values_list("storage_name", flat=True)
    )
    strays = [name for name in batch if name not in known]
    storage.remove(strays)
    return len(strays)
