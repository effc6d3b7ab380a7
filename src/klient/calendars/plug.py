"""What business calendars register with the platform (klient.core.registry)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.calendars.demo import demo_calendars_create
from klient.calendars.models import BusinessCalendar, CalendarException, Weekday
from klient.core.audit_words import DATE, AuditField, AuditSubject, audit_words_register
from klient.core.registry import DemoContext, DemoStep, RecordRef, demo_steps


def _demo(context: DemoContext) -> None:
    demo_calendars_create(context.workspace)


def plug() -> None:
    demo_steps.register(DemoStep(key="calendars", run=_demo, order=10))
    _audit_log_words()


# How calendar changes read on the audit log (klient.core.audit_words) ------------------------

CALENDAR = "calendars.businesscalendar"


def _calendars_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = BusinessCalendar.objects.filter(pk__in=list(ids)).values_list("pk", "name")
    return {
        pk: RecordRef(CALENDAR, pk, name, reverse("calendars:calendar_detail", args=[pk]))
        for pk, name in rows
    }


def _exception_kind(value: Any) -> str:
    return str(dict(CalendarException.Kind.choices).get(value, value))


def _audit_log_words() -> None:
    weekdays = {f"weekday_{day.value}": AuditField(day.label) for day in Weekday}
    audit_words_register(
        subject=AuditSubject(
            key=CALENDAR,
            label=_("Calendar"),
            fields={
                **weekdays,
                "date": AuditField(_("date"), DATE),
                "kind": AuditField(_("kind"), _exception_kind),
                "hours": AuditField(_("hours")),
                "country": AuditField(_("country")),
                "years": AuditField(_("years")),
                "added": AuditField(_("added")),
            },
            describe=_calendars_describe,
        ),
        actions=[
            ("calendar.create", _("Calendar created"), _("%(actor)s created calendar %(record)s")),
            (
                "calendar.update",
                _("Calendar changed"),
                _("%(actor)s changed %(fields)s of calendar %(record)s"),
            ),
            (
                "calendar.hours_set",
                _("Working hours changed"),
                _("%(actor)s changed the working hours of calendar %(record)s: %(fields)s"),
            ),
            (
                "calendar.exception_add",
                _("Calendar exception added"),
                _("%(actor)s marked %(date)s as %(kind)s in calendar %(record)s"),
            ),
            (
                "calendar.exception_remove",
                _("Calendar exception removed"),
                _("%(actor)s removed the exception on %(date)s from calendar %(record)s"),
            ),
            (
                "calendar.public_holidays_load",
                _("Public holidays loaded"),
                _(
                    "%(actor)s loaded the public holidays of %(country)s for %(years)s "
                    "into calendar %(record)s, days added: %(added)s"
                ),
            ),
        ],
    )
