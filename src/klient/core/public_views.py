"""Pages a client opens from a public link, without an account (docs/public-links.md).

An app's public view is wrapped in `public_page` and renders with `public_render`:

    @public_page
    def quote_view(request, token):
        link = public_link_resolve(token=token, purpose="sales.quote_accept",
                                   request_ip=client_address(request))
        return public_render(request, link=link, template="sales/public_quote.html",
                             context={"quote": ...})

The page extends `klient/public_base.html`: no navigation, no bell, nothing of whoever
may be signed in on that browser, in the link's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from klient.core.errors import KlientError, Throttled
from klient.core.middleware import PUBLIC_CONTENT_SECURITY_POLICY
from klient.core.models import PublicLink, Workspace

View = Callable[..., HttpResponse]


def public_headers_set(response: HttpResponse) -> HttpResponse:
    """The stricter policy, and headers that keep the link's token out of other sites'
    logs (no Referer), search engines and any cache between the client and us."""
    response["Content-Security-Policy"] = PUBLIC_CONTENT_SECURITY_POLICY
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def _render(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int
) -> HttpResponse:
    # No request context: the context processors would add the signed-in user, the
    # navigation and the bell. The CSRF token is made only if the page has a form.
    full = {**context, "csrf_token": SimpleLazyObject(lambda: get_token(request))}
    return HttpResponse(render_to_string(template, full), status=status)


def public_render(
    request: HttpRequest,
    *,
    link: PublicLink,
    template: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A page of `link`, in its language (else its workspace's), with the workspace's
    name in the shell."""
    workspace = Workspace.objects.filter(pk=link.workspace_id).values("name", "default_language")
    row = workspace.first() or {"name": "", "default_language": ""}
    language = link.language or row["default_language"] or None
    with translation.override(language):
        return _render(
            request,
            template,
            {"workspace_name": row["name"], **(context or {})},
            status=status,
        )


def public_error_response(request: HttpRequest, error: KlientError) -> HttpResponse:
    """A refused link as a public page in the browser's language: the message only."""
    response = _render(
        request, "klient/public_error.html", {"message": str(error.message)}, status=error.status
    )
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


def public_page(view: View) -> View:
    """Mark a view's pages public: a domain error becomes the public error page, and
    every response gets the public headers (public_headers_set)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except KlientError as error:
            response = public_error_response(request, error)
        return public_headers_set(response)

    return wrapper
