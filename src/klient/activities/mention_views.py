"""`GET /interactions/<id>/mentions/?q=`: the colleagues the comment box suggests after "@".

JSON for `static/klient/picker.js`, in the shape of the record pickers' answers; errors
in the API's shape ({"code", "message", "fields"}) with their status.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from klient.activities import selectors
from klient.activities.mentions import mention_candidates
from klient.core.capabilities import can
from klient.core.errors import KlientError, PermissionDenied
from klient.core.models import User
from klient.core.picker_views import json_answer, json_error, json_signed_out

QUERY_MAX_LENGTH = 60


@require_GET
def mention_suggest(request: HttpRequest, interaction_id: int) -> JsonResponse:
    user = request.user
    if not user.is_authenticated or not isinstance(user, User):
        return json_signed_out()
    try:
        if not can(user, "activities.log"):  # who may not comment mentions nobody
            raise PermissionDenied(_("Your role can only read."))
        interaction = selectors.interaction_get(user=user, interaction_id=interaction_id)
        query = request.GET.get("q", "")[:QUERY_MAX_LENGTH].strip()
        colleagues = mention_candidates(user=user, interaction=interaction, query=query)
    except KlientError as error:
        return json_error(error)
    options = [
        {
            "id": colleague.pk,
            "name": colleague.display_name,
            "detail": f"@{colleague.username}",
            "username": colleague.username,
        }
        for colleague in colleagues
    ]
    return json_answer({"options": options})
