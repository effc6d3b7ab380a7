"""What every router of the REST API shares: authentication, typed errors, schema helpers.

Every error leaves the API as one JSON shape, `{"code", "message", "fields"}`, so a
client handles failures in one place; bad input is a 4xx, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, cast

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf
from pydantic import ConfigDict, Field, field_validator

from klient.core.errors import KlientError, NotFound, Throttled, ValidationFailed
from klient.core.models import User
from klient.core.params import MAX_ID
from klient.core.services import token_authenticate
from klient.core.throttle import token_failure_record

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A bigger id than the databases hold (MAX_ID) is bad input, not a crash.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=200)]


def omittable(**constraints: Any) -> Any:
    """A body field the client may leave out but not send as null.

    The None default is never validated or stored: handlers pass on only the fields a
    client sent (`exclude_unset`), so an absent field keeps the service's own default.
    """
    return Field(None, **constraints)


ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _orjson_default(value: Any) -> Any:
    if isinstance(value, datetime):
        # A just-written row still holds the client's offset; every response speaks UTC.
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat().replace("+00:00", "Z")
    # Decimals, lazy translations and anything else without a JSON form go out as text.
    return str(value)


def json_bytes(data: Any) -> bytes:
    """Rows read from the database are UTC already: orjson writes them natively."""
    return orjson.dumps(data, default=_orjson_default, option=ORJSON_OPTIONS)


class ORJSONRenderer(BaseRenderer):
    """One JSON encoder for every response, so dates look the same on every endpoint."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(
            data, default=_orjson_default, option=ORJSON_OPTIONS | orjson.OPT_PASSTHROUGH_DATETIME
        )


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    """Serialise straight to bytes: for hot read paths that skip response schemas."""
    return HttpResponse(json_bytes(data), status=status, content_type="application/json")


# --- authentication --------------------------------------------------------------------


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kl_...`: one indexed query for the token, user and workspace.

    Only an invalid token costs more: it counts against the caller's address, which
    gets a typed 429 past KLIENT_TOKEN_FAILURE_LIMIT (core.throttle).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token.strip())
        if user is None:
            token_failure_record(request=request)
        return user


class SessionUserAuth(APIKeyCookie):
    """The web UI's login session, for htmx calls from Klient's own pages.

    Skipped when an Authorization header is present, so a bad token is a 401 and not a
    silent fallback; CSRF is checked only once a session user is found, so an anonymous
    POST is a 401 rather than a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None or "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.workspace_id is None:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, _("CSRF check failed."))
        return cast(User, user)


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


def reference_get(field: str, getter: Callable[[], T]) -> T:
    """Load a record named in a request body; an unknown or invisible id is a field error
    (422), not a 404 of the whole request."""
    try:
        return getter()
    except NotFound as exc:
        raise ValidationFailed(fields={field: _("Unknown record.")}) from exc


# --- schemas ---------------------------------------------------------------------------


class InSchema(Schema):
    """Base of request bodies and query filters: unknown fields and NUL bytes are refused.

    NUL is accepted by SQLite but refused by PostgreSQL; checking here keeps the two
    databases answering the same 422.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in items):
            raise ValueError(_("NUL characters are not allowed."))
        return value


class PatchSchema(InSchema):
    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent: PATCH leaves the rest untouched."""
        return self.model_dump(exclude_unset=True)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


# --- errors ----------------------------------------------------------------------------

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "throttled",
}


def error_response(
    *, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    return json_response({"code": code, "message": message, "fields": fields or {}}, status=status)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'emails', 0) -> 'emails[0]'; ('query', 'limit') -> 'limit'."""
    parts = list(loc)
    source = str(parts.pop(0)) if parts else "body"
    if source == "body" and parts:
        parts.pop(0)  # the handler's parameter name, not part of the document
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or source


def _klient_error(request: HttpRequest, exc: KlientError) -> HttpResponse:
    response = json_response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(field_name(error.get("loc", ())), str(error.get("msg", "")))
    return error_response(
        status=422, code="validation_error", message=_("Some fields are invalid."), fields=fields
    )


def _authentication_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = error_response(
        status=401,
        code="unauthorized",
        message=_("Authentication required: send a valid token as 'Authorization: Bearer …'."),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    message = str(exc)
    if status == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")  # ninja's words, translated
    return error_response(status=status, code=HTTP_CODES.get(status, "error"), message=message)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=404, code="not_found", message=_("Not found."))


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        status=413, code="payload_too_large", message=_("The request body is too large.")
    )


def _suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=400, code="bad_request", message=_("The request was refused."))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not bad input: log it with its traceback and keep the typed shape.
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        status=500, code="server_error", message=_("Something went wrong on our side.")
    )


def error_handlers_install(api: NinjaAPI) -> None:
    """Register the typed error responses; the most specific class wins."""
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (Exception, _unexpected),
        (KlientError, _klient_error),
        (ValidationError, _validation_error),
        (HttpError, _http_error),
        (AuthenticationError, _authentication_error),
        (Http404, _not_found),
        (SuspiciousOperation, _suspicious),
        (RequestDataTooBig, _too_big),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# Documented on every authenticated operation, so the OpenAPI schema names the error shape.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 413, 422, 429})


@csrf_exempt  # a bearer-token client has no CSRF cookie; it still deserves the JSON 404
def endpoint_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/v1/ path no route matched: the typed 404, not Django's HTML page."""
    return error_response(status=404, code="not_found", message=_("No such endpoint."))
