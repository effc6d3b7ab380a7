"""The home page ("my day"): the blocks the apps registered in `registry.home_widgets`.

`core` knows no domain app, so the page is only the registry rendered in order: each
app's widget answers for itself, or returns None to stay out (see CONTRIBUTING.md).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.core.models import User
from klient.core.registry import NavItem, home_widgets, nav_items
from klient.core.views import AuthedRequest, klient_view


def home_widgets_for(*, user: User) -> list[dict[str, Any]]:
    """The widgets `user` sees, in order, each as {"key", "template", **its context}."""
    shown = []
    for widget in home_widgets:
        if widget.roles is not None and user.role not in widget.roles:
            continue
        context = widget.context(user)
        if context is not None:
            shown.append({"key": widget.key, "template": widget.template, **context})
    return shown


@klient_view
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "core/home.html", {"widgets": home_widgets_for(user=request.user)})


def home_nav_register() -> None:
    """The first link of the main navigation (core's own: it has no plug.py)."""
    nav_items.register(
        NavItem(
            key="core.home",
            label=_("Home"),
            url=lambda user: reverse("home:index"),
            icon="i-home",
            section="home",
            order=0,
        )
    )
