"""Demo calendars: a Moscow and a Sofia office with their countries' public holidays."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from klient.calendars.models import BusinessCalendar
from klient.calendars.services import calendar_create, calendar_public_holidays_load
from klient.core.models import Workspace

DEMO_YEARS = range(2025, 2028)
# Monday to Friday, 09:00-18:00 with a lunch hour.
OFFICE_DAY = ((time(9, 0), time(13, 0)), (time(14, 0), time(18, 0)))
OFFICE_WEEK = dict.fromkeys(range(5), OFFICE_DAY)
DEMO_OFFICES = [
    ("Moscow office", "Europe/Moscow", "RU"),
    ("Sofia office", "Europe/Sofia", "BG"),
]


@transaction.atomic
def demo_calendars_create(workspace: Workspace) -> list[BusinessCalendar]:
    """The demo offices' calendars, Moscow the default; a second call changes nothing."""
    calendars = []
    for name, time_zone, country in DEMO_OFFICES:
        calendar = BusinessCalendar.objects.filter(workspace=workspace, name=name).first()
        if calendar is None:
            calendar = calendar_create(
                workspace=workspace,
                name=name,
                time_zone=time_zone,
                weekly=OFFICE_WEEK,
                is_default=country == "RU",
            )
            calendar_public_holidays_load(
                calendar=calendar,
                country=country,
                years=DEMO_YEARS,
                actor=None,
                language=workspace.default_language,
            )
        calendars.append(calendar)
    return calendars
