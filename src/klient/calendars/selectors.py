"""Reads of business calendars, and the pure `CalendarSpec` built from one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from klient.calendars.models import BusinessCalendar, CalendarException, WorkingHours
from klient.calendars.spec import CalendarSpec, Interval, intervals_normalize, intervals_parse
from klient.core.errors import NotFound
from klient.core.models import Role, User, Workspace
from klient.core.selectors import scoped


def calendar_list(*, user: User) -> QuerySet[BusinessCalendar]:
    """The workspace's calendars, the default first, with their count of exceptions."""
    return (
        scoped(BusinessCalendar, user=user)
        .annotate(exception_count=Count("exceptions"))
        .order_by("-is_default", "name")
    )


def calendar_get_for_admin(*, user: User, calendar_id: int) -> BusinessCalendar:
    """A calendar of the administrator's workspace; another workspace's is NotFound."""
    if user.role != Role.ADMIN:
        raise NotFound(_("Calendar not found."))
    calendar = scoped(BusinessCalendar, user=user).filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("Calendar not found."))
    return calendar


def calendar_weekly_hours(*, calendar: BusinessCalendar) -> dict[int, tuple[Interval, ...]]:
    """Weekday (Monday = 0) -> that day's intervals, every weekday present."""
    return _weekly(calendar.working_hours.all())


def calendar_exception_list(*, calendar: BusinessCalendar) -> QuerySet[CalendarException]:
    return calendar.exceptions.order_by("date")


def hours_from_json(value: Sequence[Sequence[str]]) -> tuple[Interval, ...]:
    """A working day's stored hours, [["09:00", "13:00"], ...], as intervals."""
    return intervals_parse(", ".join(f"{start}-{end}" for start, end in value))


def hours_to_json(intervals: Iterable[Interval]) -> list[list[str]]:
    return [str(interval).split("-") for interval in intervals]


def _weekly(rows: Iterable[WorkingHours]) -> dict[int, tuple[Interval, ...]]:
    days: dict[int, list[Interval]] = {day: [] for day in range(7)}
    for row in rows:
        days[row.weekday].append(Interval(row.start, row.end))
    return {day: intervals_normalize(intervals) for day, intervals in days.items()}


def _spec(calendar: BusinessCalendar, hours: Any, exceptions: Any) -> CalendarSpec:
    weekly = _weekly(hours)
    # A working day without hours of its own works the first working weekday's hours
    # (a worked Saturday works like the Monday it replaces).
    standard = next((intervals for intervals in weekly.values() if intervals), ())
    holidays = []
    working_days = {}
    for exception in exceptions:
        if exception.kind == CalendarException.Kind.HOLIDAY:
            holidays.append(exception.date)
        else:
            working_days[exception.date] = hours_from_json(exception.hours) or standard
    return CalendarSpec.build(
        time_zone=calendar.time_zone,
        weekly=weekly,
        holidays=holidays,
        working_days=working_days,
    )


def calendar_spec_build(*, calendar: BusinessCalendar) -> CalendarSpec:
    """The pure calendar of a loaded row: two queries (hours, exceptions)."""
    return _spec(
        calendar,
        WorkingHours.objects.filter(calendar=calendar).only("weekday", "start", "end"),
        CalendarException.objects.filter(calendar=calendar).only("date", "kind", "hours"),
    )


def calendar_spec_get(
    *, workspace: Workspace | int, calendar_id: int | None = None
) -> CalendarSpec:
    """The pure calendar `calendar_id` of a workspace, or its default calendar when None;
    three queries. NotFound when there is no such calendar in that workspace."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    rows = BusinessCalendar.objects.filter(workspace_id=workspace_id)
    rows = rows.filter(is_default=True) if calendar_id is None else rows.filter(pk=calendar_id)
    calendar = rows.first()
    if calendar is None:
        raise NotFound(_("Calendar not found."))
    return calendar_spec_build(calendar=calendar)
