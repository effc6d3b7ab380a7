"""Why a file is refused: typed errors (422 in the API, a message on the page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.errors import ValidationFailed


class AttachmentRefused(ValidationFailed):
    """Base of the refusals of an upload; the message is on the `file` field too."""

    code = "attachment_refused"


class AttachmentTooLarge(AttachmentRefused):
    code = "file_too_large"
    default_message = _("The file is too large.")


class AttachmentTypeRefused(AttachmentRefused):
    code = "file_type_refused"
    default_message = _("Files of this type cannot be attached.")


class AttachmentEmpty(AttachmentRefused):
    code = "file_empty"
    default_message = _("The file is empty.")


class AttachmentLimitReached(AttachmentRefused):
    code = "too_many_files"
    default_message = _("This record has as many files as it may hold.")
