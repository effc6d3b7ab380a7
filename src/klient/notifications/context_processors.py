from __future__ import annotations

from django.http import HttpRequest

from klient.notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """The bell's unread count: one cheap query per page, for signed-in users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notification_unread_count(user=user)}
