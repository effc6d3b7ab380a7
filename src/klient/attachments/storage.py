"""Where attachment files live: under `settings.KLIENT_FILES_DIR/attachments/`, which
`klient backup` copies and nothing serves statically (every download goes through a
permission-checked view).

An upload is first staged in `attachments/.incoming/` (same file system, so placing it
is an atomic rename), then placed at `attachments/<workspace>/<yyyy>/<mm>/<random>`: a
name that says nothing about the file and can be neither guessed nor chosen by the
client. The database row is the truth; a file without a row (a crash between the
rename and the commit, a caller's rolled-back transaction) is removed by the daily
sweep (`services.attachment_files_sweep`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

ROOT = "attachments"
INCOMING = ".incoming"


class StoredFileTooLarge(Exception):
    """The stream went past the limit; nothing of it is kept."""


def files_root() -> Path:
    return Path(settings.KLIENT_FILES_DIR)


def attachments_root() -> Path:
    return files_root() / ROOT


@dataclass(frozen=True)
class Staged:
    """An upload written in full to the staging folder, with its size and checksum."""

    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def stage(chunks: Iterable[bytes], *, max_bytes: int) -> Staged:
    """Write the chunks to a new staging file, refusing past `max_bytes` (the partial
    file is removed); the file is flushed to disk before it is handed back."""
    incoming = attachments_root() / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / f"{secrets.token_hex(16)}.part"
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise StoredFileTooLarge()
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, size=size, sha256=digest.hexdigest())


def storage_name_new(*, workspace_id: int, at: datetime) -> str:
    """A fresh relative name under the files folder, e.g. attachments/3/2026/05/9f…"""
    return f"{ROOT}/{workspace_id}/{at:%Y}/{at:%m}/{secrets.token_hex(20)}"


def path_of(storage_name: str) -> Path:
    """The absolute path of a stored name; a name reaching outside the attachments
    folder (a forged or corrupted row) is refused."""
    root = attachments_root().resolve()
    path = (files_root().resolve() / storage_name).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ValueError(f"not an attachment file: {storage_name!r}")
    return path


def place(staged: Staged, storage_name: str) -> Path:
    """Move a staged file to its stored name (an atomic rename) and make the rename
    durable."""
    target = path_of(storage_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, target)
    _fsync_dir(target.parent)
    return target


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove(storage_names: Iterable[str]) -> None:
    for name in storage_names:
        try:
            path_of(name).unlink(missing_ok=True)
        except ValueError:
            continue


def remove_on_commit(storage_names: Iterable[str]) -> None:
    """Remove the files once the transaction that deleted their rows commits (at once
    outside a transaction); a rollback keeps them, as it keeps the rows."""
    names = list(storage_names)
    if names:
        transaction.on_commit(lambda: remove(names))


def stored_files() -> Iterator[tuple[str, Path]]:
    """Every placed file as (storage name, path), for the sweep; staging files apart."""
    root = attachments_root()
    if not root.is_dir():
        return
    base = files_root()
    for path in root.rglob("*"):
        if path.is_file() and INCOMING not in path.relative_to(root).parts:
            yield path.relative_to(base).as_posix(), path


def staged_files() -> Iterator[Path]:
    incoming = attachments_root() / INCOMING
    if incoming.is_dir():
        yield from (path for path in incoming.iterdir() if path.is_file())
