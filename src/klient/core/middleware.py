"""Per-user language: a logged-in user's saved choice wins over the browser's."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UserLanguageMiddleware:
    """Put the language choice where LocaleMiddleware looks: the language cookie.

    Runs before authentication, so it reads the session's choice stored at login
    (or the switcher's cookie) rather than the user row.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.session.get("klient_language") if hasattr(request, "session") else None
        if chosen and chosen in dict(settings.LANGUAGES):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = chosen
        return self.get_response(request)
