"""Business calendars: weekly working hours with breaks, holidays and extra working days.

The arithmetic lives in `worktime` (pure); `selectors.calendar_spec_get` turns these rows
into its `CalendarSpec`.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.core.models import Workspace


class BusinessCalendar(models.Model):
    """A place's working time: its zone, its week and its exceptions. SLA deadlines and
    time limits in stages are counted on one."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="business_calendars"
    )
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64)
    is_default = models.BooleanField(_("default calendar"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="calendar_unique_name"),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="calendar_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One working interval of a weekday; several on one day leave breaks between them.
    An `end` of 00:00 is midnight at the end of the day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="working_hours_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="working_hours_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")) | models.Q(end=time(0)),
                name="working_hours_order",
            ),
        ]


class CalendarException(models.Model):
    """A date that does not follow the week: a holiday, or a working day with its own
    hours (a worked Saturday, a shortened eve); one per date."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKING_DAY = "working_day", _("Working day")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    # A working day's intervals as [["09:00", "13:00"], ["14:00", "17:00"]] ("24:00" ends
    # the day); empty: the calendar's standard day.
    hours = models.JSONField(default=list, blank=True)
    # The country whose public holidays this came from ("RU", "BG"); empty when added by hand.
    source = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_date"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "working_day"]),
                name="calendar_exception_kind",
            ),
        ]
