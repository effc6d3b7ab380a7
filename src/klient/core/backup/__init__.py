"""Backups of a Klient installation and their restore (docs/backup.md)."""

from __future__ import annotations

from klient.core.backup.errors import BackupError
from klient.core.backup.services import (
    BackupResult,
    RestoreReport,
    backup_create,
    backup_restore,
)

__all__ = ["BackupError", "BackupResult", "RestoreReport", "backup_create", "backup_restore"]
