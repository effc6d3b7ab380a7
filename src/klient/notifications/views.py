"""My notifications (the bell's list), marking them read, and what I choose to get."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core.pagination import paginate_id_desc
from klient.core.params import param_id
from klient.core.views import AuthedRequest, is_htmx, klient_view, safe_next_url
from klient.notifications import selectors, services

NOTIFICATIONS_PER_PAGE = 30


@klient_view
def notification_list(request: AuthedRequest) -> HttpResponse:
    show_unread = request.GET.get("show") == "unread"
    rows = selectors.notification_list(user=request.user, unread_only=show_unread)
    page = paginate_id_desc(
        rows, cursor=request.GET.get("cursor") or None, limit=NOTIFICATIONS_PER_PAGE
    )
    selectors.notifications_worded(user=request.user, rows=page.items)
    context = {"page": page, "show_unread": show_unread}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "notifications/_notification_rows.html", context)
    return render(request, "notifications/notification_list.html", context)


@klient_view
@require_POST
def notification_read(request: AuthedRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of mine read; htmx gets the row and the new bell."""
    notification_id = param_id(request.POST, "id")
    ids = [notification_id] if notification_id is not None else None
    services.notification_mark_read(user=request.user, notification_ids=ids)
    if is_htmx(request) and ids is not None:
        rows = list(selectors.notification_list(user=request.user).filter(pk=ids[0]))
        selectors.notifications_worded(user=request.user, rows=rows)
        return render(
            request,
            "notifications/_notification_read.html",
            {"notification": rows[0] if rows else None},
        )
    return redirect(safe_next_url(request, request.POST.get("next"), "/notifications/"))


@klient_view
def preferences(request: AuthedRequest) -> HttpResponse:
    """Each kind of notification and channel, on or off for me; saved as a whole form."""
    rows = selectors.preferences_for(user=request.user)
    if request.method == "POST":
        for row in rows:
            for channel, _label, enabled in row.channels:
                if enabled is None:
                    continue
                services.preference_set(
                    user=request.user,
                    kind=row.kind.key,
                    channel=channel,
                    enabled=f"{row.kind.key}:{channel}" in request.POST,
                )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "columns": selectors.preference_columns()},
    )
