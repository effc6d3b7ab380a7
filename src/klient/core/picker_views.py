"""`GET /pick/<kind>/?q=`: what a type-ahead picker offers as the user types.

JSON for `static/klient/picker.js`: at most `PICK_LIMIT` records of the kind the user
may see, best match first, from the kind's registered `PickerSource`. No count, no
page: the source stops after the first matches it finds in its index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from klient.core.errors import KlientError, NotFound
from klient.core.models import User
from klient.core.pickers import PICK_LIMIT
from klient.core.registry import picker_sources

QUERY_MAX_LENGTH = 100
# NUL and other control characters: PostgreSQL refuses NUL in a text parameter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def json_answer(payload: Mapping[str, object], status: int = 200) -> JsonResponse:
    """A JSON answer to a type-ahead, never cached: it depends on who asks."""
    response = JsonResponse(dict(payload), status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def json_error(error: KlientError) -> JsonResponse:
    """A domain error in the API's shape: {"code", "message", "fields"}."""
    return json_answer(error.as_dict(), status=error.status)


def json_signed_out() -> JsonResponse:
    return json_answer(
        {"code": "unauthorized", "message": _("Sign in again."), "fields": {}}, status=401
    )


@require_GET
def pick(request: HttpRequest, kind: str) -> JsonResponse:
    user = request.user
    if not user.is_authenticated or not isinstance(user, User):
        return json_signed_out()
    if kind not in picker_sources:
        return json_error(NotFound(_("Record not found.")))
    query = _CONTROL.sub(" ", request.GET.get("q", ""))[:QUERY_MAX_LENGTH].strip()
    if not query:
        return json_answer({"options": []})
    try:
        hits = picker_sources.get(kind).search(user, query, PICK_LIMIT)
    except KlientError as error:
        return json_error(error)
    options = [{"id": hit.id, "name": hit.name, "detail": hit.detail} for hit in hits]
    return json_answer({"options": options[:PICK_LIMIT]})
