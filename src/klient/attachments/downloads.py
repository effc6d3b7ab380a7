"""A stored file as a download, the same for the pages and the API: always as an
attachment under its cleaned name and sniffed type, never sniffed again by the browser
and never run as a page (a sandbox with nothing allowed)."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from klient.attachments import storage
from klient.attachments.models import Attachment
from klient.core.errors import NotFound

DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'"


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file of an attachment the caller was allowed to see (selectors.attachment_get)."""
    try:
        handle = open(storage.path_of(attachment.storage_name), "rb")  # noqa: SIM115
    except (ValueError, OSError) as error:
        # A restore without the files folder, a disk problem: a typed 404, never a 500.
        raise NotFound(_("The file is missing from storage.")) from error
    response = FileResponse(  # closes the handle when sent
        handle,
        as_attachment=True,
        filename=attachment.file_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
