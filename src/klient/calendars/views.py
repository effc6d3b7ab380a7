"""The administrator's calendar pages: the list with a new calendar, and one calendar with
its zone, weekly hours with breaks, holidays and extra working days."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.calendars import selectors, services
from klient.calendars.forms import (
    CalendarCreateForm,
    CalendarForm,
    ExceptionForm,
    PublicHolidaysForm,
    WeekForm,
    weekday_field_name,
)
from klient.calendars.models import BusinessCalendar
from klient.core.errors import KlientError, NotFound
from klient.core.models import Workspace
from klient.core.services import require_admin
from klient.core.views import AuthedRequest, form_add_error, klient_view

OFFICE_DAY = "09:00-13:00, 14:00-18:00"
# The country whose public holidays the page offers first, by the calendar's zone.
ZONE_COUNTRIES = {"Europe/Sofia": "BG"}


def _workspace(request: AuthedRequest) -> Workspace:
    if request.user.workspace is None:
        raise NotFound(_("Workspace not found."))
    return request.user.workspace


def _calendar(request: AuthedRequest, calendar_id: int) -> BusinessCalendar:
    require_admin(request.user)
    return selectors.calendar_get_for_admin(user=request.user, calendar_id=calendar_id)


@klient_view
def calendar_list(request: AuthedRequest) -> HttpResponse:
    require_admin(request.user)
    initial: dict[str, Any] = {"time_zone": settings.TIME_ZONE}
    initial.update({weekday_field_name(day): OFFICE_DAY for day in range(5)})
    form = CalendarCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(
                workspace=_workspace(request),
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                weekly=form.weekly(),
                is_default=form.cleaned_data["is_default"],
                actor=request.user,
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Calendar created."))
            return redirect("calendars:calendar_detail", calendar_id=calendar.pk)
    return render(
        request,
        "calendars/calendar_list.html",
        {"form": form, "calendars": selectors.calendar_list(user=request.user)},
        status=422 if request.method == "POST" else 200,
    )


def _detail(
    request: AuthedRequest, calendar: BusinessCalendar, bound: forms.Form | None = None
) -> HttpResponse:
    """The calendar page; `bound`, a submitted form with errors, replaces its blank twin."""
    weekly = selectors.calendar_weekly_hours(calendar=calendar)
    year = timezone.localdate().year
    page_forms: dict[str, forms.Form] = {
        "calendar_form": CalendarForm(
            initial={
                "name": calendar.name,
                "time_zone": calendar.time_zone,
                "is_default": calendar.is_default,
            }
        ),
        "week_form": WeekForm(initial={weekday_field_name(d): i for d, i in weekly.items()}),
        "exception_form": ExceptionForm(),
        "holidays_form": PublicHolidaysForm(
            initial={
                "country": ZONE_COUNTRIES.get(calendar.time_zone, "RU"),
                "year_from": year,
                "year_to": year + 2,
            }
        ),
    }
    for key, form in page_forms.items():
        if bound is not None and type(form) is type(bound):
            page_forms[key] = bound
    return render(
        request,
        "calendars/calendar_detail.html",
        {
            "calendar": calendar,
            "exceptions": selectors.calendar_exception_list(calendar=calendar),
            **page_forms,
        },
        status=422 if bound is not None else 200,
    )


@klient_view
def calendar_detail(request: AuthedRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    if request.method != "POST":
        return _detail(request, calendar)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_update(
                calendar=calendar,
                actor=request.user,
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                is_default=form.cleaned_data["is_default"],
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("calendars:calendar_detail", calendar_id=calendar.pk)
    calendar.refresh_from_db()
    return _detail(request, calendar, form)


@klient_view
@require_POST
def calendar_hours(request: AuthedRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    form = WeekForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_hours_set(calendar=calendar, weekly=form.weekly(), actor=request.user)
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Working hours saved."))
            return redirect("calendars:calendar_detail", calendar_id=calendar.pk)
    return _detail(request, calendar, form)


@klient_view
@require_POST
def calendar_exception_create(request: AuthedRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_exception_add(
                calendar=calendar,
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                hours=form.cleaned_data["hours"],
                actor=request.user,
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Date added."))
            return redirect("calendars:calendar_detail", calendar_id=calendar.pk)
    return _detail(request, calendar, form)


@klient_view
@require_POST
def calendar_exception_remove(
    request: AuthedRequest, calendar_id: int, exception_id: int
) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    services.calendar_exception_remove(
        calendar=calendar, exception_id=exception_id, actor=request.user
    )
    messages.success(request, _("Date removed."))
    return redirect("calendars:calendar_detail", calendar_id=calendar.pk)


@klient_view
@require_POST
def calendar_public_holidays(request: AuthedRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id)
    form = PublicHolidaysForm(request.POST)
    if form.is_valid():
        try:
            added = services.calendar_public_holidays_load(
                calendar=calendar,
                country=form.cleaned_data["country"],
                years=form.years(),
                actor=request.user,
                language=get_language() or "",
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Dates added: %(count)s.") % {"count": added})
            return redirect("calendars:calendar_detail", calendar_id=calendar.pk)
    return _detail(request, calendar, form)
