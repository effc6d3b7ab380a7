"""The dossier's block on the home page ("my day"): how many clients I own, how many of
them are new this week (registered from plug.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format

from klient.contacts import selectors
from klient.core.models import User


def week_start(now: datetime | None = None) -> datetime:
    """Midnight of this week's first day, as the reader's language counts weeks (Sunday in
    English, Monday in Russian and Bulgarian), in the current time zone."""
    today = timezone.localdate(now)
    # Django numbers the first day from Sunday (0), Python's weekday() from Monday (0).
    first = (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7
    start = today - timedelta(days=(today.weekday() - first) % 7)
    return timezone.make_aware(datetime.combine(start, time.min))


def my_clients_context(user: User) -> dict[str, Any]:
    """My clients' counts and links to the lists filtered to them: two queries."""
    counts = selectors.clients_owned_counts(user=user, since=week_start())
    mine = urlencode({"owner": user.pk})
    return {
        "counts": counts,
        "total": counts["people"] + counts["organizations"],
        "people_url": f"{reverse('contacts:client_list')}?{mine}",
        "organizations_url": f"{reverse('contacts:organization_list')}?{mine}",
    }
