"""The people list's page, its bulk bar and its column chooser (htmx and plain forms)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.contacts import selectors
from klient.contacts.list_preferences import list_preference_columns, list_preference_set
from klient.contacts.list_registry import PEOPLE, bulk_actions
from klient.contacts.list_selectors import saved_lists
from klient.contacts.list_table import list_query_read, table_page
from klient.contacts.models import SavedList
from klient.core.capabilities import can
from klient.core.errors import KlientError, ValidationFailed
from klient.core.params import param_ids
from klient.core.selectors import workspace_users
from klient.core.views import AuthedRequest, is_htmx, klient_view


def _list_query(raw: str) -> QueryDict:
    """The list's query string carried through a POST, so the user lands where they were."""
    return QueryDict(raw[:2000])


def _list_url(query: QueryDict) -> str:
    url = reverse("contacts:client_list")
    encoded = query.urlencode()
    return f"{url}?{encoded}" if encoded else url


def _back(query: QueryDict) -> HttpResponse:
    return redirect(_list_url(query))


def people_list_page(request: AuthedRequest) -> HttpResponse:
    """The People tab: the shared filters, the registered ones, columns, sort and pages."""
    user = request.user
    owners = list(workspace_users(user=user))
    read = list_query_read(user=user, query=request.GET, owners=owners)
    url = reverse("contacts:client_list")
    columns = list_preference_columns(user=user, list_key=PEOPLE)
    actions = [action for action in bulk_actions if can(user, action.capability)]
    context: dict[str, Any] = {
        "tab": "people",
        "form": read.form,
        "extra_form": read.extra_form,
        "filters": read.filters,
        "list_url": url,
        "list_query": request.GET.urlencode(),
        "bulk_actions": actions,
        "owners": owners,
        "static_lists": (
            list(saved_lists(user=user, kind=SavedList.Kind.STATIC)[:200])
            if any(a.input == "list" for a in actions)
            else []
        ),
        **table_page(
            user=user,
            query=request.GET,
            rows=read.rows,
            url=url,
            columns=columns,
            search_field=read.search_field,
        ),
    }
    if is_htmx(request) and request.htmx.target == "results":
        return render(request, "contacts/_people_results.html", context)
    return render(request, "contacts/client_list.html", context)


@require_POST
@klient_view(write=True)
def people_bulk(request: AuthedRequest) -> HttpResponse:
    """Run the chosen action on the checked people; one that asks first shows what it
    will do, and runs only from that page's own button."""
    query = _list_query(request.POST.get("list_query", ""))
    key = request.POST.get("action", "")
    try:
        if key not in bulk_actions:
            raise ValidationFailed(_("Choose an action."), fields={"action": _("Unknown action.")})
        action = bulk_actions.get(key)
        ids = param_ids(request.POST.getlist("ids"), "ids")
        if not ids:
            raise ValidationFailed(_("Check at least one person."), fields={"ids": _("Required.")})
        if action.confirm and request.POST.get("confirmed") != "1":
            people = list(selectors.person_list(user=request.user).filter(pk__in=ids)[:100])
            context = {
                "action": action,
                "ids": ids,
                "people": people,
                "list_query": query.urlencode(),
                "back_url": _list_url(query),
            }
            return render(request, "contacts/people_bulk_confirm.html", context)
        result = action.run(request.user, ids, request.POST.dict())
    except KlientError as error:
        messages.error(request, str(error.message))
        return _back(query)
    if result.redirect_url:
        return redirect(result.redirect_url)
    messages.success(request, result.message)
    return _back(query)


@require_POST
@klient_view
def people_columns_save(request: AuthedRequest) -> HttpResponse:
    """Remember the columns the user checked in the chooser."""
    list_preference_set(
        actor=request.user, list_key=PEOPLE, columns=request.POST.getlist("columns")
    )
    messages.success(request, _("Columns saved."))
    return _back(_list_query(request.POST.get("list_query", "")))
