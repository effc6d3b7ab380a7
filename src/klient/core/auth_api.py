"""REST endpoints for credentials: trade a username and password for a token, and revoke
all of one's tokens."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from klient.core.api_support import ERROR_CODES, ErrorOut, InSchema, api_user
from klient.core.errors import PermissionDenied
from klient.core.services import token_create, token_revoke_all
from klient.core.throttle import login_authenticate

router = Router(tags=["auth"])


class TokenIn(InSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    name: str = Field("", max_length=100, description="What the token is for, e.g. 'ERP sync'.")


class TokenOut(Schema):
    token: str = Field(description="Shown once: send it as 'Authorization: Bearer …'.")
    prefix: str
    name: str
    user_id: int


class RevokedOut(Schema):
    revoked: int


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut, frozenset({401, 403, 422, 429}): ErrorOut},
)
def token_obtain(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """A new API token for a username and password. Throttled like the sign-in page:
    too many failures lock the account and the address (429 with Retry-After)."""
    user = login_authenticate(request=request, username=payload.username, password=payload.password)
    if user.workspace_id is None:
        raise PermissionDenied(_("You do not belong to a workspace."))
    secret = token_create(user=user, name=payload.name)
    return Status(
        201,
        {
            "token": secret,
            "prefix": secret[:10],  # as core.services.token_create stores it
            "name": payload.name,
            "user_id": user.pk,
        },
    )


@router.post("/auth/tokens/revoke-all", response={200: RevokedOut, ERROR_CODES: ErrorOut})
def tokens_revoke_all(request: HttpRequest) -> dict[str, int]:
    """Revoke every token of the caller, the one sending this request included."""
    user = api_user(request)
    return {"revoked": token_revoke_all(user=user, actor=user)}
