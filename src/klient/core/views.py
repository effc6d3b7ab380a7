"""Pages shared by every module, and the one place where domain errors become responses.

Every htmx page of Klient is wrapped in `klient_view`: it asks for a login, refuses
writes to read-only roles, and turns a `KlientError` into a page (or, for an htmx
request, a toast) in the user's language with the error's HTTP status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, overload
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from klient.core import services
from klient.core.errors import KlientError, PermissionDenied
from klient.core.models import User
from klient.core.pagination import paginate_desc, paginate_id_desc
from klient.core.params import param_count

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """What a `klient_view` receives: a signed-in Klient user, and django-htmx's details."""

    user: User
    htmx: HtmxDetails


LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


LIST_PAGE_SIZE = 25
# Counting the matches walks them: a common name fragment matches thousands of people,
# and the count, unlike the page, cannot stop early. Past this, "1,000+".
LIST_COUNT_CAP = 1_000


def list_page(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    url: str,
    page_rows: QuerySet[Any] | None = None,
    id_field: str | None = None,
) -> dict[str, Any]:
    """One page of a record list, newest change first, for `core/_list_foot.html`: the
    page, the capped total, the row range shown, and the first/next page links, which
    keep the request's other query parameters (filters). `page_rows` is `rows` with
    whatever the page needs prefetched; the count runs on plain `rows`. With `id_field`
    (a column equal to the id, see `paginate_id_desc`) the newest record comes first
    instead: the order a search index hands its matches in."""
    cursor = request.GET.get("cursor") or None
    shown = rows if page_rows is None else page_rows
    page = (
        paginate_id_desc(shown, cursor=cursor, limit=LIST_PAGE_SIZE, field=id_field)
        if id_field
        else paginate_desc(shown, field="updated_at", cursor=cursor, limit=LIST_PAGE_SIZE)
    )
    total = rows.order_by()[: LIST_COUNT_CAP + 1].count()
    start = param_count(request.GET, "start")
    query = request.GET.copy()
    for key in ("cursor", "start"):
        query.pop(key, None)
    next_url = None
    if page.next_cursor:
        following = query.copy()
        following["cursor"] = page.next_cursor
        following["start"] = str(start + len(page.items))
        next_url = f"{url}?{following.urlencode()}"
    return {
        "page": page,
        "total": min(total, LIST_COUNT_CAP),
        "total_capped": total > LIST_COUNT_CAP,
        "start": start + 1 if page.items else 0,
        "end": start + len(page.items),
        "first_url": f"{url}?{query.urlencode()}" if query else url,
        "next_url": next_url,
    }


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def error_response(request: HttpRequest, error: KlientError) -> HttpResponse:
    """A domain error as a response with its status: a toast for htmx, a page otherwise."""
    context = {"error": error, "message": str(error.message), "fields": error.fields}
    if is_htmx(request):
        response = render(request, "klient/_toast.html", context, status=error.status)
        return reswap(retarget(response, "#toasts"), "beforeend")
    return render(request, "klient/error.html", context, status=error.status)


@overload
def klient_view(view: View, *, write: bool = False) -> View: ...
@overload
def klient_view(view: None = None, *, write: bool = False) -> Callable[[View], View]: ...
def klient_view(view: View | None = None, *, write: bool = False) -> View | Callable[[View], View]:
    """Login required; with `write=True` read-only roles get 403; KlientError -> response.

    Usable bare (`@klient_view`) or with arguments (`@klient_view(write=True)`).
    """

    def decorate(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if is_htmx(request):
                    # A redirect would swap the login page into a fragment: reload instead.
                    query = urlencode({"next": request.get_full_path()})
                    return HttpResponseClientRedirect(f"{reverse(settings.LOGIN_URL)}?{query}")
                return redirect_to_login(request.get_full_path())
            try:
                if write and not request.user.can_write:
                    raise PermissionDenied(_("Your role can only read."))
                return func(request, *args, **kwargs)
            except KlientError as error:
                return error_response(request, error)

        return wrapper

    return decorate(view) if view is not None else decorate


_INDEXED = re.compile(r"\[\d+\]$")


def _form_field_name(form: forms.BaseForm, key: str) -> str | None:
    """Map a service's field key (`phones[0]`, `owner_id`) onto the form's field name."""
    for candidate in (key, _INDEXED.sub("", key), key.removesuffix("_id")):
        if candidate in form.fields:
            return candidate
    return None


def form_add_error(form: forms.BaseForm, error: KlientError) -> None:
    """Show a domain error on a form: the message on top, each field's detail beside it."""
    form.add_error(None, str(error.message))
    for key, detail in error.fields.items():
        name = _form_field_name(form, key)
        if name is not None:
            form.add_error(name, str(detail))
        else:
            form.add_error(None, str(detail))


def safe_next_url(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def language_cookie_set(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite="Lax",
    )


class KlientLoginView(auth_views.LoginView):
    """Django's login, plus the user's saved language for the session that follows."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            self.request.session["klient_language"] = language
            language_cookie_set(response, language)
        return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the UI language: kept in the session, the cookie and (signed in) the user row."""
    language = request.POST.get("language", "")
    next_url = safe_next_url(request, request.POST.get("next") or request.headers.get("Referer"))
    if language not in dict(settings.LANGUAGES):
        return redirect(next_url)
    request.session["klient_language"] = language
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response = redirect(next_url)
    language_cookie_set(response, language)
    return response
