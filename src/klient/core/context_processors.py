from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from klient.core.registry import nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation the apps registered (for the user's role)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": [
            {
                "href": item.url(user),
                "label": item.label,
                "icon": item.icon,
                "section": item.section,
            }
            for item in nav_items
            if item.visible_to(user)
        ]
    }
