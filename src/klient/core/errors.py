"""Domain errors. API and UI turn each into one typed response or message in one place."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class KlientError(Exception):
    """Base of every domain error: a stable code, a human message, per-field details."""

    code = "error"
    status = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, fields: dict[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {key: str(value) for key, value in self.fields.items()},
        }


class ValidationFailed(KlientError):
    code = "validation_error"
    status = 422
    default_message = _("Some fields are invalid.")


class NotFound(KlientError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(KlientError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(KlientError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with existing data.")


class InvalidCredentials(KlientError):
    code = "invalid_credentials"
    status = 401
    default_message = _("Wrong username or password.")


class Throttled(KlientError):
    """Too many failed attempts: refused for `retry_after` seconds (the Retry-After header)."""

    code = "throttled"
    status = 429
    default_message = _("Too many failed attempts. Try again later.")

    def __init__(
        self, message: Any = None, *, retry_after: int, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, fields=fields)
        self.retry_after = retry_after


class UnknownSequence(KlientError):
    """A number was asked of a sequence no app registered (core.numbering): a bug in the
    calling app, reported as a typed error rather than a KeyError."""

    code = "unknown_sequence"
    status = 500
    default_message = _("This kind of record cannot be numbered.")

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class PublicLinkInvalid(NotFound):
    """A public link that cannot be opened. Every reason reads the same to the client, so
    a guess learns nothing; `reason` (unknown, expired, revoked, used_up) is for the log."""

    code = "link_invalid"
    default_message = _(
        "This link cannot be opened. It may have expired or already been used: "
        "ask whoever sent it for a new one."
    )
    reason = "invalid"


class PublicLinkUnknown(PublicLinkInvalid):
    reason = "unknown"


class PublicLinkExpired(PublicLinkInvalid):
    reason = "expired"


class PublicLinkRevoked(PublicLinkInvalid):
    reason = "revoked"


class PublicLinkUsedUp(PublicLinkInvalid):
    reason = "used_up"
