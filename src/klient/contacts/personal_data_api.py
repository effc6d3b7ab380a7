"""REST endpoints of a person's personal data: the client's copy (a ZIP) and erasure
(docs/personal-data.md)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, InSchema, api_user
from klient.core.personal_data import REASON_MAX_LENGTH, personal_data_erase, personal_data_export

router = Router(tags=["personal data"])

PERSON = "contacts.person"

ZIP_RESPONSE = {
    "responses": {
        200: {
            "description": (
                "A ZIP: data.json (every app's section, machine-readable), summary.html "
                "(the same, readable) and files/<section>/..."
            ),
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class EraseIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=REASON_MAX_LENGTH)


class ErasedOut(Schema):
    id: int
    erased_in: list[str]


@router.get(
    "/people/{person_id}/personal-data",
    response={ERROR_CODES: ErrorOut},
    openapi_extra=ZIP_RESPONSE,
)
def person_personal_data(request: HttpRequest, person_id: Id) -> Any:
    """Everything held about the person, for them: administrators and the managers who
    see the person; audited. 404 for a person you cannot see, 403 for other roles."""
    export = personal_data_export(actor=api_user(request), subject=PERSON, record_id=person_id)
    return FileResponse(
        export.file, as_attachment=True, filename=export.file_name, content_type="application/zip"
    )


@router.post("/people/{person_id}/erase", response={200: ErasedOut, ERROR_CODES: ErrorOut})
def person_erase(request: HttpRequest, person_id: Id, payload: EraseIn) -> Any:
    """Erase the person's personal data everywhere, at once; administrators only. The
    person stays, named "Erased client #id"; `reason` is kept in the audit log (do not
    repeat the client's data in it). `erased_in` lists the keys of the apps that erased."""
    erased = personal_data_erase(
        actor=api_user(request), subject=PERSON, record_id=person_id, reason=payload.reason
    )
    return {"id": person_id, "erased_in": erased}
