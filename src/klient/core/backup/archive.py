"""The backup file: a tar.gz with a manifest.json listing the sha256 of every member.

Members: `database/klient.sqlite3` or `database/klient.pgdump`, `files/...` (the
KLIENT_FILES_DIR tree), `secret_key`, and `manifest.json` last (it holds the hashes of
what precedes it). Reading never extracts with tarfile's own paths: each name is checked
and written under the staging folder by us, so a crafted archive cannot write elsewhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from klient.core.backup.errors import BackupError

MANIFEST = "manifest.json"
SECRET_KEY = "secret_key"
FORMAT = 1
_CHUNK = 1024 * 1024
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class _HashingReader:
    """Reads exactly `size` bytes of a file into the tar, hashing them on the way."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


class ArchiveWriter:
    """Adds members to an open tar.gz and remembers their size and sha256."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.members: dict[str, dict[str, Any]] = {}

    def add_file(self, name: str, path: Path) -> None:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            reader = _HashingReader(handle)
            # A file that shrinks while it is read makes tarfile raise: never a short member.
            self.tar.addfile(info, reader)
        self.members[name] = {"size": stat.st_size, "sha256": reader.sha256.hexdigest()}

    def add_manifest(self, manifest: dict[str, Any], *, mtime: float) -> None:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
        self.tar.addfile(info, io.BytesIO(data))


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    parts = path.parts
    safe = (
        not path.is_absolute()
        and parts
        and all(part not in ("", ".", "..") for part in parts)
        and (
            name in (MANIFEST, SECRET_KEY)
            or (parts[0] == "database" and len(parts) == 2)
            or (parts[0] == "files" and len(parts) >= 2)
        )
    )
    if not safe:
        raise BackupError(f"not a Klient backup: unexpected member {name!r}")
    return path


@dataclass(frozen=True)
class StagedArchive:
    manifest: dict[str, Any]
    root: Path  # the staging folder the members were written to

    def path(self, name: str) -> Path:
        return self.root / name

    @property
    def database_member(self) -> str:
        return str(self.manifest["database"]["member"])

    def names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.manifest["members"] if name.startswith(prefix))


def _copy_hashed(source: IO[bytes], target: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def archive_read(path: Path, staging: Path) -> StagedArchive:
    """Write every member under `staging` and check it against the manifest's sha256.
    Nothing outside `staging` is touched: a damaged archive changes nothing."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    seen: dict[str, tuple[int, str]] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for info in tar:
                name = info.name
                _member_path(name)
                if not info.isreg():
                    raise BackupError(f"not a Klient backup: {name!r} is not a regular file")
                if name in seen or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"not a Klient backup: {name!r} appears twice")
                source = tar.extractfile(info)
                if source is None:  # pragma: no cover - isreg() members always have data
                    raise BackupError(f"not a Klient backup: {name!r} has no data")
                if name == MANIFEST:
                    manifest_bytes = source.read(_MANIFEST_MAX_BYTES + 1)
                    continue
                seen[name] = _copy_hashed(source, staging / name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    if manifest_bytes is None or len(manifest_bytes) > _MANIFEST_MAX_BYTES:
        raise BackupError(f"{path} is not a Klient backup: no {MANIFEST}")
    try:
        manifest = json.loads(manifest_bytes)
        listed: dict[str, dict[str, Any]] = manifest["members"]
        fmt = manifest["format"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path}: {MANIFEST} is unreadable ({exc})") from exc
    if fmt != FORMAT:
        raise BackupError(f"{path}: backup format {fmt!r} is not supported by this version")
    _check_members(listed, seen)
    return StagedArchive(manifest=manifest, root=staging)


def _check_members(listed: dict[str, dict[str, Any]], seen: dict[str, tuple[int, str]]) -> None:
    problems = [f"{name}: missing" for name in sorted(set(listed) - set(seen))]
    problems += [f"{name}: not in the manifest" for name in sorted(set(seen) - set(listed))]
    for name in sorted(set(listed) & set(seen)):
        size, sha256 = seen[name]
        if sha256 != listed[name].get("sha256") or size != listed[name].get("size"):
            problems.append(f"{name}: sha256 does not match the manifest")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" * (len(problems) > 5))
        raise BackupError(f"the backup is damaged, nothing was restored: {shown}")
