"""Per-user language (a logged-in user's saved choice wins over the browser's), and the
Content-Security-Policy of every HTML page."""

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


# Klient's pages load scripts, styles and images from their own origin only, and carry no
# inline script, event-handler attribute or style attribute (the htmx-config meta tag turns
# off the indicator <style> htmx would inject). An injected <script> or style does not run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)

# Pages a client opens from a public link (core.public_views.public_page): nothing is
# allowed unless named (default-src 'none': no frames, media, workers, manifests), images
# only from our origin (no data: URLs), forms post only back to us.
PUBLIC_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Add the Content-Security-Policy header to every HTML response that has none (a
    public page sets its stricter one itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response
