"""Writes of import/export: upload a file, map its columns, start, run from the CLI, presets."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User
from klient.core.regions import is_phone_region
from klient.core.services import actor_workspace_id, audit_record, require_write
from klient.importexport.engine import (
    ImportProgress,
    ProgressCallback,
    import_execute,
    imports_dir,
    job_file,
)
from klient.importexport.errors import ImportFileError, ImportNotReady, MappingInvalid
from klient.importexport.fields import builtin_preset, mapping_from_preset, mapping_guess
from klient.importexport.models import DedupeMode, ImportJob, ImportPreset
from klient.importexport.readers import VCARD_MAPPING, table_open
from klient.importexport.registry import import_kind_get

__all__ = [
    "ImportProgress",
    "abandoned_uploads_purge",
    "import_resume_cli",
    "import_run_cli",
    "import_start",
    "import_upload",
    "mapping_for_preset",
    "preset_save",
]

CHUNK = 1024 * 1024


def _store(content: Iterable[bytes], suffix: str) -> tuple[str, int]:
    """Write the upload under KLIENT_HOME/imports/, refusing it past the size limit."""
    limit = settings.KLIENT_IMPORT_MAX_BYTES
    name = secrets.token_hex(12) + suffix
    path = imports_dir() / name
    size = 0
    with open(path, "wb") as handle:
        for chunk in content:
            size += len(chunk)
            if size > limit:
                handle.close()
                path.unlink(missing_ok=True)
                raise ImportFileError(
                    _("The file is larger than %(limit)s MB, the most you can import at once.")
                    % {"limit": f"{limit / (1024 * 1024):.1f}"},
                    code="too_large",
                )
            handle.write(chunk)
    return name, size


def _check_choice(value: str, choices: list[str], field: str) -> None:
    if value not in choices:
        raise ValidationFailed(fields={field: _("Unknown value “%(value)s”.") % {"value": value}})


def import_upload(
    *,
    actor: User,
    file_name: str,
    content: Iterable[bytes],
    kind: str,
    dedupe: str = DedupeMode.SKIP,
    dry_run: bool = False,
) -> ImportJob:
    """Store a file, check it is a readable table, guess the mapping; status 'mapping'.
    `kind` is the key of a registered import kind (registry.import_kinds)."""
    require_write(actor)
    entry = import_kind_get(kind)
    _check_choice(dedupe, DedupeMode.values, "dedupe")
    suffix = Path(file_name).suffix.lower()[:8] if Path(file_name).suffix.isascii() else ""
    stored, size = _store(content, suffix)
    path = imports_dir() / stored
    try:
        reader = table_open(path, max_bytes=settings.KLIENT_IMPORT_MAX_BYTES)
        try:
            info = reader.prepare()
        finally:
            reader.close()
        if info.file_format == "vcard" and not entry.reads_vcard:
            raise ImportFileError(
                _("A vCard file holds people; choose “People”."), code="vcard_kind"
            )
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    mapping = (
        list(VCARD_MAPPING)
        if info.file_format == "vcard"
        else mapping_guess(kind=kind, headers=info.headers)
    )
    with transaction.atomic():
        job = ImportJob.objects.create(
            workspace_id=actor_workspace_id(actor),
            created_by=actor,
            kind=kind,
            dedupe=dedupe,
            is_dry_run=dry_run,
            language=actor.language or translation.get_language() or "",
            file_name=Path(file_name).name[:255] or "upload",
            file_path=stored,
            file_size=size,
            file_format=info.file_format,
            encoding=info.encoding,
            delimiter=info.delimiter,
            headers=info.headers,
            sample=info.sample,
            mapping=mapping,
            unknown_columns=_unknown(info.headers, mapping),
        )
        audit_record(
            workspace=job.workspace_id,
            actor=actor,
            action="import.upload",
            instance=job,
            changes={"file": (None, job.file_name), "kind": (None, kind)},
        )
    return job


def abandoned_uploads_purge(*, older_than: timedelta | None = None) -> int:
    """Delete the files of uploads left at the mapping step: a copy of someone's client
    list must not linger on the server. The import is marked failed with a message the
    user sees in its page; returns how many were purged. Idempotent."""
    if older_than is None:
        older_than = timedelta(hours=settings.KLIENT_IMPORT_ABANDONED_HOURS)
    cutoff = timezone.now() - older_than
    purged = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.MAPPING, created_at__lt=cutoff):
        with transaction.atomic():
            updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                error_message=_abandoned_message(job),
            )
            if not updated:
                continue  # started meanwhile
            audit_record(
                workspace=job.workspace_id,
                actor=None,
                action="import.purge",
                object_type="importexport.importjob",
                object_id=job.pk,
                changes={"file": (job.file_name, None)},
            )
        job_file(job).unlink(missing_ok=True)
        purged += 1
    return purged


def _abandoned_message(job: ImportJob) -> str:
    with translation.override(job.language or None):
        return _(
            "The columns were not mapped within %(hours)s hours, so the uploaded file "
            "was deleted. Upload it again to import it."
        ) % {"hours": settings.KLIENT_IMPORT_ABANDONED_HOURS}


def _unknown(headers: list[str], mapping: list[str]) -> list[str]:
    return [header for header, field in zip(headers, mapping, strict=False) if header and not field]


def mapping_clean(*, kind: str, headers: list[str], mapping: Any) -> list[str]:
    """A list aligned with headers (or a {header: field} dict) checked against the kind."""
    entry = import_kind_get(kind)
    if isinstance(mapping, dict):
        mapping = mapping_from_preset(headers=headers, preset=mapping, kind=kind)
    cleaned = [str(value or "") for value in list(mapping)[: len(headers)]]
    cleaned += [""] * (len(headers) - len(cleaned))
    fields = {field.key: field for field in entry.fields}
    errors: dict[str, str] = {}
    used: set[str] = set()
    for header, key in zip(headers, cleaned, strict=True):
        if not key:
            continue
        if key not in fields:
            errors[header or "?"] = _("Unknown field “%(value)s”.") % {"value": key}
        elif key in used and not fields[key].multi:
            errors[header or "?"] = _("“%(field)s” is already taken by another column.") % {
                "field": fields[key].label
            }
        used.add(key)
    for group in entry.required:
        if not used.intersection(group):
            labels = " / ".join(str(fields[key].label) for key in group)
            errors[group[0]] = _("Map a column to %(fields)s.") % {"fields": labels}
    if errors:
        raise MappingInvalid(fields=errors)
    return cleaned


def mapping_for_preset(*, actor: User, job: ImportJob, name: str) -> list[str]:
    """The mapping a built-in or saved preset gives this file's headers."""
    builtin = builtin_preset(kind=job.kind, name=name)
    if builtin is not None:
        return mapping_from_preset(headers=job.headers, preset=builtin, kind=job.kind)
    preset = ImportPreset.objects.filter(
        workspace_id=actor_workspace_id(actor), kind=job.kind, name=name
    ).first()
    if preset is None:
        raise NotFound(_("No mapping preset named “%(name)s”.") % {"name": name})
    return mapping_from_preset(headers=job.headers, preset=preset.mapping, kind=job.kind)


@transaction.atomic
def preset_save(
    *, actor: User, kind: str, name: str, headers: list[str], mapping: list[str]
) -> ImportPreset:
    require_write(actor)
    import_kind_get(kind)
    name = name.strip()[:100]
    if not name:
        raise ValidationFailed(fields={"preset_name": _("This field is required.")})
    if builtin_preset(kind=kind, name=name) is not None:
        raise ValidationFailed(fields={"preset_name": _("This name belongs to a built-in preset.")})
    stored = {
        header: field for header, field in zip(headers, mapping, strict=False) if header and field
    }
    preset, _created = ImportPreset.objects.update_or_create(
        workspace_id=actor_workspace_id(actor),
        kind=kind,
        name=name,
        defaults={"mapping": stored, "created_by": actor},
    )
    audit_record(
        workspace=actor_workspace_id(actor),
        actor=actor,
        action="import_preset.save",
        instance=preset,
        changes={"name": (None, name)},
    )
    return preset


@transaction.atomic
def import_start(
    *,
    actor: User,
    job: ImportJob,
    mapping: Any = None,
    save_preset_as: str = "",
    phone_region: str = "",
    enqueue: bool = True,
) -> ImportJob:
    """Fix the mapping and queue the import as a durable job (recorded in this transaction).

    `phone_region` reads this file's phones without a country code in another region than
    the workspace's default ("" keeps the default)."""
    from klient.importexport.jobs import import_run_job

    require_write(actor)
    job = (
        ImportJob.objects.select_for_update()
        .filter(pk=job.pk, workspace_id=actor_workspace_id(actor))
        .first()
        or _missing()
    )
    if job.status != ImportJob.Status.MAPPING:
        raise ImportNotReady()
    if phone_region and not is_phone_region(phone_region):
        raise ValidationFailed(
            fields={"phone_region": _("Unknown value “%(value)s”.") % {"value": phone_region}}
        )
    clean = mapping_clean(
        kind=job.kind, headers=job.headers, mapping=job.mapping if mapping is None else mapping
    )
    if save_preset_as.strip():
        preset_save(
            actor=actor, kind=job.kind, name=save_preset_as, headers=job.headers, mapping=clean
        )
    job.mapping, job.unknown_columns = clean, _unknown(job.headers, clean)
    job.phone_region = phone_region
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "unknown_columns", "phone_region", "status"])
    audit_record(
        workspace=job.workspace_id,
        actor=actor,
        action="import.start",
        instance=job,
        changes={
            "dry_run": (None, job.is_dry_run),
            "dedupe": (None, job.dedupe),
            "phone_region": (None, phone_region),
        },
    )
    if enqueue:
        import_run_job.enqueue_in(job.workspace_id, import_id=job.pk)
    return job


def _missing() -> ImportJob:
    raise NotFound(_("Import not found."))


def _actor(user: User | None, username: str | None) -> User:
    if user is not None:
        return user
    found = User.objects.filter(username=username or "", is_active=True).first()
    if found is None or found.workspace_id is None:
        raise NotFound(_("No active user “%(name)s”.") % {"name": username})
    return found


def _mapping_option(actor: User, job: ImportJob, mapping_name: str) -> Any:
    """A preset name, or a JSON file of {header: field}."""
    path = Path(mapping_name)
    if path.suffix.lower() == ".json" and path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return mapping_for_preset(actor=actor, job=job, name=mapping_name)


def import_run_cli(
    *,
    path: str | Path,
    kind: str,
    user: User | None = None,
    username: str | None = None,
    mapping_name: str | None = None,
    dry_run: bool = False,
    dedupe: str = DedupeMode.SKIP,
    phone_region: str = "",
    progress_callback: ProgressCallback | None = None,
    batch_rows: int | None = None,
) -> ImportJob:
    """`klient import FILE`: upload, map (guess or preset) and run in this process.

    Raises ImportFileError / MappingInvalid (ValidationFailed) with a readable message;
    if the process dies, `import_resume_cli(import_id=...)` continues from the checkpoint.
    """
    actor = _actor(user, username)
    source = Path(path)
    if not source.is_file():
        raise ImportFileError(_("No such file: %(path)s") % {"path": str(source)}, code="missing")
    with open(source, "rb") as handle:
        job = import_upload(
            actor=actor,
            file_name=source.name,
            content=iter(lambda: handle.read(CHUNK), b""),
            kind=kind,
            dedupe=dedupe,
            dry_run=dry_run,
        )
    mapping = _mapping_option(actor, job, mapping_name) if mapping_name else None
    import_start(actor=actor, job=job, mapping=mapping, phone_region=phone_region, enqueue=False)
    return import_resume_cli(
        import_id=job.pk, progress_callback=progress_callback, batch_rows=batch_rows
    )


def import_resume_cli(
    *,
    import_id: int,
    progress_callback: ProgressCallback | None = None,
    batch_rows: int | None = None,
) -> ImportJob:
    """Continue an interrupted import from its checkpoint (no-op when it is finished)."""
    job = import_execute(
        job_id=import_id, progress_callback=progress_callback, batch_rows=batch_rows
    )
    if job is None:
        raise NotFound(_("Import not found."))
    return job
