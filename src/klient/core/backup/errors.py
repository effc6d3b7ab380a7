"""The one error `klient backup` and `klient restore` raise: printed as one line, exit 1."""

from __future__ import annotations

from klient.core.errors import KlientError


class BackupError(KlientError):
    code = "backup_error"
    status = 400
