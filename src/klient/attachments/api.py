"""REST endpoints of attached files: list and upload on any record, metadata, download,
delete. Refusals are typed: 422 with code `file_too_large`, `file_type_refused`,
`file_empty` or `too_many_files`; a record or file the caller cannot see is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from klient.attachments import selectors, services
from klient.attachments.downloads import attachment_response
from klient.attachments.models import Attachment
from klient.attachments.services import DESCRIPTION_MAX, MULTIPART_SLACK, attachment_max_bytes
from klient.core.api_support import ERROR_CODES, ErrorOut, Id, InSchema, Limit, api_user
from klient.core.api_support import error_response as api_error_response
from klient.core.pagination import paginate_id_desc

router = Router(tags=["attachments"])

Kind = Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+\.[a-z_]+$")]


class AttachmentOut(Schema):
    id: int
    subject_kind: str
    subject_id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    description: str
    uploaded_by_id: int | None
    created_at: datetime
    content_url: str

    @staticmethod
    def resolve_content_url(obj: Attachment) -> str:
        return reverse("api:attachment_content", kwargs={"attachment_id": obj.pk})


class AttachmentPageOut(Schema):
    items: list[AttachmentOut]
    next_cursor: str | None


class AttachmentUploadIn(InSchema):
    description: str = Field("", max_length=DESCRIPTION_MAX)


def _refuse_oversized_body(run: Any) -> Any:
    """Refuse a body past the size limit from its Content-Length, before django-ninja
    reads it (and spools it to disk) to parse the form."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > attachment_max_bytes() + MULTIPART_SLACK:
            error = services.attachment_too_large_error(attachment_max_bytes())
            return api_error_response(
                status=error.status,
                code=error.code,
                message=str(error.message),
                fields={key: str(value) for key, value in error.fields.items()},
            )
        return run(request, *args, **kwargs)

    return wrapper


@router.get(
    "/records/{kind}/{record_id}/attachments",
    response={200: AttachmentPageOut, ERROR_CODES: ErrorOut},
)
def attachment_index(
    request: HttpRequest, kind: Kind, record_id: Id, cursor: str | None = None, limit: Limit = 50
) -> Any:
    """The files of a record, newest first (cursor-paginated)."""
    rows = selectors.attachment_list_for(user=api_user(request), kind=kind, record_id=record_id)
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


@router.post(
    "/records/{kind}/{record_id}/attachments",
    response={201: AttachmentOut, ERROR_CODES: ErrorOut},
)
@decorate_view(_refuse_oversized_body)
def attachment_upload(
    request: HttpRequest,
    kind: Kind,
    record_id: Id,
    file: File[UploadedFile],
    options: Form[AttachmentUploadIn],
) -> Any:
    """Attach a file (multipart/form-data: `file`, optional `description`). Its type is
    read from its bytes; the extension must agree."""
    attachment = services.attachment_add(
        actor=api_user(request),
        owner=(kind, record_id),
        upload=file,
        description=options.description,
    )
    return Status(201, attachment)


@router.get("/attachments/{attachment_id}", response={200: AttachmentOut, ERROR_CODES: ErrorOut})
def attachment_detail(request: HttpRequest, attachment_id: Id) -> Any:
    return selectors.attachment_get(user=api_user(request), attachment_id=attachment_id)


@router.get(
    "/attachments/{attachment_id}/content",
    response={ERROR_CODES: ErrorOut},
    url_name="attachment_content",
)
def attachment_content(request: HttpRequest, attachment_id: Id) -> HttpResponseBase:
    """The file itself, as an attachment under its name and its sniffed type."""
    attachment = selectors.attachment_get(user=api_user(request), attachment_id=attachment_id)
    return attachment_response(attachment)


@router.delete("/attachments/{attachment_id}", response={204: None, ERROR_CODES: ErrorOut})
def attachment_remove(request: HttpRequest, attachment_id: Id) -> Any:
    user = api_user(request)
    attachment = selectors.attachment_get(user=user, attachment_id=attachment_id)
    services.attachment_delete(actor=user, attachment=attachment)
    return Status(204, None)
