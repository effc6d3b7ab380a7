"""Errors of the import: a file that cannot be imported at all, a mapping that cannot work."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from klient.core.errors import KlientError, ValidationFailed


class ImportFileError(ValidationFailed):
    """The whole file is refused; `reason` says why in a stable word (empty, too_large, ...)."""

    code = "import_file_invalid"
    default_message = _("This file cannot be imported.")

    def __init__(self, message: Any = None, *, code: str = "unreadable") -> None:
        super().__init__(message, fields={"file": message if message is not None else ""})
        self.reason = code


class MappingInvalid(ValidationFailed):
    code = "import_mapping_invalid"
    default_message = _("The column mapping cannot be used.")


class ImportNotReady(KlientError):
    code = "import_not_ready"
    status = 409
    default_message = _("This import cannot be started in its current state.")


class LeaseLost(Exception):
    """Another process took the import over; this one must stop without committing."""
