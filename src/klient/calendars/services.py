"""Writes of business calendars: create and rename, weekly hours, holidays and extra
working days, public holidays loaded by country. Each is audited; an actor, when given,
must be an administrator of the calendar's workspace (None: the system, the demo)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from klient.calendars.models import BusinessCalendar, CalendarException, WorkingHours
from klient.calendars.public_holidays import COUNTRY_LANGUAGES, public_days
from klient.calendars.selectors import calendar_weekly_hours, hours_to_json
from klient.calendars.spec import (
    Interval,
    IntervalLike,
    InvalidInterval,
    OverlappingIntervals,
    intervals_format,
    intervals_normalize,
    time_zone_names,
)
from klient.core.errors import Conflict, NotFound, ValidationFailed
from klient.core.models import User, Workspace
from klient.core.services import audit_record, require_admin

WeeklyHours = Mapping[int, Iterable[IntervalLike]]
# Loading public holidays for more years at once is surely a typo.
MAX_HOLIDAY_YEARS = 10


def _require_admin_of(actor: User | None, workspace_id: int) -> None:
    if actor is None:
        return
    require_admin(actor)
    if actor.workspace_id != workspace_id:
        raise NotFound(_("Calendar not found."))


def _intervals(values: Iterable[IntervalLike], field: str) -> tuple[Interval, ...]:
    try:
        return intervals_normalize(values)
    except OverlappingIntervals as error:
        raise ValidationFailed(fields={field: _("Working intervals overlap.")}) from error
    except InvalidInterval as error:
        raise ValidationFailed(
            fields={field: _("An interval must end after it starts.")}
        ) from error


def _weekly_check(weekly: WeeklyHours) -> dict[int, tuple[Interval, ...]]:
    if set(weekly) - set(range(7)):
        raise ValidationFailed(fields={"weekly": _("Weekdays are numbered 0 to 6.")})
    errors: dict[str, Any] = {}
    days: dict[int, tuple[Interval, ...]] = {}
    for day in range(7):
        try:
            days[day] = _intervals(weekly.get(day, ()), f"weekday_{day}")
        except ValidationFailed as error:
            errors.update(error.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    if not any(days.values()):
        raise ValidationFailed(_("A calendar needs working hours on at least one day of the week."))
    return days


def _time_zone_check(time_zone: str) -> str:
    if time_zone not in time_zone_names():
        raise ValidationFailed(fields={"time_zone": _("Unknown time zone.")})
    return time_zone


def _name_check(workspace_id: int, name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": _("This field is required.")})
    rows = BusinessCalendar.objects.filter(workspace_id=workspace_id, name=name)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    if rows.exists():
        raise Conflict(_("A calendar with this name already exists."), fields={"name": name})
    return name


def _default_move(calendar: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(workspace_id=calendar.workspace_id, is_default=True).exclude(
        pk=calendar.pk
    ).update(is_default=False)


def _hours_write(calendar: BusinessCalendar, days: Mapping[int, Iterable[Interval]]) -> None:
    WorkingHours.objects.filter(calendar=calendar).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start=i.start, end=i.end)
        for day, intervals in days.items()
        for i in intervals
    )


@transaction.atomic
def calendar_create(
    *,
    workspace: Workspace,
    name: str,
    time_zone: str,
    weekly: WeeklyHours,
    is_default: bool = False,
    actor: User | None = None,
) -> BusinessCalendar:
    """A new calendar with its week; the workspace's first calendar becomes its default."""
    _require_admin_of(actor, workspace.pk)
    name = _name_check(workspace.pk, name)
    days = _weekly_check(weekly)
    _time_zone_check(time_zone)
    first = not BusinessCalendar.objects.filter(workspace=workspace).exists()
    calendar = BusinessCalendar(
        workspace=workspace, name=name, time_zone=time_zone, is_default=is_default or first
    )
    if calendar.is_default:
        _default_move(calendar)
    calendar.save()
    _hours_write(calendar, days)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="calendar.create",
        instance=calendar,
        changes={
            "name": (None, name),
            "time_zone": (None, time_zone),
            "is_default": (None, calendar.is_default),
            **{f"weekday_{d}": (None, intervals_format(i)) for d, i in days.items() if i},
        },
    )
    return calendar


@transaction.atomic
def calendar_update(
    *,
    calendar: BusinessCalendar,
    actor: User | None,
    name: str | None = None,
    time_zone: str | None = None,
    is_default: bool | None = None,
) -> BusinessCalendar:
    """Rename, move to another zone, or make the workspace's default."""
    _require_admin_of(actor, calendar.workspace_id)
    changes: dict[str, tuple[Any, Any]] = {}
    if name is not None and name.strip() != calendar.name:
        name = _name_check(calendar.workspace_id, name, exclude_id=calendar.pk)
        changes["name"] = (calendar.name, name)
        calendar.name = name
    if time_zone is not None and time_zone != calendar.time_zone:
        changes["time_zone"] = (calendar.time_zone, _time_zone_check(time_zone))
        calendar.time_zone = time_zone
    if is_default is not None and is_default != calendar.is_default:
        if not is_default:
            raise ValidationFailed(
                fields={"is_default": _("Make another calendar the default instead.")}
            )
        _default_move(calendar)
        changes["is_default"] = (False, True)
        calendar.is_default = True
    if changes:
        calendar.save()
        audit_record(
            workspace=calendar.workspace_id,
            actor=actor,
            action="calendar.update",
            instance=calendar,
            changes=changes,
        )
    return calendar


@transaction.atomic
def calendar_hours_set(
    *, calendar: BusinessCalendar, weekly: WeeklyHours, actor: User | None
) -> BusinessCalendar:
    """Replace the calendar's week: per weekday its intervals, breaks between them."""
    _require_admin_of(actor, calendar.workspace_id)
    days = _weekly_check(weekly)
    before = calendar_weekly_hours(calendar=calendar)
    changes = {
        f"weekday_{day}": (intervals_format(before[day]), intervals_format(days[day]))
        for day in range(7)
        if before[day] != days[day]
    }
    if changes:
        _hours_write(calendar, days)
        calendar.save(update_fields=["updated_at"])
        audit_record(
            workspace=calendar.workspace_id,
            actor=actor,
            action="calendar.hours_set",
            instance=calendar,
            changes=changes,
        )
    return calendar


@transaction.atomic
def calendar_exception_add(
    *,
    calendar: BusinessCalendar,
    day: date,
    kind: str,
    actor: User | None,
    name: str = "",
    hours: Iterable[IntervalLike] = (),
) -> CalendarException:
    """A holiday, or a working day with its own hours (none: the calendar's standard day)."""
    _require_admin_of(actor, calendar.workspace_id)
    if kind not in CalendarException.Kind.values:
        raise ValidationFailed(fields={"kind": _("Unknown kind of day.")})
    intervals = _intervals(hours, "hours")
    if intervals and kind == CalendarException.Kind.HOLIDAY:
        raise ValidationFailed(fields={"hours": _("A holiday has no working hours.")})
    if CalendarException.objects.filter(calendar=calendar, date=day).exists():
        raise Conflict(
            _("This date is already a holiday or a working day of this calendar."),
            fields={"date": _("Already listed.")},
        )
    exception = CalendarException.objects.create(
        calendar=calendar, date=day, kind=kind, name=name.strip(), hours=hours_to_json(intervals)
    )
    audit_record(
        workspace=calendar.workspace_id,
        actor=actor,
        action="calendar.exception_add",
        instance=calendar,
        changes={"date": (None, day), "kind": (None, kind), "hours": (None, exception.hours)},
    )
    return exception


@transaction.atomic
def calendar_exception_remove(
    *, calendar: BusinessCalendar, exception_id: int, actor: User | None
) -> None:
    _require_admin_of(actor, calendar.workspace_id)
    exception = CalendarException.objects.filter(calendar=calendar, pk=exception_id).first()
    if exception is None:
        raise NotFound(_("This date is not in the calendar."))
    exception.delete()
    audit_record(
        workspace=calendar.workspace_id,
        actor=actor,
        action="calendar.exception_remove",
        instance=calendar,
        changes={"date": (exception.date, None), "kind": (exception.kind, None)},
    )


@transaction.atomic
def calendar_public_holidays_load(
    *,
    calendar: BusinessCalendar,
    country: str,
    years: range,
    actor: User | None,
    language: str = "",
) -> int:
    """Add a country's public holidays and weekend days worked by decree for `years`;
    dates the calendar already lists stay as they are. Returns how many were added."""
    _require_admin_of(actor, calendar.workspace_id)
    if country not in COUNTRY_LANGUAGES:
        raise ValidationFailed(fields={"country": _("No public holidays known for this country.")})
    if not 0 < len(years) <= MAX_HOLIDAY_YEARS or years.step != 1:
        raise ValidationFailed(
            fields={"years": _("Choose from 1 to 10 consecutive years.")},
        )
    taken = set(CalendarException.objects.filter(calendar=calendar).values_list("date", flat=True))
    worked_name = _("Working day (moved from a holiday)")
    added = CalendarException.objects.bulk_create(
        CalendarException(
            calendar=calendar,
            date=public.day,
            kind=(
                CalendarException.Kind.HOLIDAY
                if public.is_holiday
                else CalendarException.Kind.WORKING_DAY
            ),
            name=(public.name if public.is_holiday else worked_name)[:200],
            source=country,
        )
        for public in public_days(country, years, language=language)
        if public.day not in taken
    )
    audit_record(
        workspace=calendar.workspace_id,
        actor=actor,
        action="calendar.public_holidays_load",
        instance=calendar,
        changes={
            "country": (None, country),
            "years": (None, f"{years.start}-{years.stop - 1}"),
            "added": (None, len(added)),
        },
    )
    return len(added)
